"""The rules a submission is checked against: the shapes and the ontology, loaded once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from .. import formats, shapes
from ..config import Settings


def load(settings: Settings) -> tuple[Graph, Graph]:
    """The shapes graph and the ontology; reloaded when one of their files changes."""
    files = [*sorted(settings.shapes_dir.glob("*.ttl")), settings.ontology_path]
    return _load(settings.shapes_dir, settings.ontology_path, tuple(f.stat().st_mtime_ns for f in files))


@lru_cache(maxsize=2)
def _load(shapes_dir: Path, ontology_path: Path, _stamp: tuple) -> tuple[Graph, Graph]:
    return shapes.load(shapes_dir), formats.read_files([ontology_path])
