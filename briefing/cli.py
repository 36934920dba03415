"""The `briefing` command: parses arguments, calls the library, reports errors.

Every BriefingError becomes one line on stderr and exit code 1; usage errors exit
with 2; a brief written although some inputs failed exits with 3. Nothing here
that a Python caller would also want.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import click
import typer

from .errors import BriefingError
from .facts.cache import CACHE_ENV
from .facts.modelinfo import DEFAULT_MODEL
from .pipeline import DEFAULT_TITLE, FORMATS, PAPERS

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .delivery.mail import MailSettings
    from .facts.engine import EngineOptions
    from .facts.extraction import ParserPool
    from .watch import Watched

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Turn news articles into a one-page briefing note, every line cited to its source.",
)
logger = logging.getLogger("briefing")

EXIT_SOME_INPUTS_FAILED = 3  # the brief was written from the inputs that worked

Verbose = Annotated[
    int, typer.Option("--verbose", "-v", count=True, help="-v: progress, -vv: debug detail.")
]
# Options the commands share.
Inputs = Annotated[
    list[str] | None,  # str, not Path: a Path would fold the "//" of a URL
    typer.Argument(help="Article files (text, HTML, RSS/Atom), folders of them, or "
                   "http(s) URLs of pages and feeds [default: seeds/].", show_default=False),
]
Themes = Annotated[
    Path | None, typer.Option("--themes", help="Themes file (TOML) [default: built in].")
]
Title = Annotated[str, typer.Option("--title", help="Title of the brief.")]
Day = Annotated[
    str | None, typer.Option("--date", help="Date of the brief, YYYY-MM-DD [default: today].")
]
Paper = Annotated[str, typer.Option("--paper", help="a4 or letter.")]
Model = Annotated[str, typer.Option("--model", envvar="BRIEFING_MODEL", help="spaCy model name.")]
Sender = Annotated[str | None, typer.Option("--from", help="Sender address (eml, send).")]
To = Annotated[list[str] | None, typer.Option("--to", help="Recipient; repeat for more.")]
Cc = Annotated[list[str] | None, typer.Option("--cc", help="Copy to; repeat for more.")]
ReplyTo = Annotated[str | None, typer.Option("--reply-to", help="Reply-To address.")]
CacheDir = Annotated[
    Path | None, typer.Option("--cache-dir", envvar=CACHE_ENV, help="Folder of cached facts "
                              "[default: the user cache folder, e.g. ~/.cache/briefing].",
                              show_default=False)
]
Jobs = Annotated[
    int, typer.Option("--jobs", "-j", min=1, help="Worker processes parsing articles (with "
                      "--engine dask and no scheduler: of its LocalCluster); the output is "
                      "the same for any number.")
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Parse every article again; read and write no "
                       "cached facts.")
]
Engine = Annotated[
    str, typer.Option("--engine", help="Who parses: processes (of this machine) or dask "
                      "(a Dask cluster; pip install 'briefing[dask]').")
]
Scheduler = Annotated[
    str | None, typer.Option("--scheduler", metavar="ADDRESS", help="--engine dask: the "
                             "cluster's scheduler, e.g. tcp://HOST:8786 [default: "
                             "$DASK_SCHEDULER_ADDRESS, else a LocalCluster of --jobs "
                             "processes].", show_default=False)
]
Offline = Annotated[
    bool, typer.Option("--offline", help="Fetch nothing: every URL input fails.")
]
Since = Annotated[
    str | None, typer.Option("--since", help="Feed entries published on or after this "
                             "date, YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless an "
                             "offset is given).")
]
MaxItems = Annotated[
    int | None, typer.Option("--max-items", min=1, help="At most N entries of each feed, "
                             "the most recent.")
]
MailConfig = Annotated[
    Path | None,
    typer.Option("--mail-config", envvar="BRIEFING_MAIL_CONFIG",
                 help="Mail config (TOML): from, to, cc, reply_to, smtp, security, user."),
]


@app.command()
def build(
    inputs: Inputs = None,
    themes: Themes = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")
    ] = "pdf",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Output file, '-' for stdout "
                                 "[default: brief.FORMAT].")
    ] = None,
    title: Title = DEFAULT_TITLE,
    date: Day = None,
    paper: Paper = "a4",
    model: Model = DEFAULT_MODEL,
    offline: Offline = False,
    since: Since = None,
    max_items: MaxItems = None,
    facts: Annotated[
        list[Path] | None, typer.Option("--facts", metavar="FILE", help="Build from facts "
                                        "files of `briefing extract` instead of articles, "
                                        "without parsing; repeat for more.")
    ] = None,
    archive: Annotated[
        Path | None, typer.Option("--archive", help="Keep each source's text and metadata "
                                  "as files in this folder.")
    ] = None,
    fragment: Annotated[
        bool, typer.Option("--fragment", help="html: a section to paste into a page.")
    ] = False,
    id_prefix: Annotated[
        str | None, typer.Option("--id-prefix", help="--fragment: prefix of its ids "
                                 "[default: from title and date].")
    ] = None,
    sender: Sender = None,
    to: To = None,
    cc: Cc = None,
    reply_to: ReplyTo = None,
    mail_config: MailConfig = None,
    jobs: Jobs = 1,
    engine: Engine = "processes",
    scheduler: Scheduler = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Build again whenever an input file or folder "
                           "(or the themes file) changes, the model kept loaded; Ctrl-C "
                           "stops.")
    ] = False,
    verbose: Verbose = 0,
) -> None:
    """Build a one-page brief from INPUT articles, as PDF, HTML, JSON or an email (eml)."""
    _configure_logging(verbose)
    with _reported_errors():
        fmt = format.lower()
        if fmt not in FORMATS:
            raise BriefingError(
                f"--format {format!r} is not one of {', '.join(FORMATS)}; pick one"
            )
        if paper.lower() not in PAPERS:
            raise BriefingError(f"--paper {paper!r} is not one of {', '.join(PAPERS)}; pick one")
        if fragment and fmt != "html":
            raise BriefingError(f"--fragment needs --format html, not {fmt}")
        if watch and output == "-":
            raise BriefingError("--watch writes the brief again at each change; give "
                                "--output a file, not -")
        if facts and inputs:
            raise BriefingError("--facts builds from facts files, not articles; give "
                                "either INPUT articles or --facts files")
        if facts and watch:
            raise BriefingError("--watch rebuilds when articles change; drop --facts")
        if facts and (engine != "processes" or scheduler):
            raise BriefingError("--facts builds without parsing; drop --engine and --scheduler")
        _quiet_dask(engine, verbose)
        from .pipeline import (
            BuildOptions,
            build_brief,
            build_from_facts,
            render_output,
            write_output,
        )

        options = BuildOptions(
            themes=themes, model=model, title=title, date=_parse_date(date),
            paper=paper.lower(), offline=offline, since=_parse_since(since),
            max_items=max_items, jobs=jobs, cache=not no_cache, cache_dir=cache_dir,
            engine=engine, scheduler=scheduler,
        )

        sources = list(inputs) if inputs else ["seeds"]
        target_name = output or f"brief.{fmt}"

        def build_and_write(pool: ParserPool | None = None) -> int:
            """One build, its brief written: the exit code it earns."""
            mail = None  # read at each build: a watch follows the mail config's changes
            if fmt == "eml":
                mail = _mail_settings(mail_config, sender=sender, to=to, cc=cc,
                                      reply_to=reply_to)
            if facts:
                result = build_from_facts(facts, options)
            else:
                with _ProgressBar(sys.stderr) as progress:
                    result = build_brief(sources, options, progress=progress, pool=pool)
            if archive is not None:
                from .delivery.archive import write_archive

                write_archive(result.brief.sources, archive)
            data = render_output(result, fmt, fragment=fragment, id_prefix=id_prefix, mail=mail)
            target = write_output(data, target_name)
            logger.info(
                "timings: %s; total %.2fs; in worker processes, beside them: %s",
                ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items()),
                sum(result.timings.values()),
                ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in
                          result.worker_timings.items()) or "nothing (all facts were cached)",
            )
            if target is not None:
                brief = result.brief
                typer.echo(
                    f"wrote {target} ({len(brief.items)} lines in {len(brief.themes)} sections "
                    f"from {len(brief.sources)} sources"
                    + (f"; {brief.dropped} lines left out to fit one page" if brief.dropped
                       else "")
                    + ")",
                    err=True,
                )
            if result.failures:
                typer.echo(f"briefing: {len(result.failures)} input(s) failed (named above); "
                           f"the brief holds the rest", err=True)
                return EXIT_SOME_INPUTS_FAILED
            return 0

        if watch:
            from .watch import Watched

            watched = Watched.of(sources, also=(themes, mail_config),
                                 written=(target_name, archive))
            _watch(build_and_write, watched, model=model, jobs=jobs,
                   engine=options.engine_options)
            return
        code = build_and_write()
        if code:
            raise typer.Exit(code)


def _watch(build: Callable[[ParserPool], int], watched: Watched, *, model: str,
           jobs: int, engine: EngineOptions) -> None:
    """Build, then build again at each change *watched* reports, until Ctrl-C (or
    SIGTERM). A failed build is reported in one line and the watch goes on."""
    from .facts.extraction import ParserPool
    from .watch import Watcher

    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: as Ctrl-C
    building = True
    try:
        with Watcher(watched) as changes, ParserPool(model, jobs=jobs,
                                                                    engine=engine) as pool:
            _attempt(build, pool)
            building = False
            typer.echo(f"briefing: watching {watched.describe()} for changes; Ctrl-C stops",
                       err=True)
            for paths in changes:
                names = [path.name for path in paths]
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more"
                                                if len(names) > 3 else "")
                typer.echo(f"briefing: {shown} changed at {dt.datetime.now():%H:%M:%S}; "
                           "building again", err=True)
                building = True
                _attempt(build, pool)
                building = False
    except KeyboardInterrupt:
        typer.echo("briefing: stopped watching" + ("; the build under way was left "
                   "unfinished and its brief not written" if building else ""), err=True)


def _attempt(build: Callable[[ParserPool], int], pool: ParserPool) -> None:
    """Run *build*; a BriefingError is its one line on stderr, and nothing more."""
    try:
        build(pool)
    except BriefingError as error:
        typer.echo(f"briefing: error: {error}", err=True)


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


@app.command()
def extract(
    inputs: Inputs = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Facts file: .jsonl, .jsonl.gz or .parquet "
                          "(pip install 'briefing[pyarrow]'); '-' for JSON Lines on stdout.")
    ] = "facts.jsonl",
    themes: Themes = None,
    model: Model = DEFAULT_MODEL,
    offline: Offline = False,
    since: Since = None,
    max_items: MaxItems = None,
    jobs: Jobs = 1,
    engine: Engine = "processes",
    scheduler: Scheduler = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    verbose: Verbose = 0,
) -> None:
    """Extract the facts of INPUT articles into a facts file, for `build --facts` later."""
    _configure_logging(verbose)
    with _reported_errors():
        _quiet_dask(engine, verbose)
        from .pipeline import BuildOptions, extract_facts

        options = BuildOptions(
            themes=themes, model=model, offline=offline, since=_parse_since(since),
            max_items=max_items, jobs=jobs, cache=not no_cache, cache_dir=cache_dir,
            engine=engine, scheduler=scheduler,
        )
        with _ProgressBar(sys.stderr) as progress:
            result = extract_facts(list(inputs) if inputs else ["seeds"], output, options,
                                   progress=progress)
        logger.info("in the workers: %s", ", ".join(
            f"{stage} {seconds:.2f}s" for stage, seconds in result.worker_timings.items())
            or "nothing (all facts were cached)")
        if result.target is not None:
            typer.echo(f"wrote {result.target} ({result.facts} facts of {result.sources} "
                       f"sources, {result.parsed} parsed)", err=True)
        if result.failures:
            typer.echo(f"briefing: {len(result.failures)} input(s) failed (named above); "
                       f"the facts file holds the rest", err=True)
            raise typer.Exit(EXIT_SOME_INPUTS_FAILED)


def _quiet_dask(engine: str, verbose: int) -> None:
    """Dask's own log: errors only, warnings with -v, all with -vv, unless the user set
    it (DASK_LOGGING__DISTRIBUTED); set before Dask is imported, and inherited by the
    worker processes of a LocalCluster."""
    if engine == "dask":
        level = "error" if verbose == 0 else "warning" if verbose == 1 else "info"
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", level)


@app.command()
def send(
    inputs: Inputs = None,
    to: To = None,
    cc: Cc = None,
    sender: Sender = None,
    reply_to: ReplyTo = None,
    smtp: Annotated[
        str | None, typer.Option("--smtp", help="SMTP server HOST:PORT.")
    ] = None,
    starttls: Annotated[
        bool, typer.Option("--starttls", help="Upgrade the connection with STARTTLS.")
    ] = False,
    ssl: Annotated[bool, typer.Option("--ssl", help="Connect over TLS (SMTPS).")] = False,
    user: Annotated[
        str | None, typer.Option("--user", help="Login name; the password is read from "
                                 "BRIEFING_SMTP_PASSWORD.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds to wait for the server "
                                   "[default: 30].")
    ] = None,
    mail_config: MailConfig = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where the message is saved first.")
    ] = Path("brief.eml"),
    eml: Annotated[
        Path | None, typer.Option("--eml", help="Send this saved message instead of "
                                  "building one.")
    ] = None,
    themes: Themes = None,
    title: Title = DEFAULT_TITLE,
    date: Day = None,
    paper: Paper = "a4",
    model: Model = DEFAULT_MODEL,
    verbose: Verbose = 0,
) -> None:
    """Build a brief and email it over SMTP; the message is saved as .eml first."""
    _configure_logging(verbose)
    with _reported_errors():
        if starttls and ssl:
            raise BriefingError("--starttls and --ssl exclude each other; give one")
        security = "starttls" if starttls else "ssl" if ssl else None
        settings = _mail_settings(mail_config, sender=sender, to=to, cc=cc, reply_to=reply_to,
                                  smtp=smtp, security=security, user=user, timeout=timeout)
        from .delivery.mail import PASSWORD_ENV, Server, check_login, compose, read_message
        from .delivery.mail import send as send_message

        server = Server.from_settings(settings)
        password = os.environ.get(PASSWORD_ENV)
        check_login(server, password)  # before the build, so a missing password fails fast
        if eml is not None and (to or cc or sender or reply_to):
            raise BriefingError(f"--eml {eml} is sent as saved, to its own recipients; "
                                "drop --to, --cc, --from and --reply-to")
        if eml is None and not (settings.to or settings.cc):
            raise BriefingError("no recipients; give --to ADDRESS or `to` in the mail config")
        if eml is not None:
            message = read_message(eml)
            saved = eml
        else:
            if paper.lower() not in PAPERS:
                raise BriefingError(
                    f"--paper {paper!r} is not one of {', '.join(PAPERS)}; pick one")
            from .pipeline import BuildOptions, build_brief, render_output, write_output

            options = BuildOptions(themes=themes, model=model, title=title,
                                   date=_parse_date(date), paper=paper.lower())
            result = build_brief(list(inputs) if inputs else ["seeds"], options)
            message = compose(result.brief, render_output(result, "pdf"), settings)
            saved = write_output(message.as_bytes(), output) or output
            typer.echo(f"saved {saved}", err=True)
        accepted = send_message(message, server, password=password, saved=saved)
        typer.echo(f"sent {saved} to {', '.join(accepted)} via {server.name}", err=True)


@app.command()
def inspect(
    file: Annotated[str, typer.Argument(help="An article: text file, web page, feed or URL.")],
    model: Model = DEFAULT_MODEL,
    themes: Themes = None,
    verbose: Verbose = 0,
) -> None:
    """Show a file's lines as the tool sees them: kept or dropped and why, then its facts."""
    _configure_logging(verbose)
    with _reported_errors():
        from .inspect import describe_source

        for line in describe_source(file, model=model, themes=themes):
            typer.echo(line)


@app.command("cache")
def cache_command(
    cache_dir: CacheDir = None,
    clear: Annotated[bool, typer.Option("--clear", help="Delete the cached facts.")] = False,
    older_than: Annotated[
        int | None, typer.Option("--older-than", metavar="DAYS", help="With --clear: only "
                                 "facts no build has used for this many days.")
    ] = None,
    verbose: Verbose = 0,
) -> None:
    """Show where the fact cache is and what it holds; --clear empties it."""
    _configure_logging(verbose)
    with _reported_errors():
        from .facts.cache import cache_usage, default_cache_dir, prune_cache

        folder = cache_dir if cache_dir is not None else default_cache_dir()
        if older_than is not None and not clear:
            raise BriefingError("--older-than DAYS only says what --clear deletes; add --clear")
        if older_than is not None and older_than < 0:
            raise BriefingError(f"--older-than {older_than} is not a number of days; "
                                "give 0 or more")
        if not clear:
            typer.echo(f"fact cache {folder}: {cache_usage(folder)}")
            return
        age = None if older_than is None else dt.timedelta(days=older_than)
        removed = prune_cache(folder, older_than=age)
        typer.echo(f"removed {removed} from the fact cache {folder}; "
                   f"{cache_usage(folder)} left")


def _mail_settings(config: Path | None, **options: object) -> MailSettings:
    """The mail config file's settings, each overridden by its option when given."""
    from .delivery.mail import MailSettings, load_mail_config

    base = load_mail_config(config) if config is not None else MailSettings()
    return base.merged(**options)
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


def _parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise BriefingError(
            f"--since {value!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


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
    """The console script: run the command, then leave without tearing Python down.

    Tearing down frees the renderer's font and layout libraries object by object,
    about 0.1 s after every build (a twentieth of a rebuild). By then the output
    is written and renamed and the workers have stopped, so this flushes the
    streams and leaves at once, as mypy does.
    """
    try:
        app()
        code = 0
    except SystemExit as leaving:
        if isinstance(leaving.code, str):  # sys.exit("message"), as Python would print it
            print(leaving.code, file=sys.stderr)
            code = 1
        else:
            code = leaving.code or 0
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to say
            stream.flush()
    os._exit(code)
