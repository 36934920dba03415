"""Hostile input and faults (issue 15), case by case, through the real command line.

Each case runs ``python -m briefing`` in a process of its own against real special
files made in a temporary folder (a FIFO, device nodes made with mknod, never the
system's own), real servers on 127.0.0.1 that trickle, hang or lie (HTTP and
SMTP), and tampered files. Each asserts the exit code, the one line on stderr
that says what went wrong (or the brief written), no traceback, and a time
bound. The cases run side by side (they mostly wait: on a deadline, a server),
so the table costs seconds, not minutes. Fetch and send deadlines are 2 s here.
"""

from __future__ import annotations

import base64
import concurrent.futures
import functools
import gzip
import json
import os
import pickle
import re
import shutil
import signal
import socket
import socketserver
import stat
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from processes import HAS_PROC, children, gone

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_66d5f61bff40c495.txt"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0  # mknod of a device needs root
DEADLINE = 2.0  # seconds: the fetch and send deadlines of these cases
# An invented article, in a wire service's style (no third-party text in the tests).
ARTICLE = """\
Harbour workers in Valdemar ended a three-day strike on Tuesday after the port authority \
agreed to raise night-shift pay by 12 percent, union leaders said.

The agreement, signed late on Monday, covers about 4,000 dock workers and runs until the \
end of next year, according to a statement from the Valdemar Port Authority.

"We did not want to close the port, but we could not go on working nights for the same \
money," said Mira Castell, head of the dockers' union, speaking to reporters outside the \
authority's offices.

Shipping companies had diverted at least 30 container vessels to other ports during the \
stoppage, the authority said.

Transport Minister Olek Brandt welcomed the deal and said the government would review \
safety rules at all major ports by June.
"""
# The CLI with the fetch deadline at DEADLINE instead of 20 s (FetchLimits' default).
QUICK_FETCH = (
    "import sys; from briefing.models import FetchLimits; from briefing.sources import inputs; "
    f"inputs.FetchLimits = lambda: FetchLimits(timeout={DEADLINE}); "
    "from briefing.cli import main; sys.argv[0] = 'briefing'; main()"
)


# -- real servers that trickle, hang or lie ------------------------------------------------


def _gzip_zeros(size: int) -> bytes:
    """A valid gzip stream of *size* zero bytes, made in milliseconds: full-flushed deflate
    blocks of one MiB are all alike, so one is compressed and repeated."""
    block = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    body = first + again * (size // len(block) - 2) + deflate.compress(block) + deflate.flush()
    crc = 0
    for _ in range(size // len(block)):
        crc = zlib.crc32(block, crc)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body
            + struct.pack("<II", crc, size & 0xFFFFFFFF))


BOMB = 512 * 2**20  # decoded size of the bombs: 512 MiB from a few KB
PAGE = ("<html><head><title>Dockers end strike</title>"
        "<meta property='og:site_name' content='Harbour Wire'></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")) + "</article></body></html>")
LOGIN = "Basic " + base64.b64encode(b"desk:hunter2").decode()


class _HTTP(socketserver.BaseRequestHandler):
    """Answers from a raw socket, so it can misbehave as no well-behaved server would."""

    bombs: dict[str, tuple[bytes, bytes]] = {}

    def handle(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            request += chunk
        head = request.decode("latin-1")
        path = head.split(" ")[1]
        try:
            if path == "/login.html":  # only with the URL's credentials, as basic auth
                if f"authorization: {LOGIN}".lower() in head.lower():
                    self._answer(b"200 OK", PAGE.encode())
                else:
                    self._answer(b"401 Unauthorized", b"", b"WWW-Authenticate: Basic\r\n")
            elif path == "/trickle-headers":  # a header byte every 0.2 s, for ever
                self.request.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while True:
                    self.request.sendall(b"a")
                    time.sleep(0.2)
            elif path == "/trickle-chunked":  # a one-byte chunk every 0.2 s, for ever
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                     b"Transfer-Encoding: chunked\r\n\r\n")
                while True:
                    self.request.sendall(b"1\r\na\r\n")
                    time.sleep(0.2)
            elif path in self.bombs:
                encoding, body = self.bombs[path]
                self._answer(b"200 OK", body, b"Content-Encoding: " + encoding + b"\r\n")
            else:
                self._answer(b"404 Not Found", b"")
        except OSError:  # the client gave up, as it should
            pass

    def _answer(self, status: bytes, body: bytes, extra: bytes = b"") -> None:
        self.request.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\n"
                             + extra + b"Content-Length: " + str(len(body)).encode()
                             + b"\r\nConnection: close\r\n\r\n" + body)


class _DripSMTP(socketserver.BaseRequestHandler):
    """Greets, then drips its reply to EHLO a byte every 0.2 s: never a silent 2 s."""

    def handle(self) -> None:
        try:
            self.request.sendall(b"220 drip.example ESMTP\r\n")
            self.request.recv(1024)
            self.request.sendall(b"250-drip.example")
            while True:
                self.request.sendall(b"x")
                time.sleep(0.2)
        except OSError:
            pass


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, int]]:
    _HTTP.bombs = {
        "/gzip-gzip": (b"gzip, gzip", gzip.compress(_gzip_zeros(BOMB))),
        "/br": (b"br", _brotli_zeros(BOMB)),
    }
    from aiosmtpd.controller import Controller

    ascii_only = Controller(_Accept(), hostname="127.0.0.1", port=_free_port(),
                            enable_SMTPUTF8=False)  # a server of ASCII addresses only
    ascii_only.start()
    running = [_Server(("127.0.0.1", 0), handler) for handler in (_HTTP, _DripSMTP)]
    for server in running:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {"http": running[0].server_address[1], "drip": running[1].server_address[1],
               "ascii": ascii_only.port}
    finally:
        for server in running:
            server.shutdown()
            server.server_close()
        ascii_only.stop()


def _brotli_zeros(size: int) -> bytes:
    import brotli

    compressor = brotli.Compressor(quality=1)
    block = bytes(1 << 20)
    return b"".join(compressor.process(block) for _ in range(size >> 20)) + compressor.finish()


class _Accept:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- running a case ---------------------------------------------------------------------


@dataclass
class Outcome:
    code: int | None  # None: still running at the bound, killed
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # largest resident size of the main process (not its workers), if known
    most_children: int = 0


@dataclass
class Run:
    """One command: its arguments, where standard output goes, and how it is started."""

    args: list[str]
    stdout: Path | None = None
    quick_fetch: bool = False  # the fetch deadline at DEADLINE
    count_children: bool = False
    # In this process (typer's CliRunner), not a new one: its workers fork from a process
    # that has spaCy and the model loaded already, which saves seconds a build. Only for
    # cases that cannot hang however they fail.
    inline: bool = False


def _run(run: Run, folder: Path, bound: float) -> Outcome:
    if run.inline:
        return _run_inline(run)
    return _run_process(run, folder, bound)


def _run_inline(run: Run) -> Outcome:
    from typer.testing import CliRunner

    from briefing.cli import app

    started = time.monotonic()
    result = CliRunner().invoke(app, run.args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback, in full
    return Outcome(result.exit_code, result.stdout, result.stderr, time.monotonic() - started,
                   0.0)


def _run_process(run: Run, folder: Path, bound: float) -> Outcome:
    command = ([sys.executable, "-c", QUICK_FETCH] if run.quick_fetch
               else [sys.executable, "-m", "briefing"]) + run.args
    out_path = run.stdout or folder / "stdout"
    err_path = folder / "stderr"
    started = time.monotonic()
    most, peak = 0, 0.0
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   cwd=folder, start_new_session=True)
        while True:
            pid, status = os.waitpid(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > bound:
                os.killpg(process.pid, signal.SIGKILL)  # our own process group
                os.waitpid(process.pid, 0)
                status = -1
                break
            if run.count_children and HAS_PROC:
                most = max(most, len(children(process.pid)))
            peak = max(peak, _high_water_mb(process.pid))
            time.sleep(0.02)
    process.returncode = 0  # reaped here; Popen must not wait again
    return Outcome(None if status == -1 else os.waitstatus_to_exitcode(status),
                   "" if run.stdout else _text(out_path), _text(err_path),
                   time.monotonic() - started, peak, most)


def _high_water_mb(pid: int) -> float:
    """The largest resident size process *pid* has had so far (Linux), in MB; 0 if unknown.
    Its own, not its workers' (they start loading spaCy early, whatever the input)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def _cli(*args: str) -> None:
    """A command run in this process that must succeed: a case's preparation."""
    from typer.testing import CliRunner

    from briefing.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.stderr


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


# -- the cases -------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    make: Callable[[Path, dict[str, int]], Run]  # writes the hostile input, gives the command
    code: int
    line: str  # a regular expression one stderr line matches in full
    bound: float = 30.0  # seconds: a hang or an unbounded read would pass it
    lines: int = 1  # how many lines stderr has
    check: Callable[[Path, Outcome], None] | None = None  # what else must hold afterwards
    needs_root: bool = False
    stream: str = "stderr"  # where the line is: "stdout" for commands that report there
    inline: bool = False  # run in this process (see Run.inline): for cases that cannot hang


def _article(folder: Path, name: str = "story.txt", text: str = ARTICLE, **meta: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    sidecar = {"outlet": "Harbour Wire", **meta}
    lines = [f"{key} = {json.dumps(value)}" for key, value in sidecar.items()]
    (folder / name).with_suffix(".toml").write_text(
        "\n".join(lines) + "\npublished = 2025-06-03\n", encoding="utf-8")
    return folder / name


def _fifo(folder: Path, name: str) -> str:
    os.mkfifo(folder / name)
    return str(folder / name)


def _device(folder: Path, name: str, minor: int) -> str:
    """A character device node of the memory driver (1, minor) made here, in *folder*:
    5 reads zeros for ever, 7 is always full."""
    os.mknod(folder / name, 0o600 | stat.S_IFCHR, os.makedev(1, minor))
    return str(folder / name)


def _build(folder: Path, *inputs: str, fmt: str = "json", out: str = "b",
           flags: tuple[str, ...] = (), **more: str) -> Run:
    """A build of *inputs*; each of *more* is an option and its value, each of *flags* an
    option alone."""
    extra = [item for key, value in more.items() for item in (f"--{key.replace('_', '-')}",
                                                            value)]
    target = str(folder / f"{out}.{fmt}") if out != "-" else "-"
    return Run(["build", *inputs, "-f", fmt, "-o", target, "--date", "2025-06-04", *extra,
                *flags])


def _front(folder: Path, block: str, fence: str = "---", name: str = "story.md") -> str:
    (folder / name).write_text(f"{fence}\n{block}\n{fence}\n{ARTICLE}", encoding="utf-8")
    return str(folder / name)


def _themes(folder: Path, pattern: str, weight: str = "1") -> str:
    (folder / "themes.toml").write_text(
        f'[[theme]]\nkey = "port"\ntitle = "Port"\n'
        f"patterns = [{{pattern = {pattern}, weight = {weight}}}]\n", encoding="utf-8")
    return str(folder / "themes.toml")


def _json(folder: Path, name: str = "b.json") -> dict:
    return json.loads((folder / name).read_text(encoding="utf-8"))


class _Tampered:
    """A pickle that runs code when loaded: what a tampered cache entry may hold."""

    marker: Path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _tampered_cache(folder: Path, servers: dict[str, int]) -> Run:
    cache = folder / "cache"
    _cli("build", str(SEEDS), "-f", "json", "-o", str(folder / "a.json"), "--cache-dir",
         str(cache))
    _Tampered.marker = folder / "code-ran"
    for entry in (cache / "facts").glob("*/*.json"):
        header = b"".join(entry.read_bytes().splitlines(keepends=True)[:2])
        entry.write_bytes(header + pickle.dumps(_Tampered()))  # where JSON belongs
        old = entry.with_suffix(".pickle")  # and an entry of the old, pickled format
        old.write_bytes(b"briefing-facts/1\n" + entry.stem.encode() + b"\n"
                        + pickle.dumps(_Tampered()))
    return Run(["build", str(SEEDS), "-f", "json", "-o", str(folder / "b.json"),
                "--cache-dir", str(cache)])


def _no_code_ran(folder: Path, outcome: Outcome) -> None:
    assert not (folder / "code-ran").exists()
    assert outcome.stderr.count("is damaged; parsing again and rewriting it") == 2


def _no_secret(folder: Path, outcome: Outcome) -> None:
    brief = (folder / "b.json").read_text(encoding="utf-8")
    assert "hunter2" not in brief and "hunter2" not in outcome.stderr
    assert _json(folder)["sources"][0]["path"].startswith("http://127.0.0.1:")
    assert "Valdemar" in brief  # fetched with the credentials: the page needs them


def _still(kind: Callable[[int], bool], name: str) -> Callable[[Path, Outcome], None]:
    def check(folder: Path, _outcome: Outcome) -> None:
        assert kind(os.lstat(folder / name).st_mode), f"{name} was replaced"
    return check


def _through_the_link(folder: Path, _outcome: Outcome) -> None:
    assert (folder / "link.json").is_symlink()
    assert _json(folder, "target.json")["schema"] == "briefing/1"


def _plain_metadata(folder: Path, _outcome: Outcome) -> None:
    source = _json(folder)["sources"][0]
    assert (source["outlet"], source["title"]) == ("Harbour Wire", "Dockers end strike")


def _dated(day: str) -> Callable[[Path, Outcome], None]:
    def check(folder: Path, _outcome: Outcome) -> None:
        assert _json(folder)["sources"][0]["published"] == day
    return check


def _in_utf8(folder: Path, _outcome: Outcome) -> None:
    text = _json(folder)["sources"][0]["text"]
    assert text.count("\ufffd") == 1 and "“We did" in text and "Cas\ufffdtell" in text


def _bounded_memory(folder: Path, outcome: Outcome) -> None:
    # A 512 MiB bomb decoded whole took 1.5 GB and more; in pieces, what importing takes.
    assert outcome.peak_mb < 200, f"{outcome.peak_mb:.0f} MB to refuse a bomb"


def _idna(folder: Path, _outcome: Outcome) -> None:
    message = (folder / "b.eml").read_bytes()
    assert b"From: desk@xn--exmple-cua.org" in message


def _smtputf8(folder: Path, _outcome: Outcome) -> None:
    assert "To: jö@example.org".encode() in (folder / "b.eml").read_bytes()


def _saved_eml(folder: Path) -> str:
    message = (b"From: desk@example.org\r\nTo: a@example.org\r\nSubject: Brief\r\n\r\nHello.\r\n")
    (folder / "saved.eml").write_bytes(message)
    return str(folder / "saved.eml")


def _at_most_the_cores(folder: Path, outcome: Outcome) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # the workers, and multiprocessing's resource tracker
    assert 0 < outcome.most_children <= (cores or 1) + 1


def _long_text(folder: Path, servers: dict[str, int]) -> Run:
    """Over 1,000,000 characters in one paragraph (a transcript without breaks): cheap to
    parse, as runs of spaces are single tokens, but over spaCy's limit (E088) unsplit."""
    padding = " " * 40_000
    sentence = "The port authority said the night shift would be paid more from June."
    paragraph = padding.join([sentence] * 26)
    text = ARTICLE + "\n" + paragraph + "\n"
    assert len(paragraph) > 1_000_000
    return _build(folder, str(_article(folder / "in", text=text)))


def _long_text_cited(folder: Path, _outcome: Outcome) -> None:
    brief = _json(folder)
    text = brief["sources"][0]["text"]
    citations = [c for theme in brief["themes"] for item in theme["items"]
                 for c in item["citations"]]
    assert citations and all(text[c["start"]:c["end"]] == c["quote"] for c in citations)


def _archived(outlet: str = "Harbour Wire", name: str = "story.txt") -> Callable[
        [Path, dict[str, int]], Run]:
    def make(folder: Path, servers: dict[str, int]) -> Run:
        story = _article(folder / "in", name=name, outlet=outlet)
        _cli("build", str(story), "-f", "json", "-o", str(folder / "a.json"), "--archive",
             str(folder / "archive"))
        return _build(folder, str(folder / "archive"), flags=("--offline",))
    return make


def _same_as_archived(folder: Path, _outcome: Outcome) -> None:
    first, again = _json(folder, "a.json"), _json(folder)
    assert first["themes"] == again["themes"]


def _symlink(folder: Path, servers: dict[str, int]) -> Run:
    (folder / "target.json").write_text("old", encoding="utf-8")
    (folder / "link.json").symlink_to("target.json")
    return _build(folder, str(SEEDS), out="link")


def _sparse(folder: Path, servers: dict[str, int]) -> Run:
    os.truncate(_article(folder, "big.txt"), 2 * 10**9)  # holes: no disk used
    return _build(folder, str(folder / "big.txt"))


def _folder_with_bad_file(folder: Path, servers: dict[str, int]) -> Run:
    shutil.copytree(SEEDS, folder / "in")
    _front(folder / "in", "published: 2025-02-30", name="zz.md")
    return _build(folder, str(folder / "in"))


def _damaged_utf8(folder: Path, servers: dict[str, int]) -> Run:
    """UTF-8 (curly quotes) with one byte that is not: a cut, a paste gone wrong."""
    story = _article(folder / "in")
    text = ARTICLE.replace('"We did', "“We did").replace('money,"', "money,”")
    story.write_bytes(text.encode("utf-8").replace(b"Castell", b"Cas\xfftell", 1))
    return _build(folder, str(story))


def _nothing_saved(folder: Path, _outcome: Outcome) -> None:
    assert not (folder / "b.eml").exists(), "built and saved before refusing the timeout"


Inline = functools.partial(Case, inline=True)  # a case run in this process (Run.inline)

WROTE = r"wrote \S+ \(\d+ lines? in \d+ sections? from \d+ sources?(; \d+ lines left out to " \
        r"fit one page)?\)"
# Warnings about what a brief is made of, not about the hostile input: not counted
ASIDE = re.compile(r"briefing: warning: .*(matched no sentence|without a publication date)")

CASES = [
    # -- security
    Inline("cache entry that runs code", _tampered_cache, 0, WROTE, lines=3, check=_no_code_ran),
    Inline("URL with credentials",
         lambda d, s: _build(d, f"http://desk:hunter2@127.0.0.1:{s['http']}/login.html"),
         0, WROTE, check=_no_secret),
    Inline("URL with credentials, failing",
         lambda d, s: _build(d, f"http://desk:hunter2@127.0.0.1:{s['http']}/gone"), 1,
         r"briefing: error: http://127\.0\.0\.1:\d+/gone: HTTP 404 Not Found; check the "
         "address"),
    Case("--output a device node",
         lambda d, s: Run(["build", str(SEEDS), "-o", _device(d, "full", 7)]), 1,
         r"briefing: error: \S+/full: is a character device, not a regular file; give a file "
         "name, or --output - to write to standard output", bound=10,
         check=_still(stat.S_ISCHR, "full"), needs_root=True),
    Case("--output a FIFO", lambda d, s: Run(["build", str(SEEDS), "-o", _fifo(d, "fifo")]), 1,
         r"briefing: error: \S+/fifo: is a FIFO \(named pipe\), not a regular file; give a "
         "file name, or --output - to write to standard output", bound=10,
         check=_still(stat.S_ISFIFO, "fifo")),
    Inline("--output a symlink", _symlink, 0, WROTE, check=_through_the_link),
    Inline("bidi override and controls in metadata",
         lambda d, s: _build(d, str(_article(d / "in", outlet="Harbour \u202eWire",
                                             title="Dockers\x07 end \u202dstrike"))),
         0, WROTE, check=_plain_metadata),
    Inline("control character in --title",
         lambda d, s: _build(d, str(SEEDS), fmt="eml", title="Brief\x07 \u202eevil",
                             **{"from": "desk@example.org"}), 1,
         r"briefing: error: title holds U\+0007, a control or bidi-override character, not "
         "text; remove it from --title"),
    # -- hangs and unbounded reads
    Case("input a FIFO", lambda d, s: _build(d, _fifo(d, "story.txt")), 1,
         r"briefing: error: \S+/story\.txt: is a FIFO \(named pipe\), not a regular file; give "
         "a file saved on disk", bound=10),
    Case("input a device of endless zeros", lambda d, s: _build(d, _device(d, "zero.txt", 5)),
         1, r"briefing: error: \S+/zero\.txt: is a character device, not a regular file; give "
         "a file saved on disk", bound=10, needs_root=True),
    Case("input a 2 GB sparse file", _sparse, 1,
         r"briefing: error: \S+/big\.txt: is 2\.0 GB, larger than an input file may be "
         r"\(32 MiB; see docs/limits\.md\); give a smaller file", bound=10),
    Case("--themes a FIFO", lambda d, s: _build(d, str(SEEDS), themes=_fifo(d, "t.toml")), 1,
         r"briefing: error: \S+/t\.toml: is a FIFO \(named pipe\), not a regular file; give a "
         "file saved on disk", bound=10),
    Case("--mail-config a FIFO",
         lambda d, s: _build(d, str(SEEDS), fmt="eml", mail_config=_fifo(d, "m.toml")), 1,
         r"briefing: error: \S+/m\.toml: is a FIFO \(named pipe\), not a regular file; give a "
         "file saved on disk", bound=10),
    Case("send --eml a FIFO",
         lambda d, s: Run(["send", "--eml", _fifo(d, "m.eml"), "--smtp", "127.0.0.1:1"]), 1,
         r"briefing: error: \S+/m\.eml: is a FIFO \(named pipe\), not a regular file; give a "
         "file saved on disk", bound=10),
    Case("inspect a FIFO", lambda d, s: Run(["inspect", _fifo(d, "story.txt")]), 1,
         r"briefing: error: \S+/story\.txt: is a FIFO \(named pipe\), not a regular file; give "
         "a file saved on disk", bound=10),
    Case("YAML alias bomb in a front-matter key",
         lambda d, s: _build(d, _front(d, 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
                                      + "\n".join(f"{k}: &{k} [" + ",".join([f"*{j}"] * 9)
                                                  + "]" for j, k in zip("abcdefgh",
                                                                        "bcdefghi",
                                                                        strict=True))
                                      + "\ntitle: *i")), 1,
         r"briefing: error: \S+/story\.md front matter: title must be a string, not a list",
         bound=10),
    Case("gzip, gzip bomb",
         lambda d, s: _build(d, f"http://127.0.0.1:{s['http']}/gzip-gzip"), 1,
         r"briefing: error: http://127\.0\.0\.1:\d+/gzip-gzip: larger than 10 MiB; not an "
         "article page, or save the article's text and give the file", bound=15,
         check=_bounded_memory),
    Case("br bomb", lambda d, s: _build(d, f"http://127.0.0.1:{s['http']}/br"), 1,
         r"briefing: error: http://127\.0\.0\.1:\d+/br: larger than 10 MiB; not an article "
         "page, or save the article's text and give the file", bound=15,
         check=_bounded_memory),
    Case("HTTP server trickling its headers",
         lambda d, s: Run(_build(d, f"http://127.0.0.1:{s['http']}/trickle-headers").args,
                          quick_fetch=True), 1,
         r"briefing: error: http://127\.0\.0\.1:\d+/trickle-headers: no complete answer "
         r"within 2 s \(timeout\); try again later, or save the page and give the file",
         bound=DEADLINE + 8),
    Case("HTTP server trickling a chunked body",
         lambda d, s: Run(_build(d, f"http://127.0.0.1:{s['http']}/trickle-chunked").args,
                          quick_fetch=True), 1,
         r"briefing: error: http://127\.0\.0\.1:\d+/trickle-chunked: no complete answer "
         r"within 2 s \(timeout\); try again later, or save the page and give the file",
         bound=DEADLINE + 8),
    Case("SMTP server dripping its replies",
         lambda d, s: Run(["send", "--eml", _saved_eml(d), "--smtp",
                           f"127.0.0.1:{s['drip']}", "--timeout", str(DEADLINE)]), 75,
         r"briefing: error: not sent: 127\.0\.0\.1:\d+ did not answer within 2s \(its replies "
         r"came too slowly, or not at all\); check host, port and firewall, or give a longer "
         r"--timeout; the message is saved in \S+saved\.eml, send it later with `briefing "
         r"send --eml \S+saved\.eml`", bound=DEADLINE + 8),
    Case("--jobs 500 for two articles",
         # --no-cache: the workers must parse, so they live long enough to be counted
         lambda d, s: Run(_build(d, str(SEEDS), jobs="500", flags=("--no-cache",)).args,
                          count_children=True), 0,
         r"briefing: warning: --jobs 500 is more than the \d+ core\(s\) here can run at once; "
         r"parsing in \d+ worker processes \(docs/limits\.md\)", lines=2,
         check=_at_most_the_cores),
    # -- internal errors, now a brief or one line
    Inline("a paragraph over 1,000,000 characters", _long_text, 0, WROTE, bound=60,
         check=_long_text_cited),
    Inline("front matter date 2025-02-30",
         lambda d, s: _build(d, _front(d, "published: 2025-02-30")), 1,
         r"briefing: error: \S+/story\.md front matter: published '2025-02-30' is not a date; "
         "write it as YYYY-MM-DD", bound=10),
    Inline("front matter date 2025-13-45",
         lambda d, s: _build(d, _front(d, "date: 2025-13-45")), 1,
         r"briefing: error: \S+/story\.md front matter: date '2025-13-45' is not a date; "
         "write it as YYYY-MM-DD", bound=10),
    Inline("front matter nested 5,000 deep",
         lambda d, s: _build(d, _front(d, "tags: " + "[" * 5000 + "]" * 5000)), 1,
         r"briefing: error: \S+/story\.md: front matter is not valid YAML \(nested more than "
         r"16 levels deep, deeper than metadata goes\); fix it or move the metadata to a "
         r"sidecar \.toml", bound=10),
    Inline("TOML front matter nested 5,000 deep",
         lambda d, s: _build(d, _front(d, "tags = " + "[" * 5000 + "]" * 5000, "+++")), 1,
         r"briefing: error: \S+/story\.md: front matter is not valid TOML \(nested more than "
         r"16 levels deep\); fix it or move the metadata to a sidecar \.toml", bound=10),
    Inline("a folder holding a bad front matter", _folder_with_bad_file, 3,
         r"briefing: warning: \S+/zz\.md front matter: published '2025-02-30' is not a "
         "date; write it as YYYY-MM-DD", lines=3),
    Inline("an internationalised domain",
         lambda d, s: _build(d, str(SEEDS), fmt="eml", to="analyst@example.org",
                             **{"from": "desk@exämple.org"}), 0,
         WROTE, check=_idna),
    Inline("a UTF-8 local part",
         lambda d, s: _build(d, str(SEEDS), fmt="eml", to="jö@example.org",
                             **{"from": "desk@example.org"}), 0, WROTE, check=_smtputf8),
    Inline("a UTF-8 local part to a server without SMTPUTF8",
         lambda d, s: Run(["send", "--eml", _international(d), "--smtp",
                           f"127.0.0.1:{s['ascii']}"]), 75,
         r"briefing: error: not sent: 127\.0\.0\.1:\d+ does not accept addresses that are not "
         r"ASCII \(no SMTPUTF8\); give the recipients' ASCII addresses; the message is saved "
         r"in \S+, send it later with `briefing send --eml \S+`"),
    *(Inline(f"send --timeout {value}",
           lambda d, s, value=value: Run(["send", str(SEEDS), "--smtp", "127.0.0.1:1",
                                          "--timeout", value, "--to", "a@example.org",
                                          "--from", "desk@example.org", "-o",
                                          str(d / "b.eml")]), 1,
           rf"briefing: error: timeout {shown} must be a number of seconds above 0 and at "
           "most 3600", bound=10, check=_nothing_saved)
      for value, shown in (("nan", "nan"), ("inf", "inf"), ("1e300", r"1e\+300"))),
    Inline("cache --older-than 99999999999",
         lambda d, s: Run(["cache", "--cache-dir", str(d), "--clear", "--older-than",
                           "99999999999"]), 0,
         r"removed 0 entries, 0\.0 MB from the fact cache \S+; 0 entries, 0\.0 MB left",
         lines=1, stream="stdout", bound=10),
    Case("standard output on a full device",
         lambda d, s: Run(_build(d, str(SEEDS), out="-").args, stdout=Path(_device(d, "full", 7))),
         1, r"briefing: error: standard output: cannot write \(No space left on device\); write "
         "to a file with --output instead", needs_root=True),
    Inline("http://[::1/x", lambda d, s: _build(d, "http://[::1/x"), 1,
         r"briefing: error: http://\[::1/x: not a valid address \(Invalid IPv6 URL\); check it",
         bound=10),
    # -- wrong or silent
    Case("themes token {LOWER = 5}",
         lambda d, s: _build(d, str(SEEDS), themes=_themes(d, "[{LOWER = 5}]")), 1,
         r"briefing: error: \S+/themes\.toml:\d+: theme 'port' pattern #1: LOWER 5 must be text "
         r'or a table of conditions such as \{IN = \["a", "b"\]\}', bound=10),
    Case("themes bad REGEX",
         lambda d, s: _build(d, str(SEEDS), themes=_themes(d, '[{TEXT = {REGEX = "("}}]')), 1,
         r"briefing: error: \S+/themes\.toml:\d+: theme 'port' pattern #1: TEXT REGEX '\(' is "
         r"not a regular expression \(missing \), unterminated subpattern at position 0\)",
         bound=10),
    *(Case(f"themes weight = {value}",
           lambda d, s, value=value: _build(d, str(SEEDS),
                                            themes=_themes(d, '"port"', value)), 1,
           rf"briefing: error: \S+/themes\.toml:\d+: theme 'port' pattern #1: weight {value} "
           "must be a positive number", bound=10)
      for value in ("nan", "inf")),
    Inline("archive of a path with a line break", _archived(name="two\nlines.txt"), 0, WROTE,
         check=_same_as_archived),
    Inline("archive of an outlet with DEL", _archived(outlet="Harbour\x7fWire"), 0, WROTE,
         check=_same_as_archived),
    Inline("one invalid UTF-8 byte", _damaged_utf8, 0,
         r"briefing: warning: \S+/story\.txt: 1 invalid UTF-8 sequence\(s\), the first at "
         r"byte \d+, read as U\+FFFD; the rest is UTF-8\. Fix those bytes to drop this warning",
         lines=2, check=_in_utf8),
    Inline("a path with a line break", lambda d, s: _build(d, str(d / "no\nsuch.txt")), 1,
         r"briefing: error: \S+/no\\nsuch\.txt: no such file or folder; check the path",
         bound=10),
    Inline("a path with U+202E", lambda d, s: _build(d, str(d / "\u202etxt.exe")), 1,
         r"briefing: error: \S+/\\u202etxt\.exe: no such file or folder; check the path",
         bound=10),
    Inline("front matter date: is the publication date",
         lambda d, s: _build(d, _front(d, "title: Dockers\ndate: 2025-06-03 10:30:00 +0200")),
         0, r"wrote \S+ .*", check=_dated("2025-06-03")),
]


def _international(folder: Path) -> str:
    """A saved message to a UTF-8 address."""
    path = Path(_saved_eml(folder))
    path.write_bytes(path.read_bytes().replace(b"To: a@example.org",
                                               "To: jö@example.org".encode()))
    return str(path)


@pytest.fixture(scope="module")
def outcomes(servers: dict[str, int], tmp_path_factory: pytest.TempPathFactory,
             ) -> dict[str, tuple[Path, Outcome]]:
    """Every case run, side by side: those in processes of their own in threads (they
    mostly wait), those inline here meanwhile. The seed brief is built first, so that the
    cases building it read its facts from the (session's) cache instead of parsing it."""
    from briefing.facts.extract import load_model

    load_model()  # here, once: the workers of the cases run here fork with it loaded
    _cli("build", str(SEEDS), "-f", "json", "-o", str(tmp_path_factory.mktemp("warm") / "b.json"))

    runnable = [case for case in CASES if IS_ROOT or not case.needs_root]
    made = {case.name: (case, tmp_path_factory.mktemp(re.sub(r"\W+", "-", case.name)[:40]))
            for case in runnable}
    runs = {name: case.make(folder, servers) for name, (case, folder) in made.items()}
    for name, run in runs.items():
        run.inline = made[name][0].inline
    found: dict[str, tuple[Path, Outcome]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:  # they mostly wait
        apart = {name: pool.submit(_run, run, made[name][1], made[name][0].bound)
                 for name, run in runs.items() if not run.inline}
        for name, run in runs.items():  # meanwhile, here
            if run.inline:
                found[name] = (made[name][1], _timed(name, _run(run, made[name][1], 0)))
        for name, future in apart.items():
            found[name] = (made[name][1], _timed(name, future.result()))
    return found


def _timed(name: str, outcome: Outcome) -> Outcome:
    if os.environ.get("HOSTILE_TIMES"):  # HOSTILE_TIMES=1 pytest -s: what each case costs
        print(f"{outcome.seconds:6.1f}  {name}")
    return outcome


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_case(case: Case, outcomes: dict[str, tuple[Path, Outcome]]) -> None:
    if case.needs_root and not IS_ROOT:
        pytest.skip("making a device node (mknod) needs root")
    folder, outcome = outcomes[case.name]
    assert outcome.code is not None, f"still running after {case.bound} s: {outcome.stderr!r}"
    assert outcome.code == case.code, outcome.stderr
    assert outcome.seconds < case.bound
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    text = outcome.stdout if case.stream == "stdout" else outcome.stderr
    lines = [line for line in text.splitlines() if not ASIDE.match(line)]
    assert len(lines) == case.lines, text
    assert any(re.fullmatch(case.line, line) for line in lines), text
    for line in outcome.stderr.splitlines():  # each a whole message: no line of a message
        assert re.match(r"briefing: |wrote |saved ", line), line
    if case.check is not None:
        case.check(folder, outcome)


# -- the cases that are not one command --------------------------------------------------


def _workers_left_when_killed(parent: subprocess.Popen[bytes], what: str) -> list[int]:
    """SIGKILL *parent* once its worker processes are up; those still alive 5 s later
    (killed here, so as not to leave them to the next test)."""
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while not workers and time.monotonic() < deadline:
        workers = children(parent.pid)
        time.sleep(0.05)
    assert workers, f"precondition: {what} started its workers"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if not gone(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_workers_end_when_the_build_is_killed(tmp_path: Path) -> None:
    """SIGKILL of the main process runs no clean-up: its workers must end by themselves."""
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(8):
        (folder / f"{number}.txt").write_text(ARTICLE.replace("Valdemar", f"Port {number}"),
                                              encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-m", "briefing", "build", str(folder),
                              "--no-cache", "--jobs", "2", "-o", str(tmp_path / "b.pdf")],
                             stderr=subprocess.DEVNULL, start_new_session=True)
    assert _workers_left_when_killed(build, "the build") == [], "workers outlived their build"


def test_watch_hears_a_folder_removed_and_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _article(folder)
    (tmp_path / "out").mkdir()
    log = tmp_path / "watch.err"
    with open(log, "wb") as err:
        watch = subprocess.Popen([sys.executable, "-m", "briefing", "build", "--watch",
                                  str(folder), "-f", "json", "-o", str(tmp_path / "out/b.json")],
                                 stderr=err, start_new_session=True)
    try:
        def wait_for(*texts: str) -> None:
            """Until *texts* are in the log, in this order."""
            deadline = time.monotonic() + 30
            pattern = re.compile(".*".join(map(re.escape, texts)), re.DOTALL)
            while not pattern.search(log.read_text()) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert pattern.search(log.read_text()), log.read_text()

        wait_for("for changes; Ctrl-C stops")
        shutil.rmtree(folder)
        wait_for("was removed; watching for it to come back")
        _article(folder, "later.txt")
        wait_for("is there again; watching it anew", "wrote ")  # built from the folder again
        (folder / "latest.txt").write_text(ARTICLE.replace("Valdemar", "Oster"),
                                           encoding="utf-8")
        wait_for("is there again", "latest.txt changed", "wrote ")  # and heard still
    finally:
        watch.send_signal(signal.SIGTERM)
        watch.wait(timeout=30)
    assert watch.returncode == 0
    assert "Traceback" not in log.read_text()
    assert json.loads((tmp_path / "out/b.json").read_text())["sources"][1]["path"].endswith(
        "latest.txt")


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_workers_end_with_their_parent_without_the_kernel_signal_too(tmp_path: Path) -> None:
    """Workers made outside the main thread (a library caller's thread) do not ask Linux
    for the parent-death signal, which comes when the thread that forked them ends:
    the thread watching the parent, as on every other system, must end them."""
    script = ("import threading, time\n"
              "from briefing.facts.themes import load_themes\n"
              "from briefing.facts.workers import Workers\n"
              "def start():\n"
              "    Workers('no-such-model', load_themes(), 64, 1).start()\n"
              "threading.Thread(target=start).start()\n"
              "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    assert _workers_left_when_killed(parent, "the script") == [], "a worker outlived its parent"
