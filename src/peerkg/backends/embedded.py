"""The default backend: Oxigraph embedded, one on-disk store per published version (``store.py``'s layout).

Its private details: versioned directories made current by a symlink swap, the writer lock, and queries
run in the web worker's confined, killable query processes (``executor.py``: pyoxigraph cannot time out
or cancel a query) or, without an executor (the CLI), in-process. A web worker never opens a store
itself: RocksDB's threads do not survive a fork.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable, Collection, Iterable
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from .. import executor as executing, store
from ..errors import PeerkgError, ReadOnly
from . import Limits, Query

# Test hook: the crash tests set this to a step name; the committing process then kills itself there.
CRASH_AT = "PEERKG_CRASH_AT"


class EmbeddedOxigraph:
    def __init__(self, data_dir: Path, fixed: Path | None = None, executor: Callable[[], executing.Executor] | None = None):
        self.data_dir, self.fixed, self._executor = Path(data_dir), Path(fixed) if fixed else None, executor
        self.name = f"the embedded store in {self.fixed or self.data_dir}"
        self.writable = fixed is None
        self.reads_locally = True
        self._opened: store.EmbeddedStore | None = None
        self._pin = threading.local()
        self._link = store.current_path(self.data_dir)

    def __getstate__(self):  # what a worker process receives: the location, no executor, nothing opened
        return {"data_dir": self.data_dir, "fixed": self.fixed}

    def __setstate__(self, state):
        self.__init__(state["data_dir"], state["fixed"])

    def for_worker(self) -> "EmbeddedOxigraph":
        return self  # it pickles to its location; the worker opens the store itself

    @contextmanager
    def pinned(self):
        """Inside, this thread's reads see the version published at its first read (a web request's). A
        replaced version stays on disk for store.GRACE_SECONDS, so it can still be read."""
        if getattr(self._pin, "active", False):
            yield  # already pinned (a check inside a request): the outer pin holds, and ends with it
            return
        self._pin.active, self._pin.path = True, None
        try:
            yield
        finally:
            self._pin.active, self._pin.path = False, None

    def path(self) -> Path | None:
        """The directory of the published version, or None before the first build."""
        if self.fixed:
            return self.fixed
        if getattr(self._pin, "active", False):
            if self._pin.path is None:
                self._pin.path = self._current()
            return self._pin.path
        return self._current()

    def _current(self) -> Path | None:
        try:
            # One readlink (the link is relative, "stores/<version>"): cheaper than resolve().
            return self.data_dir / os.readlink(self._link)
        except OSError:
            return None

    def version(self) -> str | None:
        path = self.path()
        return None if path is None else path.name

    def _require(self) -> Path:
        path = self.path()
        if path is None:
            raise PeerkgError(f"no store in {self.data_dir}: run 'peerkg build' first", status=503, title="Service Unavailable")
        return path

    def _store(self) -> store.EmbeddedStore:
        """The published version, opened read-only in this process (reopened when it changes)."""
        path = self._require()
        if self._opened is None or self._opened.path != path:
            self._opened = store.EmbeddedStore(path)
        return self._opened

    def query(self, query: Query, limits: Limits) -> bytes:
        if self._executor is not None:
            return self._executor().run(executing.Job(str(self._require()), query))
        return executing.execute(self._store()._store, query, limits.max_bytes)

    def check_and_query(self, text: str, formats: tuple[str | None, str | None], dataset=None):
        if self._executor is None:
            return None
        return self._executor().answer(executing.Unchecked(str(self._require()), text, formats, dataset))

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterable[ox.Quad]:
        return self._store().quads_for_pattern(subject, predicate, object, graph_name)

    def named_graphs(self) -> list[ox.NamedNode]:
        return self._store().named_graphs()

    def fingerprint(self) -> str | None:
        return store.fingerprint_of_current(self.data_dir)

    def dump(self, format: ox.RdfFormat, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        return self._store().dump(format, graph, prefixes)

    def writer(self):
        self._writable()
        return store.writer(self.data_dir)

    def new_version(self) -> str:
        return store.new_version(self.data_dir).name

    def publish(self, quads: Iterable[ox.Quad], fingerprint: str, version: str | None = None,
                keep: Collection[ox.NamedNode] = ()) -> str:
        self._writable()
        if not keep:
            return store.publish(self.data_dir, quads, fingerprint).name

        def rebuilt(written: ox.Store) -> None:
            # The kept graphs stay where they are, instead of every kept quad being read and written again.
            for graph in written.named_graphs():
                if graph not in keep:
                    written.remove_graph(graph)
            written.bulk_extend(quads)

        version = version or self.new_version()
        self._derive(version, fingerprint, rebuilt)
        return version

    def change(self, version: str, cleared: ox.NamedNode | None, added: list[ox.Quad],
               removed_graph: ox.NamedNode | None = None) -> None:
        """The published version with a graph cleared and the quads added. The quads go in with the bulk
        loader, not a transaction (100,000 took 7.7 s in one, 0.5 s so): the copy and the swap make it all
        or nothing."""
        self._writable()

        def changed(written: ox.Store) -> None:
            if cleared is not None and written.contains_named_graph(cleared):
                written.remove_graph(cleared)
            crash_point("applied")
            written.bulk_extend(added)
            crash_point("extended")

        self._derive(version, self.fingerprint() or "", changed)

    def _derive(self, version: str, fingerprint: str, edit: Callable[[ox.Store], None]) -> None:
        """Publish ``version`` as a copy of the published one (a RocksDB checkpoint: hard links) that ``edit``
        changes, closed before the link is swapped; on any failure the copy is removed. Runs in the
        writing process (the CLI's, or a confined worker process of the server's), never a forked web
        worker: RocksDB's background threads do not survive a fork, so a flush there could wait forever."""
        target = self.data_dir / store.STORES / version
        try:
            self._store().backup(target)
            crash_point("copied")
            written = ox.Store(str(target))
            edit(written)
            written.flush()
            del written
            crash_point("closed")
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        store.make_current(self.data_dir, target, fingerprint)
        self._opened = None

    def _writable(self) -> None:
        if not self.writable:
            raise ReadOnly(f"{self.name} is served read-only (--store): build or commit into its data directory instead")


def crash_point(step: str) -> None:
    """Kill the committing process and its writer at once, as a power cut would (the test's process group)."""
    if os.environ.get(CRASH_AT) == step:
        os.killpg(os.getpgid(0), signal.SIGKILL)
