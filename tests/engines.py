"""Real SPARQL engines for the tests, each a subprocess on free 127.0.0.1 ports in a given directory.

    with oxigraph_server(tmp_path) as engine:   # `oxigraph serve` (PyPI package oxigraph)
        requests.post(engine.query, data={"query": "ASK {}"}, ...)
    with virtuoso(tmp_path) as engine:          # Debian's virtuoso-opensource 7 (`make virtuoso`)
        requests.post(engine.update, data={"update": ...}, auth=engine.auth)

Each context manager waits (polling) until the engine answers a SPARQL query, fails with the tail of the
engine's log if it exits or does not answer within the deadline, and stops it at exit (SIGTERM, then
SIGKILL). This is a plain module imported by the tests (``from engines import virtuoso``), not a conftest.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

DEADLINE = 60.0  # seconds an engine has to answer its first query
STOP_TIMEOUT = 30.0  # seconds between SIGTERM and SIGKILL (Virtuoso checkpoints on SIGTERM)

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_DB = "/var/lib/virtuoso-opensource-7/db/"


@dataclass
class Engine:
    """A running engine: its SPARQL 1.1 Protocol URLs, credentials (None when open), process and log."""

    name: str
    query: str  # SPARQL 1.1 Protocol query endpoint
    update: str  # SPARQL 1.1 Protocol update endpoint (authenticated with user/password when they are set)
    store: str  # SPARQL 1.1 Graph Store HTTP Protocol endpoint (idem)
    user: str | None
    password: str | None
    process: subprocess.Popen
    log_path: Path

    @property
    def auth(self):
        """requests' authentication for update and store (HTTP digest), or None when the engine needs none."""
        if self.user is None:
            return None
        from requests.auth import HTTPDigestAuth

        return HTTPDigestAuth(self.user, self.password)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


def free_ports(count: int) -> list[int]:
    """count distinct TCP ports free on 127.0.0.1 now (the kernel's choice, all bound at once; another process
    may take one before the engine binds it: the engines then start again on new ones)."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


def free_port() -> int:
    return free_ports(1)[0]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _answers(url: str) -> bool:
    """Whether the endpoint answers ASK {} with a SPARQL JSON result (any HTTP error or refusal: not yet)."""
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200 and b"boolean" in response.read()
    except (OSError, urllib.error.URLError):
        return False


class PortTaken(RuntimeError):
    """The engine exited because another process took its port between free_port() and its bind."""


def _wait_until_up(name: str, process: subprocess.Popen, url: str, log_path: Path, deadline: float) -> None:
    end = time.monotonic() + deadline
    while True:
        if process.poll() is not None:
            tail = _tail(log_path)
            message = f"{name} exited with code {process.returncode} before answering; log tail:\n{tail}"
            raise (PortTaken if "Address already in use" in tail else RuntimeError)(message)
        if _answers(url):
            return
        if time.monotonic() > end:
            raise RuntimeError(f"{name} did not answer {url} within {deadline:.0f} s; log tail:\n{_tail(log_path)}")
        time.sleep(0.25)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _start(name: str, command: list[str], cwd: Path, log_path: Path, probe: str,
           deadline: float) -> subprocess.Popen:
    """The engine's process once it answers probe; stopped again if it does not."""
    with open(log_path, "ab") as log:
        # its own session: a Ctrl-C in the test run does not reach it, and _stop signals it (and any child) alone
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(name, process, probe, log_path, deadline)
    except BaseException:
        _stop(process)
        raise
    return process


ATTEMPTS = 3  # starts on new ports when the chosen one was taken meanwhile


def _executable(name: str) -> str:
    """The command installed beside this Python (the venv's bin), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (neither in {beside.parent} nor on PATH)")
    return found


@contextlib.contextmanager
def oxigraph_server(directory: Path, deadline: float = DEADLINE) -> Iterator[Engine]:
    """`oxigraph serve` with its store in directory/store, on a free port; no authentication."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "oxigraph.log"
    for attempt in range(ATTEMPTS):
        (port,) = free_ports(1)
        base = f"http://127.0.0.1:{port}"
        command = [_executable("oxigraph"), "serve", "--location", str(directory / "store"),
                   "--bind", f"127.0.0.1:{port}"]
        try:
            process = _start("oxigraph", command, directory, log_path, f"{base}/query", deadline)
            break
        except PortTaken:
            if attempt == ATTEMPTS - 1:
                raise
    try:
        yield Engine(name="oxigraph", query=f"{base}/query", update=f"{base}/update", store=f"{base}/store",
                     user=None, password=None, process=process, log_path=log_path)
    finally:
        _stop(process)


def virtuoso_ini(directory: Path, sql_port: int, http_port: int, settings: Mapping[str, Mapping[str, str]] = {},
                 source: Path = VIRTUOSO_INI) -> str:
    """Debian's virtuoso.ini made to run from directory on the given ports.

    Both ServerPort lines ([Parameters]'s SQL port, [HTTPServer]'s), the database files (every path under
    /var/lib/virtuoso-opensource-7/db/) into directory, directory added to DirsAllowed, and the URIQA
    default host on the HTTP port. The other paths (VAD, plugins, the vsp web root) keep pointing at the
    package's read-only files under /usr and /var/lib. settings ({section: {key: value}}) then replace
    those keys' values, or add the keys, e.g. {"SPARQL": {"ResultSetMaxRows": "100000"}}.
    """
    directory = Path(directory)
    text = source.read_text()

    def key_of(line: str) -> str | None:
        key, eq, _ = line.partition("=")
        key = key.strip()
        return key if eq and key and not key.startswith(";") else None

    def header(line: str) -> str | None:
        stripped = line.strip()
        return stripped[1:-1] if stripped.startswith("[") and stripped.endswith("]") else None

    present: set[tuple[str | None, str]] = set()
    section = None
    for line in text.splitlines():
        section = header(line) or section
        if (key := key_of(line)) is not None:
            present.add((section, key))

    out = []
    section = None
    for line in text.splitlines():
        if (name := header(line)) is not None:
            section = name
            out.append(line)
            out.extend(f"{k} = {v}" for k, v in settings.get(name, {}).items() if (name, k) not in present)
            continue
        key = key_of(line)
        if key == "ServerPort" and section == "Parameters":
            line = f"ServerPort = {sql_port}"
        elif key == "ServerPort" and section == "HTTPServer":
            line = f"ServerPort = {http_port}"
        elif key == "DirsAllowed" and section == "Parameters":
            line = f"{line.split(';')[0].rstrip()}, {directory}"
        elif key == "DefaultHost" and section == "URIQA":
            line = f"DefaultHost = 127.0.0.1:{http_port}"
        if key is not None and key in settings.get(section, {}):
            line = f"{key} = {settings[section][key]}"
        out.append(line.replace(VIRTUOSO_DB, f"{directory}/"))
    sections = {header(line) for line in text.splitlines()}
    for name, values in settings.items():
        if name not in sections:
            out.append(f"[{name}]")
            out.extend(f"{k} = {v}" for k, v in values.items())
    result = "\n".join(out) + "\n"
    for needed in (f"ServerPort = {sql_port}", f"ServerPort = {http_port}", f"{directory}/virtuoso.db"):
        if needed not in result:
            raise RuntimeError(f"{source} is not the virtuoso.ini expected: no place for {needed!r}")
    if VIRTUOSO_DB in result:
        raise RuntimeError(f"{source}: a path under {VIRTUOSO_DB} was left")
    return result


@contextlib.contextmanager
def virtuoso(directory: Path, deadline: float = DEADLINE,
             settings: Mapping[str, Mapping[str, str]] = {}) -> Iterator[Engine]:
    """Debian's Virtuoso 7 (`virtuoso-t +foreground`) with its database in directory, on two free ports.

    Queries go to /sparql (open); updates to /sparql-auth and the Graph Store to /sparql-graph-crud-auth,
    both with HTTP digest authentication as dba/dba (the new database's default). settings: ini values to
    change, as for virtuoso_ini (the package's defaults otherwise, e.g. [SPARQL] ResultSetMaxRows = 10000).
    """
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    log_path = directory / "virtuoso-t.log"  # its stdout; the server's own log is directory/virtuoso.log
    command = [_executable("virtuoso-t"), "+configfile", str(ini), "+foreground"]
    for attempt in range(ATTEMPTS):
        sql_port, http_port = free_ports(2)
        ini.write_text(virtuoso_ini(directory, sql_port, http_port, settings))
        base = f"http://127.0.0.1:{http_port}"
        try:
            process = _start("virtuoso", command, directory, log_path, f"{base}/sparql", deadline)
            break
        except PortTaken:
            if attempt == ATTEMPTS - 1:
                raise
    try:
        yield Engine(name="virtuoso", query=f"{base}/sparql", update=f"{base}/sparql-auth",
                     store=f"{base}/sparql-graph-crud-auth", user="dba", password="dba", process=process,
                     log_path=log_path)
    finally:
        _stop(process)
