"""A backend on any SPARQL 1.1 engine over HTTP: the Protocol for queries, SPARQL 1.1 Update for writes.

peerkg's semantics on any engine, whatever its own default graph: every query is sent with the dataset
spelt out (``default-graph-uri`` and ``named-graph-uri`` for each of peerkg's named graphs, as listed in
the control graph, ``iris.CONTROL_GRAPH``) unless the query or the client names one. The guard has read
every query before it is sent; bindings are put into the text (``bindings.py``: the protocol takes none).
Results are read in a format peerkg parses (SPARQL JSON, N-Triples or Turtle) and written again by
pyoxigraph in the format asked for, so every backend answers byte-for-byte alike, within the same size cap.

Publishing is one update request: the graphs it replaces dropped, the new triples inserted and the
control graph rewritten with the new version. An engine that runs a request as one transaction
(Oxigraph's server, Virtuoso) shows readers the graph before or after it, never half (README, "Scaling
out"). The writer lock is a file in the data directory: one host writes.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Collection, Iterable
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from .. import bindings, guard, iris, store
from ..config import Settings
from ..errors import EngineTimeout, EngineUnavailable, PeerkgError, ReadOnly, ResultTooLarge, UserInputError
from ..executor import Relay, serialise
from . import Limits, Query

CONTROL_QUERY = (Path(__file__).with_name("control.rq")).read_text(encoding="utf-8")
QUADS_QUERY = (Path(__file__).with_name("quads.rq")).read_text(encoding="utf-8")
# A graph no engine holds: the default graph when peerkg has none yet (never the engine's own).
EMPTY_GRAPH = "urn:x-peerkg:empty"
CONNECT_SECONDS = 5.0
# What is read from the engine; re-serialised for the client (and capped again) after.
ACCEPT_SOLUTIONS = "application/sparql-results+json"
ACCEPT_TRIPLES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
TRIPLE_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                  "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                  "application/rdf+xml": ox.RdfFormat.RDF_XML}
# The raw answer may be this many times the result cap (SPARQL JSON is verbose) before it is refused.
RAW_FACTOR = 4
# Triples per INSERT DATA operation: engines compile each operation whole (Virtuoso refuses large ones).
INSERT_CHUNK = 5000
VERSION_TRIES = 3  # runs of a query while commits land (each retry means a commit landed during the last)
# Limits of the backend's own reads (curation's context, dumps): not a client's query.
INTERNAL_BYTES = 4 * 1024**3


class RemoteSparql:
    def __init__(self, query_url: str, update_url: str | None = None, store_url: str | None = None, *,
                 user: str | None = None, password: str | None = None, data_dir: Path = Path("data"),
                 timeout: float = 600.0):
        self.query_url, self.update_url, self.store_url = query_url, update_url, store_url
        self.user, self.password, self.data_dir, self.timeout = user, password, Path(data_dir), timeout
        self.name = f"the SPARQL engine at {query_url}"
        self.writable = update_url is not None
        self.reads_locally = False
        self._pin = threading.local()
        self._server = self._headers = self._dialect = None
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "peerkg"
        # What requests reads from the environment (proxies, NO_PROXY, a CA bundle) is read here, once:
        # left to trust_env it is read again at every request, a sixth of a remote query's CPU.
        self._session.trust_env = False
        self._proxies = {url: requests.utils.get_environ_proxies(url) for url in (query_url, update_url, store_url) if url}
        self._session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        if user is not None:
            self._session.auth = _Auth(user, password or "")

    @classmethod
    def from_settings(cls, settings: Settings) -> "RemoteSparql":
        return cls(settings.backend, settings.backend_update, settings.backend_store, user=settings.backend_user,
                   password=settings.backend_password, data_dir=settings.data_dir)

    def for_worker(self) -> Relay:
        """A confined worker may open no socket: it gets a Relay, never this object."""
        return Relay(self.data_dir, self.name, self.writable)

    # Reads

    def version(self) -> str | None:
        return self._published()[0]

    def fingerprint(self) -> str | None:
        return self._published()[1]

    def named_graphs(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(g) for g in self._published()[2]]

    def query(self, query: Query, limits: Limits) -> bytes:
        checked = guard.check(query.text)  # nothing reaches the engine that the guard has not read
        text = bindings.bind(checked.text, query.bindings)
        # A commit rewrites graphs in place (with the control graph, in one update), so a query that ran
        # after the version was read may have seen the next one's graphs: it counts only if the version is
        # the same after it, and runs again on the new version otherwise.
        for _ in range(VERSION_TRIES):
            version = self._published()[0]
            if query.default_graphs is not None or query.named_graphs is not None:
                dataset = [*(("default-graph-uri", g) for g in query.default_graphs or ()),
                           *(("named-graph-uri", g) for g in query.named_graphs or ())]
            elif query.union_default and not checked.has_dataset:
                dataset = self._union()
            else:
                dataset = []
            body = serialise(self._select(text, dataset, checked.graph_result, limits), query.result_format, limits.max_bytes)
            if self._read_control()[0] == version:
                return body
            self._pin.published = None  # that version is gone: this request reads the new one
        raise EngineUnavailable(f"the graph in {self.name} changed during each of {VERSION_TRIES} tries of the query; "
                                "try again", status=503, title="Service Unavailable")

    def check_and_query(self, text: str, formats: tuple[str | None, str | None], dataset=None) -> None:
        return None  # queries run here, in the web worker: the guard reads a client's query in a query process first

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> list[ox.Quad]:
        bound = tuple((name, term) for name, term in
                      (("subject", subject), ("predicate", predicate), ("object", object), ("graph", graph_name))
                      if term is not None)
        graphs = self._published()[2]
        if graph_name is not None and graph_name.value not in graphs:
            return []
        text = bindings.bind(QUADS_QUERY, bound)
        dataset = [("named-graph-uri", g) for g in graphs or (EMPTY_GRAPH,)]
        fixed, quads, page = dict(bound), [], self.dialect().page
        while True:
            # An engine that cuts answers at so many rows is read a page at a time (LIMIT and OFFSET take
            # integers only: written here, not bound).
            paged = text if page is None else f"{text}LIMIT {page} OFFSET {len(quads)}\n"
            solutions = list(self._select(paged, dataset, False, Limits(self.timeout, INTERNAL_BYTES), whole=page is None))
            quads += [ox.Quad(fixed.get("subject") or s["subject"], fixed.get("predicate") or s["predicate"],
                              fixed.get("object") or s["object"], fixed.get("graph") or s["graph"]) for s in solutions]
            if page is None or len(solutions) < page:
                return quads

    def dump(self, format: ox.RdfFormat, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        return store.dump_quads(self.quads_for_pattern(None, None, None, graph), format, graph, prefixes)

    def _union(self) -> list[tuple[str, str]]:
        graphs = self._published()[2] or (EMPTY_GRAPH,)
        return [*(("default-graph-uri", g) for g in graphs), *(("named-graph-uri", g) for g in graphs)]

    @contextmanager
    def pinned(self):
        """Inside, this thread's reads see the version published at its first read (a web request's)."""
        if getattr(self._pin, "active", False):
            yield  # already pinned (a check inside a request): the outer pin holds, and ends with it
            return
        self._pin.active, self._pin.published = True, None
        try:
            yield
        finally:
            self._pin.active, self._pin.published = False, None

    def _published(self) -> tuple[str | None, str | None, tuple[str, ...]]:
        """The version, fingerprint and named graphs the control graph records (none before a build)."""
        if getattr(self._pin, "active", False):
            if self._pin.published is None:
                self._pin.published = self._read_control()
            return self._pin.published
        return self._read_control()

    def _read_control(self) -> tuple[str | None, str | None, tuple[str, ...]]:
        solutions = list(self._select(CONTROL_QUERY, [("named-graph-uri", iris.CONTROL_GRAPH)], False,
                                      Limits(self.timeout, INTERNAL_BYTES)))
        if not solutions:
            return None, None, ()
        first = solutions[0]
        graphs = tuple(sorted({s["graph"].value for s in solutions if s["graph"] is not None}))
        return first["version"].value, first["fingerprint"].value, graphs

    def dialect(self) -> Dialect:
        """How this engine is written to, from its ``Server`` header (read once, with a probe if need be)."""
        if self._dialect is None:
            if self._server is None:
                self._post(self.query_url, [("query", "ASK {}")], ACCEPT_SOLUTIONS, Limits(CONNECT_SECONDS, 4096), "query")
            self._dialect = dialect_for(self._server or "")
        return self._dialect

    def _select(self, text: str, dataset: list[tuple[str, str]], graph_result: bool, limits: Limits, whole: bool = True):
        """Send a query; its results parsed (solutions, a boolean or triples), refused if the engine cut them
        short (unless ``whole`` is False: a page)."""
        accept = ACCEPT_TRIPLES if graph_result else ACCEPT_SOLUTIONS
        media, body = self._post(self.query_url, [("query", text), *dataset], accept, limits, "query")
        if whole:
            self.dialect().check_complete(self, self._headers)
        try:
            if graph_result:
                fmt = TRIPLE_FORMATS.get(media)
                if fmt is None:
                    raise SyntaxError(f"triples as {media or 'no media type'}")
                return list(ox.parse(body, format=fmt))
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as problem:
            raise EngineUnavailable(guard.excerpt(f"{self.name} answered something peerkg cannot read: {problem}")) from None

    # Writes

    def writer(self):
        self._writable()
        return store.writer(self.data_dir)

    def new_version(self) -> str:
        return store.version_name()

    def publish(self, quads: Iterable[ox.Quad], fingerprint: str, version: str | None = None,
                keep: Collection[ox.NamedNode] = ()) -> str:
        """Replace peerkg's graphs (and only those) but ``keep`` with ``quads``, as the engine's dialect can."""
        self._writable()
        version = version or self.new_version()
        quads = list(quads)
        graphs = {q.graph_name.value for q in quads}
        _, _, before = self._read_control()
        kept = {g.value for g in keep} & set(before)
        self.dialect().publish(self, quads, sorted({*before, *graphs} - kept), self.control(version, fingerprint, sorted(graphs | kept)))
        return version

    def change(self, version: str, cleared: ox.NamedNode | None, added: list[ox.Quad],
               removed_graph: ox.NamedNode | None = None) -> None:
        self._writable()
        _, fingerprint, graphs = self._read_control()
        after = {*graphs, *(q.graph_name.value for q in added)} - ({removed_graph.value} if removed_graph else set())
        self.dialect().change(self, cleared, added, self.control(version, fingerprint or "", sorted(after)))

    def control(self, version: str, fingerprint: str, graphs: list[str]) -> list[ox.Quad]:
        """The control graph rewritten: the new version, and the named graphs it holds."""
        subject = ox.NamedNode(iris.CONTROL_GRAPH)
        triples = [ox.Triple(subject, ox.NamedNode(str(iris.CONTROL.version)), ox.Literal(version)),
                   ox.Triple(subject, ox.NamedNode(str(iris.CONTROL.fingerprint)), ox.Literal(fingerprint)),
                   *(ox.Triple(subject, ox.NamedNode(str(iris.CONTROL.graph)), ox.NamedNode(g)) for g in graphs)]
        return [ox.Quad(t.subject, t.predicate, t.object, subject) for t in triples]

    def update(self, operations: list[str], prologue: str = "") -> None:
        """One update request of ``operations``."""
        self._post(self.update_url, [("update", prologue + " ;\n".join(operations))], "*/*",
                   Limits(self.timeout, INTERNAL_BYTES), "update")

    def _writable(self) -> None:
        if not self.writable:
            raise ReadOnly(f"{self.name} is read-only here: give its update endpoint (--backend-update or "
                           "PEERKG_BACKEND_UPDATE) to build or commit")

    # HTTP

    def _post(self, url: str, form: list[tuple[str, str]], accept: str, limits: Limits, what: str) -> tuple[str, bytes]:
        """POST a form; the answer's media type and body, read within the time limit and the size cap."""
        deadline = time.monotonic() + limits.timeout
        try:
            with self._session.post(url, data=form, headers={"Accept": accept}, stream=True, proxies=self._proxies.get(url),
                                    timeout=(min(CONNECT_SECONDS, limits.timeout), limits.timeout)) as response:
                body = self._read(response, deadline, limits.max_bytes * RAW_FACTOR, what)
        except requests.Timeout:
            raise EngineTimeout(f"{self.name} gave no answer to the {what} within {limits.timeout:g} s") from None
        except requests.ConnectionError as problem:
            raise EngineUnavailable(f"{self.name} is not answering ({_reason(problem)}); try again later",
                                    status=503, title="Service Unavailable") from None
        self._server, self._headers = response.headers.get("Server", ""), response.headers
        if response.status_code >= 400:
            raise self._refusal(response.status_code, body, what)
        return response.headers.get("Content-Type", "").partition(";")[0].strip().lower(), body

    def _read(self, response: requests.Response, deadline: float, cap: int, what: str) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > cap:
                if response.status_code >= 400:
                    break  # the start of an error page is enough to quote
                raise ResultTooLarge(f"{self.name} answered the {what} with more than {cap:,} bytes, past what "
                                     f"the {cap // RAW_FACTOR:,}-byte result limit allows; narrow the query or page it "
                                     "with LIMIT and OFFSET")
            if time.monotonic() > deadline:
                raise EngineTimeout(f"{self.name} did not finish answering the {what} within the time limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _refusal(self, status: int, body: bytes, what: str) -> PeerkgError:
        said = guard.excerpt(" ".join(body.decode("utf-8", "replace").split()), 300)
        if status in (401, 403):
            return EngineUnavailable(f"{self.name} refused peerkg's credentials for the {what} ({status}): check "
                                     f"--backend-user and --backend-password. It said: {said}")
        if status in (400, 414) and what == "query":
            return UserInputError(f"{self.name} refused the query ({status}): {said}")
        return EngineUnavailable(f"{self.name} failed the {what} ({status}): {said}")


class Dialect:
    """How an engine that runs each update request as one transaction (Oxigraph's server, and by default
    any other) is written to: one request per publish or commit, so readers see it whole or not at all.
    An engine that differs has a module of its own (``virtuoso.py``), chosen by its ``Server`` header."""

    page: int | None = None  # rows the engine answers at most (None: no cap)

    def publish(self, engine: RemoteSparql, quads: list[ox.Quad], replaced: list[str], control: list[ox.Quad]) -> None:
        engine.update([*(drop(g) for g in replaced), *inserts(quads), drop(iris.CONTROL_GRAPH), *inserts(control)])

    def change(self, engine: RemoteSparql, cleared: ox.NamedNode | None, added: list[ox.Quad], control: list[ox.Quad]) -> None:
        engine.update([*([drop(cleared.value)] if cleared is not None else []), *inserts(added), drop(iris.CONTROL_GRAPH),
                       *inserts(control)])

    def check_complete(self, engine: RemoteSparql, headers) -> None:
        """Refuse an answer the engine cut short."""


DIALECTS = {"virtuoso": "peerkg.backends.virtuoso:Virtuoso"}  # a word of the Server header → its dialect


def dialect_for(server: str) -> Dialect:
    for word, where in DIALECTS.items():
        if word in server.lower():
            module, _, name = where.partition(":")
            return getattr(importlib.import_module(module), name)()
    return Dialect()


def drop(graph: str) -> str:
    return f"DROP SILENT GRAPH {ox.NamedNode(graph)}"


def inserts(quads: list[ox.Quad], chunk: int = INSERT_CHUNK) -> list[str]:
    """INSERT DATA operations for ``quads``, at most ``chunk`` triples each. SPARQL Update carries data only
    as text: the triples are written by pyoxigraph (N-Triples is SPARQL's triple syntax too)."""
    by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(quad.triple)
    operations = []
    for graph, triples in by_graph.items():
        for start in range(0, len(triples), chunk):
            lines = ox.serialize(triples[start:start + chunk], format=ox.RdfFormat.N_TRIPLES).decode()
            operations.append(f"INSERT DATA {{ GRAPH {graph} {{\n{lines}}} }}")
    return operations


def _reason(problem: Exception) -> str:
    text = str(problem)
    for known in ("Connection refused", "Name or service not known", "Connection reset", "Remote end closed"):
        if known in text:
            return known.lower()
    return guard.excerpt(text, 120)


class _Auth(HTTPDigestAuth):
    """HTTP authentication as the engine asks for it: Digest (Virtuoso's /sparql-auth) or Basic."""

    def handle_401(self, r, **kwargs):
        challenge = r.headers.get("www-authenticate", "").lower()
        if challenge.startswith("basic") and not getattr(r.request, "_peerkg_basic", False):
            r.content  # noqa: B018 - drain the refused answer so the connection can be reused
            r.close()
            again = r.request.copy()
            HTTPBasicAuth(self.username, self.password)(again)
            again._peerkg_basic = True
            answer = r.connection.send(again, **kwargs)
            answer.history.append(r)
            answer.request = again
            return answer
        return super().handle_401(r, **kwargs)
