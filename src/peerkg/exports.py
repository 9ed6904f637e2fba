"""The downloadable files of a store version: the dataset in every RDF format, gzipped too, with checksums.

One export directory holds::

    peerkg.ttl  peerkg.nt  peerkg.nq  peerkg.trig  peerkg.jsonld  peerkg.rdf   (and each again as .gz)
    ontology/peerkg.ttl   shapes/*.ttl   queries/*.rq
    SHA256SUMS            (sha256sum format, over every other file)

A version's export, written when it is published, also holds what its pages read instead of querying the
whole graph on a request (not downloads, so not in SHA256SUMS): ``dataset.json``, the dataset
description's facts (``peerkg.dataset``), and ``resources.txt``, its resources (``peerkg.resource_list``).

Triple formats (Turtle, N-Triples, RDF/XML) hold the union of the named graphs, each triple once; quad
formats (N-Quads, TriG, JSON-LD) hold every named graph. The same store gives byte-identical files:
pyoxigraph's dumps are deterministic for the same content, and gzip gets no time stamp and no file name.
A directory is written beside its target and renamed into place, so a reader never sees half of one.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import formats, resource_list
from .backends import Limits
from .config import Settings
from .errors import PeerkgError, UserInputError

log = logging.getLogger(__name__)

DIRECTORY = "downloads"  # in the data directory: downloads/<version>/
STALE_STAGING_SECONDS = 3600  # a staging directory this old was left by a killed process
STEM = "peerkg"
SUMS = "SHA256SUMS"
GZIP = "application/gzip"
# The publisher's own reads of the whole graph: bounded by the job, not by a client's limits.
LIMITS = Limits(timeout=3600.0, max_bytes=2**40)
MEDIA_TYPES = {f.suffix: f.media_type for f in formats.RDF.values()} | {"gz": GZIP, "rq": "application/sparql-query"}


@dataclass(frozen=True)
class Export:
    path: str  # relative to the export directory, with "/" between folders: "peerkg.ttl.gz", "shapes/themes.ttl"
    media_type: str
    size: int
    sha256: str

    @property
    def dump(self) -> bool:
        """Whether this file is the whole dataset (in some format, maybe gzipped)."""
        return "/" not in self.path and self.path.startswith(STEM + ".")

    @property
    def content_media_type(self) -> str:
        """The media type of the content: for a .gz file, the type of what it holds."""
        return media_type(self.path.removesuffix(".gz"))


def media_type(path: str) -> str:
    if path.rpartition("/")[2] == SUMS:
        return "text/plain"
    suffix = path.rpartition(".")[2]
    if suffix not in MEDIA_TYPES:
        raise PeerkgError(f"no media type for {path}")
    return MEDIA_TYPES[suffix]


def write(store, directory: Path, settings: Settings | None = None, *, replace: bool = True,
          published: bool = False) -> list[Export]:
    """Write every file of ``store``'s export into ``directory``, atomically, and list them; with
    ``published``, also what the version's pages read (the dataset's facts, its resources).

    An existing export in ``directory`` is replaced (``replace``), or kept and listed (not ``replace``:
    then two processes racing to write the same version both end up with the complete set). A
    directory that holds anything else is refused.
    """
    settings = settings or Settings()
    directory = Path(directory)
    _check_target(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".tmp", dir=directory.parent))
    try:
        _fill(store, staging, settings)
        if published:
            _products(store, staging, settings)
        staging.chmod(0o755)
        _move_into_place(staging, directory, replace)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read(directory)


def ensure(backend, directory: Path, settings: Settings | None = None) -> list[Export]:
    """The export of what ``backend`` publishes in ``directory``, written first if it is not there yet."""
    if (directory / SUMS).is_file():
        return read(directory)
    return write(backend, directory, settings, replace=False, published=True)


def location(data_dir: Path, version: str) -> Path:
    """Where the export of ``version`` lives."""
    return Path(data_dir) / DIRECTORY / version


def publish(backend, settings: Settings) -> list[Export]:
    """The export of the version ``backend`` publishes now, written if need be, and older ones pruned: what
    a publisher does, so that no request has to write it."""
    version = backend.version()
    log.info("writing the downloads of version %s", version)
    files = ensure(backend, location(settings.data_dir, version), settings)
    prune(settings.data_dir, keep=version)
    return files


def prune(data_dir: Path, keep: str) -> None:
    """Remove exports of versions no longer published, and staging left by killed processes (an embedded
    store keeps a few versions beside the current one; of an engine's, only the current one is kept)."""
    from .store import STORES

    root, stores = Path(data_dir) / DIRECTORY, Path(data_dir) / STORES
    for path in root.iterdir() if root.is_dir() else ():
        if path.name.startswith("."):
            try:
                stale = time.time() - path.stat().st_mtime > STALE_STAGING_SECONDS
            except FileNotFoundError:  # renamed into place or removed by another process meanwhile
                continue
            if stale:
                shutil.rmtree(path, ignore_errors=True)
        elif path.name != keep and not (stores / path.name).is_dir():
            shutil.rmtree(path, ignore_errors=True)


def read(directory: Path) -> list[Export]:
    """The files of a complete export directory, in the order of its SHA256SUMS (which comes last)."""
    sums = directory / SUMS
    if not sums.is_file():
        raise PeerkgError(f"{directory} holds no export ({SUMS} is missing)")
    listing = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, path = line.partition("  ")
        file = directory / path
        if not file.is_file():
            raise PeerkgError(f"{file} is listed in {sums} but missing")
        listing.append(Export(path, media_type(path), file.stat().st_size, digest))
    data = sums.read_bytes()
    listing.append(Export(SUMS, media_type(SUMS), len(data), hashlib.sha256(data).hexdigest()))
    return listing


def _check_target(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise UserInputError(f"{directory} is a file; give a directory to write the export into")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / SUMS).is_file():
        raise UserInputError(f"{directory} is not empty and holds no peerkg export ({SUMS}); give a new or empty directory")


def _fill(store, staging: Path, settings: Settings) -> None:
    written: list[tuple[str, bytes]] = []

    def put(path: str, data: bytes) -> None:
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append((path, data))

    for format_name, data in formats.dumps(store, formats.RDF):
        name = f"{STEM}.{formats.RDF[format_name].suffix}"
        log.info("writing %s (and .gz)", name)
        put(name, data)
        put(name + ".gz", _gzip(data))
    put("ontology/" + settings.ontology_path.name, settings.ontology_path.read_bytes())
    for folder, pattern in ((settings.shapes_dir, "*.ttl"), (settings.queries_dir, "*.rq")):
        for path in sorted(folder.glob(pattern)):
            put(f"{folder.name}/{path.name}", path.read_bytes())
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in written)
    (staging / SUMS).write_text(sums, encoding="utf-8")


def _products(backend, staging: Path, settings: Settings) -> None:
    from . import dataset  # here: it reads this module's Export (a cycle at import time)

    log.info("listing the resources and gathering the dataset's facts")
    resource_list.write(backend, staging, settings.queries_dir, LIMITS)
    facts = dataset.gather(dataset.backend_runner(backend, LIMITS), settings.queries_dir, backend.version())
    dataset.save(facts, staging)


def _gzip(data: bytes) -> bytes:
    """gzip without the time stamp and file name that would make two runs differ; level 6 (gzip's own
    default): level 9 took 2-3 times as long for files a few percent smaller."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=6, mtime=0) as compressed:
        compressed.write(data)
    return out.getvalue()


def _move_into_place(staging: Path, directory: Path, replace: bool) -> None:
    """Rename ``staging`` to ``directory``; rename(2) replaces an empty directory, never a full one."""
    try:
        os.rename(staging, directory)
        return
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    if not replace:
        return  # another process published this export first: the same bytes, already complete
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".old", dir=directory.parent))
    os.rename(directory, retired / directory.name)
    try:
        os.rename(staging, directory)
    except OSError:
        os.rename(retired / directory.name, directory)  # put the previous export back
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)
