"""OpenLink Virtuoso 7 as peerkg's engine: how it must be written to and read, measured in tests/test_engines.py.

What differs from a transactional engine, and what this module does about it:

- **Size.** One INSERT DATA of more than about 1,400 triples fails to compile (``SP031``), and one request
  of more than about 3,000. With Virtuoso's ``define sql:big-data-const 1`` an INSERT DATA takes 4,900
  triples and a request 50,000 in a second or two: writes go in such requests.
- **Atomicity.** Virtuoso commits each operation of a request by itself: a failing operation leaves the
  earlier ones applied, and readers see a large update part-way. So a publish is written into staging
  graphs first, which no reader reads (they are not in the control graph), and only then switched into
  place by one short request of ``MOVE`` and ``ADD`` operations and the new control graph. A failure while
  staging leaves the published version whole (the staging graphs are dropped); readers may see the switch
  itself part-way, for as long as Virtuoso takes to move the graphs (README, "Scaling out").
- **Row cap.** ``ResultSetMaxRows`` (10,000 in Debian's virtuoso.ini) cuts every answer. peerkg's own reads
  go a page at a time; a client's answer that was cut (``X-SPARQL-MaxRows``) is refused, never served short.
- **Writes need an authenticated endpoint**: ``/sparql-auth`` with HTTP Digest (``--backend-user``).
"""

from __future__ import annotations

import contextlib

import pyoxigraph as ox

from .. import iris
from ..errors import PeerkgError, ResultTooLarge
from .remote import Dialect, RemoteSparql, drop, inserts

PROLOGUE = "define sql:big-data-const 1\n"  # Virtuoso's pragma for large constant data in a request
INSERT_TRIPLES = 4000  # per INSERT DATA (4,900 work; 5,000 do not)
REQUEST_TRIPLES = 40000  # per request (50,000 work in one or two seconds)
STAGING = "urn:x-peerkg:staging:"


class Virtuoso(Dialect):
    page = 10000  # Debian's ResultSetMaxRows; a smaller cap is seen in the X-SPARQL-MaxRows header

    def publish(self, engine: RemoteSparql, quads: list[ox.Quad], replaced: list[str], control: list[ox.Quad]) -> None:
        staged = self._stage(engine, quads)
        moves = [f"MOVE SILENT {staging} TO {graph}" for graph, staging in staged.items()]
        engine.update([*(drop(g) for g in replaced if ox.NamedNode(g) not in staged), *moves,
                       drop(iris.CONTROL_GRAPH), *inserts(control)])

    def change(self, engine: RemoteSparql, cleared: ox.NamedNode | None, added: list[ox.Quad], control: list[ox.Quad]) -> None:
        staged = self._stage(engine, added)
        switch = [] if cleared is None or cleared in staged else [drop(cleared.value)]
        for graph, staging in staged.items():
            if graph == cleared:
                switch.append(f"MOVE SILENT {staging} TO {graph}")
            else:
                switch += [f"ADD SILENT {staging} TO {graph}", drop(staging.value)]
        engine.update([*switch, drop(iris.CONTROL_GRAPH), *inserts(control)])

    def check_complete(self, engine: RemoteSparql, headers) -> None:
        cap = headers.get("X-SPARQL-MaxRows") if headers is not None else None
        if cap:
            raise ResultTooLarge(f"{engine.name} cut its answer at {cap} rows (its ResultSetMaxRows): page the query with "
                                 "ORDER BY, LIMIT and OFFSET, or raise ResultSetMaxRows in virtuoso.ini")

    def _stage(self, engine: RemoteSparql, quads: list[ox.Quad]) -> dict[ox.NamedNode, ox.NamedNode]:
        """``quads`` written into staging graphs (one per graph), in requests Virtuoso can take; on any
        failure the staging graphs are dropped and nothing published has changed."""
        graphs = sorted({q.graph_name for q in quads}, key=lambda g: g.value)
        version = engine.new_version()
        staged = {graph: ox.NamedNode(f"{STAGING}{version}:{index}") for index, graph in enumerate(graphs)}
        moved = [ox.Quad(q.subject, q.predicate, q.object, staged[q.graph_name]) for q in quads]
        try:
            for start in range(0, len(moved), REQUEST_TRIPLES):
                engine.update(inserts(moved[start:start + REQUEST_TRIPLES], INSERT_TRIPLES), prologue=PROLOGUE)
        except BaseException:
            if staged:
                with contextlib.suppress(PeerkgError):  # the first failure is the one to report
                    engine.update([drop(staging.value) for staging in staged.values()])
            raise
        return staged
