"""The `briefing` command: parses arguments, calls the library, reports errors.

Every BriefingError becomes one line on stderr and exit code 1; usage errors exit
with 2. Nothing here that a Python caller would also want.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import click
import typer

from .cache import CACHE_ENV
from .errors import BriefingError
from .extract import DEFAULT_MODEL
from .pipeline import DEFAULT_TITLE, FORMATS, PAPERS

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Turn news articles into a one-page briefing note, every line cited to its source.",
)
logger = logging.getLogger("briefing")

Verbose = Annotated[
    int, typer.Option("--verbose", "-v", count=True, help="-v: progress, -vv: debug detail.")
]


@app.command()
def build(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Article files or folders of them [default: seeds/].",
                       show_default=False),
    ] = None,
    themes: Annotated[
        Path | None, typer.Option("--themes", help="Themes file (TOML) [default: built in].")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")
    ] = "pdf",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Output file, '-' for stdout "
                                 "[default: brief.FORMAT].")
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Title of the brief.")] = DEFAULT_TITLE,
    date: Annotated[
        str | None, typer.Option("--date", help="Date of the brief, YYYY-MM-DD [default: today].")
    ] = None,
    paper: Annotated[str, typer.Option("--paper", help="a4 or letter.")] = "a4",
    model: Annotated[
        str, typer.Option("--model", envvar="BRIEFING_MODEL", help="spaCy model name.")
    ] = DEFAULT_MODEL,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes parsing articles; "
                          "the output is the same for any number.")
    ] = 1,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse every article again; read and "
                           "write no cached facts.")
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", envvar=CACHE_ENV, help="Folder of cached "
                                  "facts [default: the user cache folder, e.g. ~/.cache/briefing].",
                                  show_default=False)
    ] = None,
    verbose: Verbose = 0,
) -> None:
    """Build a one-page brief from INPUT articles, as PDF, HTML or JSON."""
    _configure_logging(verbose)
    with _reported_errors():
        fmt = format.lower()
        if fmt not in FORMATS:
            raise BriefingError(
                f"--format {format!r} is not one of {', '.join(FORMATS)}; pick one"
            )
        if paper.lower() not in PAPERS:
            raise BriefingError(f"--paper {paper!r} is not one of {', '.join(PAPERS)}; pick one")
        day = _parse_date(date)
        from .pipeline import build_brief, render_output, write_output

        with _ProgressBar(sys.stderr) as progress:
            result = build_brief(
                [str(p) for p in inputs] if inputs else ["seeds"],
                themes=themes,
                model=model,
                title=title,
                date=day,
                paper=paper.lower(),
                jobs=jobs,
                cache=not no_cache,
                cache_dir=cache_dir,
                progress=progress,
            )
        target = write_output(render_output(result, fmt), output or f"brief.{fmt}")
        logger.info(
            "timings: %s; total %.2fs",
            ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items()),
            sum(result.timings.values()),
        )
        if target is not None:
            brief = result.brief
            typer.echo(
                f"wrote {target} ({len(brief.items)} lines in {len(brief.themes)} sections "
                f"from {len(brief.sources)} sources"
                + (f"; {brief.dropped} lines left out to fit one page" if brief.dropped else "")
                + ")",
                err=True,
            )


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="An article file.")],
    model: Annotated[
        str, typer.Option("--model", envvar="BRIEFING_MODEL", help="spaCy model name.")
    ] = DEFAULT_MODEL,
    themes: Annotated[Path | None, typer.Option("--themes", help="Themes file (TOML).")] = None,
    verbose: Verbose = 0,
) -> None:
    """Show a file's lines as the tool sees them: kept or dropped and why, then its facts."""
    _configure_logging(verbose)
    with _reported_errors():
        from .inspect import describe_source

        for line in describe_source(file, model=model, themes=themes):
            typer.echo(line)


class _ProgressBar:
    """A rich progress bar of articles parsed, on a terminal, for long runs only.

    Nothing is drawn when *stream* is not a terminal (a pipe, a file, a test) or
    the run has fewer than ``MIN_ARTICLES`` articles to go through.
    """

    MIN_ARTICLES = 20

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        return self.update if self._stream.isatty() else None

    def update(self, done: int, total: int) -> None:
        if total < self.MIN_ARTICLES:
            return
        if self._bar is None:
            from rich.console import Console  # imported only when a bar is drawn
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("parsing articles"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=Console(file=self._stream), transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("parse", total=total)
        assert self._task is not None
        self._bar.update(self._task, completed=done)

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BriefingError(f"--date {value!r} is not a date; use YYYY-MM-DD") from None


class _reported_errors:
    """Turn a BriefingError into one line on stderr and a non-zero exit."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 _tb: object) -> None:
        if isinstance(error, BriefingError):
            typer.echo(f"briefing: error: {error}", err=True)
            raise typer.Exit(error.exit_code)
        if isinstance(error, BrokenPipeError):  # `briefing inspect x | head`: not an error
            sys.stderr.close()
            raise typer.Exit(0)
        if isinstance(error, KeyboardInterrupt):
            typer.echo("briefing: interrupted; no output written", err=True)
            raise typer.Exit(130)
        expected = typer.Exit | click.ClickException
        if isinstance(error, Exception) and not isinstance(error, expected):
            if logger.isEnabledFor(logging.DEBUG):
                return None  # -vv: let the traceback through for a bug report
            typer.echo(
                f"briefing: internal error: {type(error).__name__}: {error}; no output written. "
                "Run again with -vv for details and please report it",
                err=True,
            )
            raise typer.Exit(70)  # EX_SOFTWARE
        return None


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"briefing: {record.levelname.lower()}: {record.getMessage()}"


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def main() -> None:
    app()
