"""The `briefing` command: parses arguments, calls the library, reports errors.

Every BriefingError becomes one line on stderr and exit code 1; usage errors exit
with 2; a brief written although some inputs failed exits with 3. Nothing here
that a Python caller would also want.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import click
import typer

from . import __version__
from .errors import BriefingError
from .facts.cache import CACHE_ENV
from .facts.modelinfo import DEFAULT_MODEL
from .pipeline import DEFAULT_TITLE, FORMATS, PAPERS

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .delivery.mail import MailSettings
    from .desk.history import History
    from .facts.engine import EngineOptions
    from .facts.extraction import ParserPool
    from .models import Brief
    from .pipeline import Build
    from .watch import Watched

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Turn news articles into a one-page briefing note, every line cited to its source.",
)
logger = logging.getLogger("briefing")

EXIT_SOME_INPUTS_FAILED = 3  # the brief was written from the inputs that worked

DEFAULT_INPUT = "seeds"  # the repository's two seed articles, for the quick start


def _whole_number(value: str) -> int:
    """A count given on the command line: 1 or more (a usage error otherwise)."""
    try:
        number = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a whole number; give 1 or more") from None
    if number < 1:
        raise typer.BadParameter(f"{number} is too few; give 1 or more")
    return number


def _port(value: str) -> int:
    """A TCP port: 0 (any free one) to 65535 (a usage error otherwise)."""
    try:
        number = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a port number; give 0 to 65535") from None
    if not 0 <= number <= 65535:
        raise typer.BadParameter(f"{number} is not a port number; give 0 to 65535")
    return number


# Every option names what it takes (FILE, N, ADDRESS...), so help shows no Python types.
Verbose = Annotated[
    int, typer.Option("--verbose", "-v", count=True, show_default=False,
                      help="-v: progress, -vv: debug detail.")
]
# Options the commands share.
# Arguments are told of in the command's own help: Typer's list of arguments would
# show their Python type ("<list[str]>").
Inputs = Annotated[
    list[str] | None,  # str, not Path: a Path would fold the "//" of a URL
    typer.Argument(metavar="INPUT", hidden=True, show_default=False),
]
Themes = Annotated[
    Path | None, typer.Option("--themes", metavar="FILE",
                              help="Themes file (TOML) [default: built in].")
]
Title = Annotated[str, typer.Option("--title", metavar="TEXT", help="Title of the brief.")]
Day = Annotated[
    str | None, typer.Option("--date", metavar="YYYY-MM-DD",
                             help="Date of the brief [default: today].")
]
Paper = Annotated[str, typer.Option("--paper", metavar="a4|letter", help="Paper size.")]
Model = Annotated[str, typer.Option("--model", metavar="NAME", envvar="BRIEFING_MODEL",
                                    help="spaCy model name.")]
Sender = Annotated[str | None, typer.Option("--from", metavar="ADDRESS",
                                            help="Sender address (eml, send).")]
To = Annotated[list[str] | None, typer.Option("--to", metavar="ADDRESS",
                                              help="Recipient; repeat for more.")]
Cc = Annotated[list[str] | None, typer.Option("--cc", metavar="ADDRESS",
                                              help="Copy to; repeat for more.")]
ReplyTo = Annotated[str | None, typer.Option("--reply-to", metavar="ADDRESS",
                                             help="Reply-To address.")]
CacheDir = Annotated[
    Path | None, typer.Option("--cache-dir", metavar="DIR", envvar=CACHE_ENV,
                              help="Folder of cached facts "
                              "[default: the user cache folder, e.g. ~/.cache/briefing].",
                              show_default=False)
]
HistoryFile = Annotated[
    Path | None, typer.Option("--history", metavar="FILE", envvar="BRIEFING_HISTORY",
                              help="The desk's "
                              "history (SQLite) [default: history.sqlite in the user data "
                              "folder, e.g. ~/.local/share/briefing].", show_default=False)
]
NoHistory = Annotated[
    bool, typer.Option("--no-history", help="Compare with no earlier brief and record "
                       "nothing.")
]
RepeatOld = Annotated[
    bool, typer.Option("--repeat-old", help="Keep the lines already briefed with nothing "
                       "new, marked, instead of leaving them out.")
]
Pins = Annotated[
    list[str] | None, typer.Option("--pin", metavar="ID",
                                   help="Keep this line (an id, see `briefing "
                                   "inspect BRIEF.json`) on the page; repeat for more.")
]
Drops = Annotated[
    list[str] | None, typer.Option("--drop", metavar="ID",
                                   help="Leave this line out until it changes; "
                                   "repeat for more.")
]
EditsFile = Annotated[
    Path | None, typer.Option("--edits", metavar="FILE",
                              help="The desk's edits file (TOML): lines pinned "
                              "and dropped; --pin and --drop are added to it.")
]
Every = Annotated[
    str | None, typer.Option("--every", metavar="INTERVAL",
                             help="Build again at this interval, such as 30m, "
                             "1h or 90s; URLs and feeds are fetched again.")
]
Jobs = Annotated[
    int, typer.Option("--jobs", "-j", metavar="N", parser=_whole_number,
                      help="Worker processes parsing articles (with --engine dask and no "
                      "scheduler: of its LocalCluster); the output is the same for any "
                      "number.")
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Parse every article again; read and write no "
                       "cached facts.")
]
Engine = Annotated[
    str, typer.Option("--engine", metavar="ENGINE",
                      help="Who parses: processes (of this machine) or dask (a Dask "
                      "cluster; pip install 'briefing[dask]').")
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
    str | None, typer.Option("--since", metavar="DATE",
                             help="Feed entries published on or after this date, "
                             "YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless an offset is "
                             "given).")
]
MaxItems = Annotated[
    int | None, typer.Option("--max-items", metavar="N", parser=_whole_number,
                             help="At most N entries of each feed, the most recent.")
]
MailConfig = Annotated[
    Path | None,
    typer.Option("--mail-config", metavar="FILE", envvar="BRIEFING_MAIL_CONFIG",
                 help="Mail config (TOML): from, to, cc, reply_to, smtp, security, user."),
]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"briefing {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    _version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_show_version,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn news articles into a one-page briefing note, every line cited to its source."""


@app.command()
def build(
    inputs: Inputs = None,
    themes: Themes = None,
    format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT",
                          help=f"One of {', '.join(FORMATS)}.")
    ] = "pdf",
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="PATH",
                                 help="Output file, '-' for stdout [default: brief.FORMAT].")
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
        Path | None, typer.Option("--archive", metavar="DIR",
                                  help="Keep each source's text and metadata "
                                  "as files in this folder.")
    ] = None,
    fragment: Annotated[
        bool, typer.Option("--fragment", help="html: a section to paste into a page.")
    ] = False,
    id_prefix: Annotated[
        str | None, typer.Option("--id-prefix", metavar="ID",
                                 help="--fragment: prefix of its ids "
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
    every: Every = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also print the best lines left out of the "
                           "brief, and why each lost.")
    ] = False,
    history: HistoryFile = None,
    no_history: NoHistory = False,
    repeat_old: RepeatOld = False,
    pin: Pins = None,
    drop: Drops = None,
    edits: EditsFile = None,
    verbose: Verbose = 0,
) -> None:
    """Build a one-page brief from INPUT articles, as PDF, HTML, JSON or an email (eml).

    Each INPUT is an article file (text, Markdown, a saved web page, an RSS or Atom
    feed), a folder of them, or the http(s) URL of a page or feed. No INPUT: the
    folder seeds/.
    """
    _configure_logging(verbose)
    with _reported_errors() as interrupts:
        fmt = format.lower()
        if fmt not in FORMATS:
            raise BriefingError(
                f"--format {format!r} is not one of {', '.join(FORMATS)}; pick one"
            )
        if paper.lower() not in PAPERS:
            raise BriefingError(f"--paper {paper!r} is not one of {', '.join(PAPERS)}; pick one")
        if fragment and fmt != "html":
            raise BriefingError(f"--fragment needs --format html, not {fmt}")
        interval = _parse_every(every)
        watch = watch or interval is not None
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
            record_brief,
            render_output,
            write_output,
        )

        options = BuildOptions(
            themes=themes, model=model, title=title, date=_parse_date(date),
            paper=paper.lower(), offline=offline, since=_parse_since(since),
            max_items=max_items, jobs=jobs, cache=not no_cache, cache_dir=cache_dir,
            **_desk_options(history, no_history=no_history, repeat_old=repeat_old, pin=pin,
                            drop=drop, edits=edits),
            engine=engine, scheduler=scheduler,
        )

        sources = _inputs(inputs, "build")
        target_name = output or f"brief.{fmt}"
        from .delivery.output import check_output

        check_output(target_name)  # a FIFO or a missing folder fails now, not after the build
        if fmt == "eml":  # before the build: an unaddressed message is no use
            from .delivery.mail import check_addressed

            check_addressed(_mail_settings(mail_config, sender=sender, to=to, cc=cc,
                                           reply_to=reply_to))

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
            interrupts.check()
            target = write_output(data, target_name)
            record_brief(result)
            _keep_edits(result)
            logger.info(
                "timings: %s; total %.2fs; in worker processes, beside them: %s",
                ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items()),
                sum(result.timings.values()),
                ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in
                          result.worker_timings.items()) or "nothing (all facts were cached)",
            )
            if target is not None:
                brief = result.brief
                _say(
                    f"wrote {target} ({_count(len(brief.items), 'line')} in "
                    f"{_count(len(brief.themes), 'section')} from "
                    f"{_count(len(brief.sources), 'source')}"
                    + (f"; {brief.dropped} lines left out to fit one page" if brief.dropped
                       else "")
                    + ")" + (f"; {_since(brief)}" if brief.since else ""),
                )
            if explain:
                for line in explain_left_out(result.brief):
                    _say(line)
            if result.failures:
                _say(f"briefing: {len(result.failures)} input(s) failed (named above); "
                     "the brief holds the rest")
                return EXIT_SOME_INPUTS_FAILED
            return 0

        if watch:
            from .watch import Watched

            watched = Watched.of(sources, also=(themes, mail_config, edits),
                                 written=(target_name, archive), polled=interval is not None)
            _watch(build_and_write, watched, model=model, jobs=jobs,
                   engine=options.engine_options, every=interval)
            interrupts.interrupted = False  # the watch's way to stop: it said so, exit 0
            return
        code = build_and_write()
        if code:
            raise typer.Exit(code)


def _watch(build: Callable[[ParserPool], int], watched: Watched, *, model: str,
           jobs: int, engine: EngineOptions, every: float | None = None) -> None:
    """Build, then build again at each change *watched* reports (and every *every*
    seconds), until Ctrl-C (or SIGTERM). A failed build is reported in one line and
    the watch goes on."""
    from .facts.extraction import ParserPool
    from .watch import Watcher, describe_interval

    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: as Ctrl-C
    building = True
    try:
        with Watcher(watched, every=every) as changes, \
                ParserPool(model, jobs=jobs, engine=engine) as pool:
            _attempt(build, pool)
            building = False
            what = (f"watching {watched.describe()} for changes" if watched.roots else "")
            if every is not None:
                what += (" and " if what else "") + (
                    f"building again every {describe_interval(every)}")
            _say(f"briefing: {what}; Ctrl-C stops")
            for paths in changes:
                names = [path.name for path in paths]
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more"
                                                if len(names) > 3 else "")
                if not paths:  # the interval's tick
                    _say(f"briefing: {dt.datetime.now():%H:%M:%S}, building again "
                               "(URLs and feeds fetched again)")
                else:
                    _say(f"briefing: {shown} changed at {dt.datetime.now():%H:%M:%S}; "
                               "building again")
                building = True
                _attempt(build, pool)
                building = False
    except KeyboardInterrupt:
        _say("briefing: stopped watching" + ("; the build under way was left "
             "unfinished and its brief not written" if building else ""))


def _attempt(build: Callable[[ParserPool], int], pool: ParserPool) -> None:
    """Run *build*; a BriefingError is its one line on stderr, and nothing more."""
    try:
        build(pool)
    except BriefingError as error:
        _say(f"briefing: error: {error}")


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


@app.command()
def extract(
    inputs: Inputs = None,
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="PATH",
                          help="Facts file: .jsonl, .jsonl.gz or .parquet (pip install "
                          "'briefing[pyarrow]'); '-' for JSON Lines on stdout.")
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
            result = extract_facts(_inputs(inputs, "extract"), output, options,
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
        str | None, typer.Option("--smtp", metavar="HOST:PORT", help="SMTP server.")
    ] = None,
    starttls: Annotated[
        bool, typer.Option("--starttls", help="Upgrade the connection with STARTTLS.")
    ] = False,
    ssl: Annotated[bool, typer.Option("--ssl", help="Connect over TLS (SMTPS).")] = False,
    user: Annotated[
        str | None, typer.Option("--user", metavar="NAME",
                                 help="Login name; the password is read from "
                                 "BRIEFING_SMTP_PASSWORD.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", metavar="SECONDS",
                                   help="Seconds to wait for the server [default: 30].")
    ] = None,
    mail_config: MailConfig = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE",
                           help="Where the message is saved first.")
    ] = Path("brief.eml"),
    eml: Annotated[
        Path | None, typer.Option("--eml", metavar="FILE",
                                  help="Send this saved message instead of building one.")
    ] = None,
    themes: Themes = None,
    title: Title = DEFAULT_TITLE,
    date: Day = None,
    paper: Paper = "a4",
    model: Model = DEFAULT_MODEL,
    history: HistoryFile = None,
    no_history: NoHistory = False,
    repeat_old: RepeatOld = False,
    pin: Pins = None,
    drop: Drops = None,
    edits: EditsFile = None,
    verbose: Verbose = 0,
) -> None:
    """Build a brief and email it over SMTP; the message is saved as .eml first.

    INPUT as for build (no INPUT: the folder seeds/); or --eml sends a saved message.
    """
    _configure_logging(verbose)
    with _reported_errors() as interrupts:
        if starttls and ssl:
            raise BriefingError("--starttls and --ssl exclude each other; give one")
        security = "starttls" if starttls else "ssl" if ssl else None
        settings = _mail_settings(mail_config, sender=sender, to=to, cc=cc, reply_to=reply_to,
                                  smtp=smtp, security=security, user=user, timeout=timeout)
        from .delivery.mail import (
            PASSWORD_ENV,
            Server,
            check_addressed,
            check_login,
            compose,
            read_message,
        )
        from .delivery.mail import send as send_message
        from .delivery.output import check_output

        server = Server.from_settings(settings)
        password = os.environ.get(PASSWORD_ENV)
        check_login(server, password)  # before the build, so a missing password fails fast
        if eml is not None and (to or cc or sender or reply_to):
            raise BriefingError(f"--eml {eml} is sent as saved, to its own recipients; "
                                "drop --to, --cc, --from and --reply-to")
        if eml is None:
            check_addressed(settings)  # a sender and recipients, before the build
        if eml is not None:
            message = read_message(eml)
            saved = eml
        else:
            if paper.lower() not in PAPERS:
                raise BriefingError(
                    f"--paper {paper!r} is not one of {', '.join(PAPERS)}; pick one")
            from .pipeline import (
                BuildOptions,
                build_brief,
                record_brief,
                render_output,
                write_output,
            )

            check_output(output)

            options = BuildOptions(themes=themes, model=model, title=title,
                                   date=_parse_date(date), paper=paper.lower(),
                                   **_desk_options(history, no_history=no_history,
                                                   repeat_old=repeat_old, pin=pin, drop=drop,
                                                   edits=edits))
            result = build_brief(_inputs(inputs, "send"), options)
            message = compose(result.brief, render_output(result, "pdf"), settings)
            interrupts.check()
            saved = write_output(message.as_bytes(), output) or output
            record_brief(result)  # saved, so it reaches its readers now or when sent again
            _keep_edits(result)
            _say(f"saved {saved}")
        accepted = send_message(message, server, password=password, saved=saved)
        _say(f"sent {saved} to {', '.join(accepted)} via {server.name}")


@app.command()
def inspect(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT", hidden=True)],
    model: Model = DEFAULT_MODEL,
    themes: Themes = None,
    verbose: Verbose = 0,
) -> None:
    """Show each article's lines as the tool sees them, kept or dropped and why, then
    its facts and the themes they match.

    Each INPUT is an article file, a folder of them, a feed or a URL, as for build;
    every article they hold is shown (each file of a folder, each entry of a feed).
    Given a brief written with --format json, list its lines with their ids (for
    --pin and --drop) and statuses, and the lines it left out.
    """
    _configure_logging(verbose)
    with _reported_errors():
        from .desk.briefs import describe_lines, looks_like_brief, read_brief
        from .inspect import describe_sources

        if len(inputs) == 1 and looks_like_brief(inputs[0]):
            for line in describe_lines(read_brief(inputs[0])):
                typer.echo(_one_line(line))
            return
        report = describe_sources(inputs, model=model, themes=themes)
        for line in report:
            typer.echo(_one_line(line))
        if report.failures:
            _say(f"briefing: {len(report.failures)} input(s) failed (named above); "
                 "the others are shown")
            raise typer.Exit(EXIT_SOME_INPUTS_FAILED)


# A brief of the history: its id (`briefing history` lists them) or its date with --title.
BriefId = Annotated[str, typer.Argument(metavar="BRIEF", hidden=True, show_default=False)]


@app.command("history")
def history_command(
    brief: Annotated[  # a brief's id or date: list its lines, with their ids and statuses
        str | None, typer.Argument(metavar="BRIEF", hidden=True, show_default=False)
    ] = None,
    history: HistoryFile = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT",
                                 help="Only the briefs of this desk (title).")
    ] = None,
    verbose: Verbose = 0,
) -> None:
    """List the briefs of the history (date, title, lines), or one brief's lines."""
    _configure_logging(verbose)
    with _reported_errors():
        from .desk.briefs import describe_lines
        from .desk.history import History

        with History(history or _history_path(), create=False) as store:
            if brief is not None:
                for line in describe_lines(store.load(_brief_id(store, brief, title)).brief):
                    typer.echo(_one_line(line))
                return
            summaries = store.briefs(title)
            if not summaries:
                typer.echo(f"{store.path}: no briefs" + (f" of the desk {title!r}" if title
                                                          else ""))
                return
            typer.echo(f"{'id':>5}  {'date':<10}  {'lines':>5}  {'new':>4}  {'upd':>4}  "
                       f"{'rep':>4}  {'src':>4}  title")
            for s in summaries:
                typer.echo(f"{s.id:>5}  {s.date.isoformat():<10}  {s.lines:>5}  {s.new:>4}  "
                           f"{s.updates:>4}  {s.not_repeated:>4}  {s.sources:>4}  {s.title}")
            typer.echo(f"({len(summaries)} briefs in {store.path}; upd: updates, rep: not "
                       "repeated, src: sources)")


@app.command()
def show(
    brief: BriefId,
    format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help=f"One of {', '.join(FORMATS)}.")
    ] = "pdf",
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="PATH",
                                 help="Output file, '-' for stdout "
                                 "[default: brief-DATE.FORMAT].")
    ] = None,
    history: HistoryFile = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="With a date: the desk (title).")
    ] = None,
    fragment: Annotated[
        bool, typer.Option("--fragment", help="html: a section to paste into a page.")
    ] = False,
    sender: Sender = None,
    to: To = None,
    mail_config: MailConfig = None,
    verbose: Verbose = 0,
) -> None:
    """Render a past brief of the history exactly as it was."""
    _configure_logging(verbose)
    with _reported_errors():
        fmt = format.lower()
        if fmt not in FORMATS:
            raise BriefingError(f"--format {format!r} is not one of {', '.join(FORMATS)}; "
                                "pick one")
        from .desk.history import History
        from .pipeline import render_stored, write_output

        with History(history or _history_path(), create=False) as store:
            stored = store.load(_brief_id(store, brief, title))
        mail = (_mail_settings(mail_config, sender=sender, to=to) if fmt == "eml" else None)
        data = render_stored(stored.brief, fmt, fragment=fragment, mail=mail)
        target = write_output(data, output or f"brief-{stored.brief.date.isoformat()}.{fmt}")
        if target is not None:
            typer.echo(f"wrote {target} (brief {stored.id}: {stored.brief.title}, "
                       f"{stored.brief.date.isoformat()}, built {stored.built:%Y-%m-%d %H:%M} "
                       "UTC)", err=True)


@app.command()
def verify(
    brief: Annotated[  # a brief written with --format json, or a brief of the history (its id)
        str, typer.Argument(metavar="BRIEF", hidden=True, show_default=False)
    ],
    archive: Annotated[
        Path | None, typer.Option("--archive", metavar="DIR",
                                  help="Check against the texts of this --archive folder.")
    ] = None,
    fetch: Annotated[
        bool, typer.Option("--fetch", help="Check against the live pages, fetched again.")
    ] = False,
    history: HistoryFile = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="With a date: the desk (title).")
    ] = None,
    verbose: Verbose = 0,
) -> None:
    """Check every citation again: verified, changed at source, or gone, line by line.

    Against the source texts kept with the brief (the JSON's, or the history's), an
    --archive folder, or the live pages (--fetch). Exit code 1 when any line fails."""
    _configure_logging(verbose)
    with _reported_errors():
        from .desk.briefs import read_brief
        from .desk.verify import archive_texts, fetched_texts, stored_texts, verify_brief

        if archive is not None and fetch:
            raise BriefingError("--archive and --fetch exclude each other; give one")
        if Path(brief).is_file() or not _is_brief_ref(brief):
            subject = read_brief(brief)
        else:
            from .desk.history import History

            with History(history or _history_path(), create=False) as store:
                subject = store.load(_brief_id(store, brief, title)).brief
        if archive is not None:
            texts, against = archive_texts(archive), f"the archive {archive}"
        elif fetch:
            texts, against = fetched_texts(), "the live pages"
        else:
            texts, against = stored_texts(), "the stored texts"
        result = verify_brief(subject, texts, against=against)
        for line in result.lines:
            marks = "".join(f"[{n}]" for n in line.sources)
            text = " ".join(line.text.split())
            text = text if len(text) <= 70 else text[:69] + "…"
            typer.echo(f"{line.verdict:<17}  {line.id or '-':<10}  {text} {marks}")
            for detail in line.details:
                typer.echo(f"{'':<19}  {detail}")
        counts = result.counts()
        typer.echo(f"{len(result.lines)} lines against {against}: "
                   + ", ".join(f"{n} {verdict}" for verdict, n in counts.items()), err=True)
        if not result.ok:
            raise typer.Exit(1)


def _history_path() -> Path:
    from .desk.history import default_history_path

    return default_history_path()


def _is_brief_ref(value: str) -> bool:
    return value.isdigit() or _parse_day(value) is not None


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _brief_id(store: History, value: str, title: str | None) -> int:
    """The history id a brief argument names: an id, or a date of the desk *title*."""
    if value.isdigit():
        return int(value)
    day = _parse_day(value)
    if day is None:
        raise BriefingError(f"{value!r} is not a brief's id or date; give an id from "
                            "`briefing history`, or a date YYYY-MM-DD")
    found = store.find(title or DEFAULT_TITLE, day)
    if found is None:
        raise BriefingError(f"no brief of {title or DEFAULT_TITLE!r} on {day.isoformat()} in "
                            f"{store.path}; `briefing history` lists them")
    return found


@app.command("serve")
def serve_command(
    inputs: Inputs = None,
    host: Annotated[
        str, typer.Option("--host", metavar="ADDRESS",
                          help="Address to listen on; 0.0.0.0 for every "
                          "interface (put a reverse proxy in front).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", parser=_port,
                                      help="TCP port; 0 picks a free one.")] = 8080,
    every: Every = None,
    themes: Themes = None,
    title: Title = DEFAULT_TITLE,
    paper: Paper = "a4",
    model: Model = DEFAULT_MODEL,
    offline: Annotated[
        bool, typer.Option("--offline", help="Fetch nothing: every URL input fails.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE",
                                 help="Feed entries published on or after this "
                                 "date, YYYY-MM-DD or YYYY-MM-DDTHH:MM.")
    ] = None,
    max_items: Annotated[
        int | None, typer.Option("--max-items", metavar="N", parser=_whole_number,
                                 help="At most N entries of each feed.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", parser=_whole_number,
                                      help="Worker processes.")] = 1,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Cache no facts.")] = False,
    cache_dir: CacheDir = None,
    history: HistoryFile = None,
    no_history: NoHistory = False,
    repeat_old: RepeatOld = False,
    pin: Pins = None,
    drop: Drops = None,
    edits: EditsFile = None,
    verbose: Verbose = 0,
) -> None:
    """Serve the desk's latest brief over HTTP (page, PDF, JSON, fragment, past briefs),
    read-only; with --every, build it again at that interval."""
    _configure_logging(verbose)
    with _reported_errors():
        if paper.lower() not in PAPERS:
            raise BriefingError(f"--paper {paper!r} is not one of {', '.join(PAPERS)}; pick one")
        interval = _parse_every(every)
        from .pipeline import BuildOptions
        from .serve import Desk, open_socket, serve

        options = BuildOptions(
            themes=themes, model=model, title=title, paper=paper.lower(), offline=offline,
            since=_parse_since(since), max_items=max_items, jobs=jobs, cache=not no_cache,
            cache_dir=cache_dir,
            **_desk_options(history, no_history=no_history, repeat_old=repeat_old, pin=pin,
                            drop=drop, edits=edits),
        )
        desk = Desk(_inputs(inputs, "serve"), options)
        sock = open_socket(host, port)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            served = logging.getLogger(name)
            served.handlers[:] = logger.handlers
            served.setLevel(logging.INFO if verbose else logging.WARNING)
            served.propagate = False
        with contextlib.ExitStack() as stack:
            pool = None
            if interval is not None:
                from .facts.extraction import ParserPool

                pool = stack.enter_context(ParserPool(model, jobs=jobs))
            try:
                edition = desk.build(pool)
            except BriefingError as error:
                restored = desk.restore()
                if restored is None:
                    raise
                edition = restored
                logger.error("the first build failed: %s; serving the last brief of the "
                             "history (%s) until a rebuild works", error, edition.brief.date)
            bound_host, bound_port = sock.getsockname()[:2]
            shown = f"[{bound_host}]" if ":" in bound_host else bound_host
            typer.echo(f"briefing: serving {desk.title!r} ({edition.brief.date.isoformat()}, "
                       f"{len(edition.brief.items)} lines) at http://{shown}:{bound_port}/"
                       + (f"; building again every {_describe(interval)}" if interval else "")
                       + "; Ctrl-C stops", err=True)
            # uvicorn stops on SIGINT or SIGTERM, then raises the signal again: as
            # Ctrl-C, it ends here, and the command with exit code 0, as a watch does
            signal.signal(signal.SIGTERM, _interrupt)
            with contextlib.suppress(KeyboardInterrupt):
                serve(desk, sock, every=interval, pool=pool, access_log=verbose > 0)
        typer.echo("briefing: stopped serving", err=True)


def _describe(seconds: float) -> str:
    from .watch import describe_interval

    return describe_interval(seconds)


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
            typer.echo(_one_line(f"fact cache {folder}: {cache_usage(folder)}"))
            return
        # More days than a timedelta holds (2.7 million years) delete nothing, as asked.
        age = None if older_than is None else dt.timedelta(
            days=min(older_than, dt.timedelta.max.days))
        removed = prune_cache(folder, older_than=age)
        typer.echo(_one_line(f"removed {removed} from the fact cache {folder}; "
                             f"{cache_usage(folder)} left"))


def _desk_options(history: Path | None, *, no_history: bool, repeat_old: bool = False,
                  pin: list[str] | None = None, drop: list[str] | None = None,
                  edits: Path | None = None) -> dict[str, Any]:
    """The BuildOptions of the desk: the history file (None with --no-history), the
    pins, drops and edits file."""
    from .desk.history import default_history_path

    return {
        "history": None if no_history else (history or default_history_path()),
        "repeat_old": repeat_old,
        "pins": frozenset(pin or ()),
        "drops": frozenset(drop or ()),
        "edits": edits,
    }


def _keep_edits(build: Build) -> None:
    """With --edits, add the build's --pin and --drop to the edits file, and move a
    pin to its line's new id when the line was updated."""
    from .desk.edits import keep_edits
    from .desk.news import Choices

    options = build.options
    if options is None or options.edits is None:
        return
    kept = keep_edits(options.edits, Choices(pins=options.pins, drops=options.drops),
                      build.brief)
    if kept is not None:
        typer.echo(f"kept {len(kept.pins)} pinned and {len(kept.drops)} dropped lines in "
                   f"{options.edits}", err=True)


def _since(brief: Brief) -> str:
    """The since line, to follow "wrote ...": "since the brief of 27 May: 9 new, ..."."""
    from .brief.render import since_line

    line = since_line(brief)
    return line[:1].lower() + line[1:].rstrip(".")


def _parse_every(value: str | None) -> float | None:
    if value is None:
        return None
    from .watch import parse_interval

    return parse_interval(value, option="--every")


EXPLAINED = 10  # lines --explain prints: the best that lost; the JSON's left_out has them all


def explain_left_out(brief: Brief, count: int = EXPLAINED) -> list[str]:
    """The best lines left out of *brief*, each with its score, theme, sources and why."""
    from .brief.render import left_out

    lost = left_out(brief)
    if not lost:
        return ["briefing: no line was left out"]
    lines = [f"briefing: {len(lost)} lines left out; the best {min(count, len(lost))}:"]
    for why, item in lost[:count]:
        sources = "".join(f"[{c.source_id}]" for c in item.citations)
        words = item.text.split()
        text = " ".join(words[:14]) + (" ..." if len(words) > 14 else "")
        lines.append(f"  {item.score:6.2f}  {item.theme}  {text} {sources}: {why}")
    return lines


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


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


def _inputs(given: list[str] | None, command: str) -> list[str]:
    """The inputs as given; none: the default folder, which must then be here."""
    if given:
        return list(given)
    if not Path(DEFAULT_INPUT).is_dir():
        raise BriefingError(
            f"no INPUT given, and the default folder {DEFAULT_INPUT}/ is not in "
            f"{Path.cwd()}; name the articles: briefing {command} FOLDER_OR_FILE ..."
        )
    return [DEFAULT_INPUT]


_DAY_SHAPE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


def _impossible_day(value: str) -> str | None:
    """Why *value*, shaped YYYY-MM-DD..., names no day of the calendar (None: it does)."""
    shape = _DAY_SHAPE.match(value)
    if shape is None:
        return None
    year, month, day = (int(part) for part in shape.groups())
    if year < 1:
        return f"there is no year {year}"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return None


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        why = _impossible_day(value)
        if why is not None:
            raise BriefingError(f"--date {value!r} is an impossible date ({why}); "
                                "give a real day as YYYY-MM-DD") from None
        raise BriefingError(f"--date {value!r} is not a date; use YYYY-MM-DD") from None


def _parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        why = _impossible_day(value)
        if why is not None:
            raise BriefingError(f"--since {value!r} is an impossible date ({why}); "
                                "give a real day as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
        raise BriefingError(
            f"--since {value!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class _reported_errors:
    """Turn a BriefingError into one line on stderr and a non-zero exit.

    Ctrl-C is noted as well as raised: Python drops an exception raised inside a
    finalizer (``__del__``), and a Ctrl-C that lands in one would let the command
    run on. ``check()`` raises it again before an output is written, and a command
    that ends any other way after one is reported as interrupted.
    """

    def __enter__(self) -> _reported_errors:
        self.interrupted = False
        self._previous: Any = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_interrupt)
        self._unraisable = sys.unraisablehook
        sys.unraisablehook = self._on_unraisable
        return self

    def _on_interrupt(self, _signal: int, _frame: object) -> None:
        self.interrupted = True
        raise KeyboardInterrupt

    def _on_unraisable(self, unraisable: Any) -> None:
        # Python prints "Exception ignored in ... __del__" with a traceback for a
        # Ctrl-C that lands in a finalizer; it is noted, and reported as one line
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            self.interrupted = True
        else:
            self._unraisable(unraisable)

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C came, even if a finalizer swallowed it."""
        if self.interrupted:
            raise KeyboardInterrupt

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 _tb: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        sys.unraisablehook = self._unraisable
        if self.interrupted and not isinstance(error, typer.Exit | click.exceptions.Exit):
            error = KeyboardInterrupt()  # whatever came after it: the user asked to stop
        if isinstance(error, BriefingError):
            _say(f"briefing: error: {error}")
            raise typer.Exit(error.exit_code)
        if isinstance(error, BrokenPipeError):  # `briefing inspect x | head`: not an error
            sys.stderr.close()
            raise typer.Exit(0)
        if isinstance(error, KeyboardInterrupt):
            _say("briefing: interrupted; no output written")
            raise typer.Exit(130)
        expected = typer.Exit | click.ClickException
        if isinstance(error, Exception) and not isinstance(error, expected):
            if logger.isEnabledFor(logging.DEBUG):
                return None  # -vv: let the traceback through for a bug report
            _say(
                f"briefing: internal error: {type(error).__name__}: {error}; no output written. "
                "Run again with -vv for details and please report it",
            )
            raise typer.Exit(70)  # EX_SOFTWARE
        return None


def _say(text: str) -> None:
    """One line on standard error."""
    typer.echo(_one_line(text), err=True)


# What would break a message's one line or change how it reads: line breaks and other
# controls, line separators and bidi overrides (a path may hold any of them).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _one_line(text: str) -> str:
    """*text* with each control or bidi character written as an escape ("\\n", "\\u202e")."""
    return _UNPRINTABLE.sub(lambda found: _ESCAPES.get(found.group()) or (
        f"\\x{ord(found.group()):02x}" if ord(found.group()) < 0x100
        else f"\\u{ord(found.group()):04x}"), text)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _one_line(f"briefing: {record.levelname.lower()}: {record.getMessage()}")


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
