"""Where the graph lives: one interface for everything the app asks of a store, chosen by configuration.

``open(settings)`` gives the backend the settings name: a directory (or none) is the embedded Oxigraph
store (``embedded.py``), an ``http(s)`` URL is a SPARQL 1.1 engine's query endpoint (``remote.py``).
Views, pages, downloads, the CLI and curation pass query text and bindings, never a path; a third engine
is one more module with the same methods.

Every backend serves peerkg's dataset semantics: the default graph is the union of peerkg's named
graphs, unless the query (``FROM``) or the request (``default-graph-uri``, ``named-graph-uri``) names
another dataset. A published version never changes: results may be kept by version (``version()``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from ..config import Settings


@dataclass(frozen=True)
class Limits:
    timeout: float  # seconds per task
    max_bytes: int  # largest serialised result
    memory_bytes: int | None = None  # address-space cap of each query process (None: none)


@dataclass(frozen=True)
class Query:
    """A query to run: guard-checked text, its bindings as RDF terms, the protocol's dataset and a format."""

    text: str
    result_format: str  # a name in formats.RESULTS (SELECT, ASK) or formats.RDF (CONSTRUCT, DESCRIBE)
    bindings: tuple = ()  # ((variable name, term), …)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default: bool = True  # False when the query names its own dataset (FROM / FROM NAMED)

    @classmethod
    def checked(cls, checked, result_format: str, bindings: tuple = (), dataset=None) -> "Query":
        """The query the guard read (``guard.Checked``: its text, line ends normalised), with the protocol's
        dataset ``(default graph IRIs, named graph IRIs)`` if any."""
        default_graphs, named_graphs = dataset or (None, None)
        return cls(checked.text, result_format, bindings, default_graphs, named_graphs, not checked.has_dataset)


class Backend(Protocol):
    name: str  # for messages: "the embedded store in data", "the SPARQL engine at http://…"
    writable: bool
    reads_locally: bool  # quads_for_pattern iterates a store on this machine: reading n quads costs n, not a request

    def version(self) -> str | None:
        """The published version (None before the first build); a version's content never changes."""

    def pinned(self) -> AbstractContextManager:
        """Inside, this thread's reads all see the version published at the first of them."""

    def query(self, query: Query, limits: Limits) -> bytes:
        """The serialised result, within the time limit and the size cap (errors otherwise)."""

    def check_and_query(self, text: str, formats: tuple[str | None, str | None], dataset=None):
        """A client's query read by the guard and, if it passes, run in ``formats[0]`` for a table (SELECT,
        ASK) or ``formats[1]`` for a graph (CONSTRUCT, DESCRIBE), in one trip to a query process:
        ``(guard.Checked, result or None)``. None when this backend's queries do not run in one (check
        the query in one, then ``query``)."""

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterable[ox.Quad]:
        """The published quads matching a pattern (None: any), of peerkg's named graphs."""

    def named_graphs(self) -> list[ox.NamedNode]: ...

    def fingerprint(self) -> str | None:
        """The input fingerprint the published version was built from (``build --if-needed``)."""

    def dump(self, format: ox.RdfFormat, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        """One named graph in ``format``; None: every graph, or for a triple format their union, each triple once."""

    def writer(self) -> AbstractContextManager:
        """Held by whoever publishes (a build, a commit): one at a time."""

    def new_version(self) -> str:
        """A name for the version a writer is about to publish (commits are named after it)."""

    def publish(self, quads: Iterable[ox.Quad], fingerprint: str, version: str | None = None,
                keep: Collection[ox.NamedNode] = ()) -> str:
        """Replace everything but the named graphs ``keep`` of the published version (kept as they are)
        with ``quads`` as a new version, all or nothing; its name."""

    def change(self, version: str, cleared: ox.NamedNode | None, added: list[ox.Quad],
               removed_graph: ox.NamedNode | None = None) -> None:
        """Publish ``version``: the current one with graph ``cleared`` emptied and ``added`` added, all or
        nothing; ``removed_graph`` is no longer one of peerkg's graphs."""

    def for_worker(self):
        """What a confined worker process receives in place of this backend (it must pickle)."""


def open(settings: Settings, *, fixed_store=None, executor=None) -> Backend:
    """The backend ``settings`` name; ``fixed_store``: serve one embedded store directory, read-only;
    ``executor``: a callable giving the query processes an embedded store's queries run in."""
    location = settings.backend
    if location and location.startswith(("http://", "https://")):
        from .remote import RemoteSparql

        return RemoteSparql.from_settings(settings)
    from pathlib import Path

    from .embedded import EmbeddedOxigraph

    return EmbeddedOxigraph(Path(location) if location else settings.data_dir, fixed=fixed_store, executor=executor)


def quads(backend: Backend, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
    """Every quad of one named graph (None: of all of peerkg's)."""
    return iter(backend.quads_for_pattern(None, None, None, graph))


def contains_named_graph(backend: Backend, graph: ox.NamedNode) -> bool:
    return graph in backend.named_graphs()
