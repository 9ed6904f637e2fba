"""The resources a version describes, listed in a file when it is published.

``resources.txt`` in the version's export directory holds the IRI of every resource with a page of its own
(canned query ``sitemap_resources``, bound to the URI space), one per line, sorted by their UTF-8 bytes.
The sitemap reads it instead of querying, and a missing IRI's 404 names the IRIs beside it by a binary
search of the file: a scan of the store for every mistyped IRI would let any client make the server read
the whole graph (2.7 s a request at 10^5 triples).
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pyoxigraph as ox

from . import iris, queries
from .backends import Limits, Query

FILE = "resources.txt"


def write(backend, directory: Path, queries_dir: Path, limits: Limits) -> None:
    """List what ``backend`` publishes into ``directory``; the file appears whole or not at all."""
    query = queries.get(queries_dir, "sitemap_resources")
    body = backend.query(Query(query.text, "tsv", (("space", ox.Literal(iris.uri_space())),)), limits)
    lines = body.decode("utf-8").splitlines()[1:]  # the header names the columns
    listed = sorted({line.split("\t", 1)[0][1:-1].encode("utf-8") for line in lines if line.startswith("<")})
    partial = Path(directory) / f".{FILE}.{os.getpid()}.tmp"
    partial.write_bytes(b"".join(iri + b"\n" for iri in listed))
    os.replace(partial, Path(directory) / FILE)


def read(directory: Path) -> list[str] | None:
    """Every listed IRI, in order; None when the version's list was never written."""
    try:
        return (Path(directory) / FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None


def starting_with(directory: Path, prefix: str, limit: int) -> list[str] | None:
    """At most ``limit`` listed IRIs that start with ``prefix``, in order; None without a list."""
    try:
        handle = open(Path(directory) / FILE, "rb")
    except FileNotFoundError:
        return None
    with handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return []
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as text:
            key = prefix.encode("utf-8")
            position = _first_line_not_below(text, key)
            found = []
            while position < len(text) and len(found) < limit:
                end = text.find(b"\n", position)
                line = text[position:end]
                if not line.startswith(key):
                    break
                found.append(line.decode("utf-8"))
                position = end + 1
            return found


def lists(directory: Path, iri: str) -> bool:
    """Whether the version's list names ``iri`` (False also when it has no list): the list is sorted, so
    ``iri`` itself comes first of the IRIs that start with it."""
    return starting_with(directory, iri, 1) == [iri]


def _first_line_not_below(text: mmap.mmap, key: bytes) -> int:
    """The offset of the first line that sorts at or after ``key`` (the file's length if none does)."""
    low, high = 0, len(text)  # both always at the start of a line (or the end)
    while low < high:
        start = text.rfind(b"\n", 0, (low + high) // 2) + 1
        start = max(start, low)
        end = text.find(b"\n", start)
        if text[start:end] < key:
            low = end + 1
        else:
            high = start
    return low
