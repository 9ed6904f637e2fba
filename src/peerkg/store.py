"""The graph store behind a small interface, and the on-disk layout that makes builds atomic.

Layout of the data directory::

    data/stores/<version>/   one Oxigraph (RocksDB) store per build, never written after it is published
    data/current             symlink to the published version, replaced atomically (rename)

A build writes a new version and then swaps the link, so a failed build leaves the published store as it
was, and no process ever reads a store another process is writing. This is the private layout of
``backends.embedded``; callers use a backend (``backends.open``).
"""

from __future__ import annotations

import calendar
import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from . import guard
from .errors import PeerkgError, UserInputError

CURRENT = "current"
STORES = "stores"
FINGERPRINT = ".fingerprint"
KEEP_PREVIOUS = 1  # older versions kept beside the current one, for readers still holding them
GRACE_SECONDS = 300  # and any version replaced less than this ago: a query may still be reading it
WRITER_LOCK = ".writer.lock"
VERSION_TIME = "%Y%m%dT%H%M%S"


class EmbeddedStore:
    """An on-disk Oxigraph store, opened read-only; the default graph is the union of the named graphs."""

    reads_locally = True  # as the backends say it (backends.Backend)

    def __init__(self, path: Path):
        require_store(path)
        self.path = path
        self.version = path.resolve().name
        self._store = ox.Store.read_only(str(path))

    def query(self, sparql: str, *, substitutions=None, default_graph=None, named_graphs=None):
        """Run a query that passes the guard; the union of the named graphs is the default graph unless the
        query (FROM) or the caller (``default_graph``) names another."""
        checked = guard.check(sparql)
        try:
            return self._store.query(
                checked.text,
                substitutions=substitutions,
                use_default_graph_as_union=default_graph is None and not checked.has_dataset,
                default_graph=default_graph,
                named_graphs=named_graphs,
            )
        except SyntaxError as problem:
            raise UserInputError(f"SPARQL syntax error: {problem}") from None

    def named_graphs(self) -> list[ox.NamedNode]:
        return sorted(self._store.named_graphs(), key=lambda node: node.value)

    def quads(self, graph: ox.NamedNode | None = None) -> Iterable[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, graph)

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(subject, predicate, object, graph_name)

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def backup(self, target: Path) -> None:
        """A copy of this version in ``target`` (RocksDB checkpoint: hard links, milliseconds)."""
        self._store.backup(str(target))

    def dump(self, format: ox.RdfFormat, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        return dump(self._store, format, graph, prefixes)


# Every triple of the named graphs once: the engine's DISTINCT took 0.9 s for 100,000 quads where making each
# one a default-graph quad in Python took 2.4 s.
UNION = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"


def dump(held: ox.Store, format: ox.RdfFormat, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
    """One graph of ``held`` (None: every graph, or for a triple format their union) in ``format``, with
    ``prefixes`` where the format has them."""
    options = {"prefixes": prefixes} if prefixes and format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
    if graph is None and format.supports_datasets:
        return held.dump(format=format, **options)
    if graph is None:
        # Through a store of its own, so that the same content is written in the same order.
        union = ox.Store()
        union.bulk_load(held.query(UNION).serialize(format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
        held, graph = union, ox.DefaultGraph()
    return held.dump(format=format, from_graph=graph, **options)


def dump_quads(quads, format: ox.RdfFormat, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
    """``dump`` of quads read from elsewhere (an engine), through an in-memory store."""
    held = ox.Store()
    held.bulk_extend(quads)
    return dump(held, format, graph, prefixes)


def require_store(path: Path) -> None:
    """That ``path`` holds an Oxigraph store, without opening it: a process that will fork (gunicorn's
    master) must not open RocksDB, whose threads its forked children would not have (they abort at exit)."""
    if not (path / "CURRENT").exists():
        raise PeerkgError(f"{path} is not an Oxigraph store (run 'peerkg build' first)", status=503)


def current_path(data_dir: Path) -> Path:
    return data_dir / CURRENT


def open_current(data_dir: Path) -> EmbeddedStore:
    """The published store of ``data_dir``."""
    return EmbeddedStore(current_version(data_dir))


def current_version(data_dir: Path) -> Path:
    """The directory of the published version of ``data_dir`` (not opened)."""
    path = current_path(data_dir)
    if not path.exists():
        raise PeerkgError(f"no store in {data_dir}: run 'peerkg build' first", status=503)
    return path.resolve()


@contextmanager
def writer(data_dir: Path) -> Iterator[None]:
    """Held by whoever publishes a version (a build, a commit): one writer at a time, across processes.

    The lock is an flock on a file, released by the kernel when its holder dies, even by SIGKILL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / WRITER_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def new_version(data_dir: Path) -> Path:
    """The directory of a version not yet written."""
    stores = data_dir / STORES
    stores.mkdir(parents=True, exist_ok=True)
    return stores / version_name()


def version_name() -> str:
    """A new version's name: they sort by creation time (on any backend)."""
    return time.strftime(VERSION_TIME, time.gmtime()) + f"-{time.time_ns() % 10**9:09d}"


def publish(data_dir: Path, quads: Iterable[ox.Quad], fingerprint: str = "") -> Path:
    """Write ``quads`` into a new store version and make it current in one atomic step.

    ``fingerprint`` (of the build's inputs) is kept beside the version, for ``build --if-needed``.
    """
    target = new_version(data_dir)
    try:
        store = ox.Store(str(target))
        store.bulk_extend(quads)
        store.flush()
        store.optimize()
        del store  # closes RocksDB before the version becomes visible
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    make_current(data_dir, target, fingerprint)
    return target


def make_current(data_dir: Path, target: Path, fingerprint: str) -> None:
    """Publish a written, closed version: its fingerprint first, then the link, replaced by rename."""
    target.with_suffix(FINGERPRINT).write_text(fingerprint)
    link = current_path(data_dir)
    staging = data_dir / f".{CURRENT}.{os.getpid()}"
    staging.unlink(missing_ok=True)
    staging.symlink_to(Path(STORES) / target.name)
    os.replace(staging, link)
    _prune(data_dir / STORES, current=target.name)


def _prune(stores: Path, current: str) -> None:
    """Remove versions nobody will read: leftovers of a writer that died before publishing (no fingerprint
    beside them; callers hold the writer lock, so none is being written), and older versions beyond the
    newest KEEP_PREVIOUS, unless replaced less than GRACE_SECONDS ago."""
    versions = sorted(p.name for p in stores.iterdir() if p.is_dir() and p.name != current)
    leftovers = [name for name in versions if not (stores / name).with_suffix(FINGERPRINT).exists()]
    older = [name for name in versions if name < current and name not in leftovers]
    replaced_at = {name: _created(successor) for name, successor in zip(older, [*older[1:], current])}
    now = time.time()
    doomed = [name for name in older[: max(len(older) - KEEP_PREVIOUS, 0)] if now - replaced_at[name] > GRACE_SECONDS]
    for name in [*doomed, *leftovers]:
        shutil.rmtree(stores / name, ignore_errors=True)
        (stores / name).with_suffix(FINGERPRINT).unlink(missing_ok=True)


def _created(version: str) -> float:
    return calendar.timegm(time.strptime(version.split("-", 1)[0], VERSION_TIME))


def fingerprint_of_current(data_dir: Path) -> str | None:
    """The input fingerprint the published version was built from, if any."""
    link = current_path(data_dir)
    sidecar = link.resolve().with_suffix(FINGERPRINT) if link.exists() else None
    return sidecar.read_text() if sidecar and sidecar.exists() else None
