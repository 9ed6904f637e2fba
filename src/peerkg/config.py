"""Where things are: the project's data files and the store's data directory."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The package lives in <root>/src/peerkg; the data files (seeds, ontology, shapes, queries, vocab) at <root>.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    root: Path = PROJECT_ROOT
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("PEERKG_DATA", PROJECT_ROOT / "data")))
    # The store (backends.open): None or a directory is the embedded one, an http(s) URL a SPARQL engine's
    # query endpoint, with its update and Graph Store Protocol endpoints and credentials.
    backend: str | None = field(default_factory=lambda: os.environ.get("PEERKG_BACKEND") or None)
    backend_update: str | None = field(default_factory=lambda: os.environ.get("PEERKG_BACKEND_UPDATE") or None)
    backend_store: str | None = field(default_factory=lambda: os.environ.get("PEERKG_BACKEND_STORE") or None)
    backend_user: str | None = field(default_factory=lambda: os.environ.get("PEERKG_BACKEND_USER") or None)
    backend_password: str | None = field(default_factory=lambda: os.environ.get("PEERKG_BACKEND_PASSWORD") or None,
                                         repr=False)

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def vocab_dir(self) -> Path:
        return self.root / "vocab"

    @property
    def ontology_path(self) -> Path:
        return self.root / "ontology" / "peerkg.ttl"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"
