"""Shared fixtures: the real vocabulary, the seed texts, and one real on-disk store built from the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkg import build, store, vocabulary
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
