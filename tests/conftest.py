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


# The backends the endpoint, linked-data, download and curation tests run on: the embedded store, and a real
# Oxigraph server (`oxigraph serve`, from PyPI) reached over the SPARQL 1.1 Protocol.
BACKENDS = ["embedded", "oxigraph"]


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server for the session's read-only tests."""
    from engines import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as engine:
        yield engine


@pytest.fixture(scope="session")
def oxigraph_scratch(tmp_path_factory):
    """A second Oxigraph server, reset for each test that writes (``writable_settings``)."""
    from engines import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-scratch")) as engine:
        yield engine


def on_engine(built: Settings, engine, data_dir: Path) -> Settings:
    """Settings for ``engine`` as peerkg's backend, holding exactly the quads of the built store (published
    in one update, with the build's fingerprint), with ``data_dir`` for the local files."""
    from dataclasses import replace

    settings = replace(built, data_dir=data_dir, backend=engine.query, backend_update=engine.update,
                       backend_store=engine.store, backend_user=engine.user, backend_password=engine.password)
    source = store.open_current(built.data_dir)
    target = backends.open(settings)
    with target.writer():
        target.publish(source.quads(), backends.open(built).fingerprint() or "", version=source.version)
    return settings


def backend_env(settings: Settings) -> dict[str, str]:
    """The environment that makes ``peerkg`` (and its server) use the backend of ``settings``."""
    names = {"PEERKG_BACKEND": settings.backend, "PEERKG_BACKEND_UPDATE": settings.backend_update,
             "PEERKG_BACKEND_STORE": settings.backend_store, "PEERKG_BACKEND_USER": settings.backend_user,
             "PEERKG_BACKEND_PASSWORD": settings.backend_password}
    return {name: value for name, value in names.items() if value}


def backend_args(settings: Settings) -> list[str]:
    """The ``peerkg`` options that name the backend of ``settings``."""
    options = {"--backend": settings.backend, "--backend-update": settings.backend_update,
               "--backend-store": settings.backend_store, "--backend-user": settings.backend_user,
               "--backend-password": settings.backend_password}
    return [item for option, value in options.items() if value for item in (option, value)]


def app_config(settings: Settings) -> dict:
    """create_app's configuration for the backend of ``settings``."""
    return {"DATA_DIR": str(settings.data_dir), "BACKEND": settings.backend, "BACKEND_UPDATE": settings.backend_update,
            "BACKEND_STORE": settings.backend_store, "BACKEND_USER": settings.backend_user,
            "BACKEND_PASSWORD": settings.backend_password}


@pytest.fixture(scope="session", params=BACKENDS)
def published(request, built, tmp_path_factory) -> Settings:
    """The seeds' graph on each backend, read-only for the session."""
    if request.param == "embedded":
        return built
    return on_engine(built, request.getfixturevalue("oxigraph"), tmp_path_factory.mktemp("oxigraph-data"))


@pytest.fixture(params=BACKENDS)
def writable_settings(request, built, tmp_path) -> Settings:
    """A private, writable copy of the seeds' graph on each backend: a copy of the store's directory, or
    the scratch Oxigraph server reset to the built quads."""
    import shutil

    if request.param == "embedded":
        shutil.copytree(built.data_dir, tmp_path / "data", symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
        return Settings(data_dir=tmp_path / "data")
    return on_engine(built, request.getfixturevalue("oxigraph_scratch"), tmp_path / "data")


@pytest.fixture(scope="session")
def server(published):
    """A real ``peerkg serve`` over the seeds' graph on each backend, for the whole session; yields its base URL."""
    with serving(published.data_dir, env=backend_env(published)) as url:
        yield url


@pytest.fixture(scope="session")
def app(published):
    from peerkg.web import create_app

    return create_app({"TESTING": True, **app_config(published), "QUERY_TIMEOUT": 5.0})


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
