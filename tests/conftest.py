"""Shared fixtures: the real vocabulary, the seed texts, and one real on-disk store built from the seeds."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from peerkg import backends, build, store, vocabulary
from peerkg.config import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture(autouse=True)
def default_base(monkeypatch):
    """Tests assert IRIs under the default base unless they set PEERKG_BASE themselves."""
    monkeypatch.delenv("PEERKG_BASE", raising=False)


@pytest.fixture(scope="session")
def vocab() -> vocabulary.Vocabulary:
    return vocabulary.load(PROJECT_ROOT / "vocab")


def seed_text(file_name: str) -> str:
    return (SEEDS / file_name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    """A store built from the seeds by the real build, in a temporary data directory."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    build.build(settings)
    return settings


@pytest.fixture(scope="session")
def kg(built: Settings) -> store.EmbeddedStore:
    return store.open_current(built.data_dir)


@pytest.fixture(scope="session")
def backend(built: Settings):
    """The built store behind the backend interface, as the CLI opens it."""
    return backends.open(built)


def rows(results) -> list[dict[str, str | None]]:
    """SELECT solutions as dicts of lexical values (None where unbound)."""
    names = [variable.value for variable in results.variables]
    return [{name: (s[name].value if s[name] is not None else None) for name in names} for s in results]


@pytest.fixture
def project_copy(tmp_path: Path) -> Settings:
    """A writable copy of the project's data files, for tests that corrupt one of them."""
    import shutil

    for name in ("seeds", "vocab", "ontology", "shapes", "queries"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name)
    return Settings(root=tmp_path, data_dir=tmp_path / "data")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """A running ``peerkg serve``: its URL, process and log file."""

    def __init__(self, url: str, process, log_path: Path):
        self.url, self.process, self.log_path = url, process, log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 10) -> int:
        self.process.terminate()
        return self.process.wait(timeout)

    def crashed_workers(self) -> list[str]:
        """Workers that ended by a signal: a crash, not a shutdown."""
        return [line for line in self.log().splitlines() if "was sent SIG" in line]


def start_server(data_dir: Path, *options: str, env: dict | None = None) -> Served:
    """A real ``peerkg serve`` (gunicorn) on a free loopback port, answering before this returns."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    log_path = data_dir / f"serve-{port}.log"  # a file: a pipe left unread would stall the server
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "peerkg.cli", "--data-dir", str(data_dir), "serve", "--port", str(port), *options],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/queries", timeout=1).close()
            return Served(url, process, log_path)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"peerkg serve did not start: {log_path.read_text()[-2000:]}") from None
            time.sleep(0.2)


@contextlib.contextmanager
def serving(data_dir: Path, *options: str, env: dict | None = None):
    """A real ``peerkg serve`` (2 workers, 5-second query limit unless ``options`` say otherwise); yields its
    base URL, and checks that every worker exited cleanly."""
    served = start_server(data_dir, "--workers", "2", "--query-timeout", "5", *options, env=env)
    try:
        yield served.url
    finally:
        served.stop()
    assert served.crashed_workers() == []


@pytest.fixture(scope="session")
def server(built):
    """A real ``peerkg serve`` over the seeds' store, for the whole session; yields its base URL."""
    with serving(built.data_dir) as url:
        yield url


@pytest.fixture(scope="session")
def app(built):
    from peerkg.web import create_app

    return create_app({"TESTING": True, "DATA_DIR": str(built.data_dir), "QUERY_TIMEOUT": 5.0})


@pytest.fixture
def client(app):
    return app.test_client()


CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by make test
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright, one for the whole session (a second sync Playwright in the same
    process would fail inside the first one's event loop)."""
    from playwright import sync_api as playwright_api

    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()
