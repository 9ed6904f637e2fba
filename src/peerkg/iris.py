"""Namespaces, prefixes and IRI minting: the only module in src/ that spells out an IRI.

Instance IRIs are minted from stable keys (author + year, a label's slug, a line number), never from
blank nodes or random ids, so that the same seeds always give the same triples.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    XSD,
    DefinedNamespace,
)

from .errors import UserInputError

DEFAULT_BASE = "https://w3id.org/peerkg/"
ONTOLOGY_IRI = "https://w3id.org/peerkg/ontology"


class PKG(DefinedNamespace):
    """The peerkg ontology (ontology/peerkg.ttl). A typo in a term is an error."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    SourceDocument: URIRef
    SourcePassage: URIRef
    Study: URIRef
    QualitativeStudy: URIRef
    Review: URIRef
    LiteratureReview: URIRef
    UmbrellaReview: URIRef
    QualitativeMetasynthesis: URIRef
    InformantGroup: URIRef
    AbstractSection: URIRef
    Method: URIRef
    DataCollectionMethod: URIRef
    AnalysisMethod: URIRef
    Theme: URIRef
    ThemeCategory: URIRef
    ValenceStatement: URIRef
    Finding: URIRef
    Valence: URIRef
    RoleActivity: URIRef
    InformantRole: URIRef
    SampleGroup: URIRef
    WorkMatch: URIRef
    Commit: URIRef
    # individuals
    ValenceScheme: URIRef
    benefit: URIRef
    challenge: URIRef
    # object properties
    reportedIn: URIRef
    reports: URIRef
    reviews: URIRef
    hasInformantGroup: URIRef
    reviewedPopulation: URIRef
    role: URIRef
    dataCollectionMethod: URIRef
    analysisMethod: URIRef
    theme: URIRef
    valence: URIRef
    sampleGroup: URIRef
    stakeholder: URIRef
    backedBy: URIRef
    matchedWork: URIRef
    # datatype properties
    sha256: URIRef
    line: URIRef
    locator: URIRef
    authorsAsWritten: URIRef
    focusedTheme: URIRef
    conclusion: URIRef
    setting: URIRef
    methodAsWritten: URIRef
    sampleSize: URIRef
    numberOfStudiesSynthesised: URIRef
    referenceNumber: URIRef
    stakeholdersAsWritten: URIRef
    specialty: URIRef
    statedCitationCount: URIRef
    matchKey: URIRef


FABIO = Namespace("http://purl.org/spar/fabio/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
CITO = Namespace("http://purl.org/spar/cito/")
BIRO = Namespace("http://purl.org/spar/biro/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
#: Where a SPARQL engine backend keeps what it publishes besides the data (the version, peerkg's named
#: graphs): not part of the dataset, so outside the base. backends/*.rq read it.
CONTROL_GRAPH = "urn:x-peerkg:control"
CONTROL = Namespace("urn:x-peerkg:control#")
#: Where validation keeps each node shape's focus nodes while its checks run (``<shape> FOCUS.node ?this``),
#: in the store it validates, whose default graph is the data: found once per shape (peerkg.shacl_sparql).
FOCUS_GRAPH = "urn:x-peerkg:focus"
FOCUS = Namespace("urn:x-peerkg:focus#")
#: IANA's register of media types: a media type's IRI is this plus the type, e.g. ``…/text/turtle``.
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

#: The prefixes every serialisation and query of the project uses.
PREFIXES: dict[str, str] = {
    "pkg": str(PKG._NS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "schema": str(SDO),
    "fabio": str(FABIO),
    "prism": str(PRISM),
    "cito": str(CITO),
    "biro": str(BIRO),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
    "sd": str(SD),
    "spdx": str(SPDX),
}


def base() -> str:
    """The configured instance base (``PEERKG_BASE``), always ending in a slash."""
    value = os.environ.get("PEERKG_BASE", DEFAULT_BASE)
    return value if value.endswith("/") else value + "/"


# Letters that Unicode does not decompose into a base letter and a mark ("Ødegård" → "odegard", not "degard").
_UNDECOMPOSED = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss", "Ł": "L",
                               "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "ı": "i"})


def slug(text: str) -> str:
    """A readable, stable path segment: ``"Skill building/mentoring"`` → ``"skill-building-mentoring"``."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def mint(*segments: str | int) -> URIRef:
    """An instance IRI under ``<base>id/``; each segment is used as given (callers slug their keys)."""
    return URIRef(base() + "id/" + "/".join(str(s) for s in segments))


def graph(name: str) -> URIRef:
    """The IRI of a named graph, e.g. ``graph("review_table3")``."""
    return URIRef(base() + "graph/" + name)


def document(stem: str) -> URIRef:
    return mint("document", stem)


def passage(stem: str, line: int) -> URIRef:
    return mint("passage", stem, line)


def work(key: str) -> URIRef:
    return mint("work", key)


def study(key: str) -> URIRef:
    return mint("study", key)


def person(name_as_written: str) -> URIRef:
    return mint("person", slug(name_as_written))


def organisation(name_as_written: str) -> URIRef:
    """An organisation named as written, such as a book's publisher (``American Psychiatric Press``)."""
    return mint("organisation", slug(name_as_written))


def authorship(work_key: str, position: int) -> URIRef:
    """The attribution of a work to its ``position``-th author (1 for the first)."""
    return mint("work", work_key, "author", position)


def reference(work_key: str, number: int) -> URIRef:
    return mint("reference", work_key, number)


def informant_group(study_key: str, label: str) -> URIRef:
    return mint("study", study_key, "informants", slug(label))


def abstract_section(work_key: str, position: int) -> URIRef:
    return mint("work", work_key, "abstract", position)


def valence_statement(theme_label: str, valence_key: str, within: str = "") -> URIRef:
    """``valence_key`` is ``benefit``, ``challenge`` or ``none`` (a line that states no valence); ``within`` as
    for ``concept``: ``valence-statement/<within>/<theme>/<valence>``."""
    return mint("valence-statement", *_within(within), slug(theme_label), valence_key)


def finding(theme_label: str, valence_key: str, group_label: str, within: str = "") -> URIRef:
    return mint("finding", *_within(within), slug(theme_label), valence_key, slug(group_label))


def import_document(file_name: str, sha256: str) -> str:
    """The stem of an imported file: its name and the first 8 hex digits of its SHA-256
    (``refs.ris`` → ``refs-3f2a4c8e``), so that two files of one name are two documents and one file is one."""
    return f"{slug(file_name.rsplit('.', 1)[0]) or 'document'}-{sha256[:8]}"


def import_match(work_iri: str, stem: str) -> URIRef:
    """The evidence that a work an imported document describes is one already in the graph."""
    return mint("match", key_of(work_iri), stem)


def work_match(work_iri: str) -> URIRef:
    """The evidence that two documents cite the same work, keyed like the work."""
    return mint("match", key_of(work_iri))


def key_of(iri: str) -> str:
    """The last path segment of an instance IRI: its key (``…/id/work/mowbray-1996`` → ``mowbray-1996``)."""
    return str(iri).rsplit("/", 1)[-1]


def is_work(iri: str) -> bool:
    return str(iri).startswith(base() + "id/work/") and "/" not in str(iri)[len(base() + "id/work/"):]


def build_activity(digest: str) -> URIRef:
    return mint("build", digest)


def software(version: str) -> URIRef:
    return mint("software", "peerkg", version)


def build_input(relative_path: str) -> URIRef:
    return mint("input", slug(relative_path))


def uri_space() -> str:
    """Where every instance IRI lives: ``<base>id/``."""
    return base() + "id/"


def scheme(name: str) -> URIRef:
    return mint("scheme", name)


def concept(kind: str, label: str, within: str = "") -> URIRef:
    """A concept minted from its label, e.g. ``concept("theme", "Workload")``; ``within`` a key the label is
    read within (``theme/<within>/<label>``), so that two reviews' themes of one label stay two themes."""
    return mint(kind, *_within(within), slug(label))


def _within(key: str) -> tuple[str, ...]:
    return (key,) if key else ()


def theme_keys(review_key: str) -> tuple[str, str]:
    """A review's theme table: the name of its concept scheme (``scheme/<review>-themes``) and the key its
    categories, themes, valence statements and findings are minted within (the review's, ``theme/<review>/…``).
    ``review_key`` is the key of the reviewing work (``work/<review_key>``). The seed's table keeps the names
    it was published under (``scheme/umbrella-themes``, ``theme/<label>``): its manifest entry gives them."""
    return f"{review_key}-themes", review_key


def role_activity_keys(article_key: str) -> tuple[str, str]:
    """An article's peer role activities, by the rule of ``theme_keys``: the name of their concept scheme
    (``scheme/<article>-role-activities``) and the key they are minted within (``role-activity/<article>/<label>``).
    The seed's job description keeps the names it was published under (``scheme/peer-role-activities``,
    ``role-activity/<label>``): its manifest entry gives them."""
    return f"{article_key}-role-activities", article_key


def work_key(family_name: str, year: int | str | None, title: str = "", distinct: bool = False) -> str:
    """``mowbray-1996``; without a year ``rogers-nd-systematic`` (family name, ``nd``, first title word);
    ``distinct``: a second work of the same first author and year, ``smith-2020-peer`` (its first title word)."""
    if year and distinct:
        return "-".join(part for part in (slug(family_name), str(year), slug(title).split("-")[0]) if part)
    if year:
        return f"{slug(family_name)}-{year}"
    first_word = slug(title).split("-")[0] if title else ""
    return "-".join(part for part in (slug(family_name), "nd", first_word) if part)


# --- Curation: graphs that curators write, and the log of their commits ---------------------------------

CURATED = "curated/"


def curated_graph(name: str) -> URIRef:
    """A curated graph from its name (``"smith-2024"``) or its full IRI, which must lie under ``<base>graph/curated/``."""
    prefix = str(graph(CURATED))
    if ":" in name:
        if not name.startswith(prefix) or not name[len(prefix):]:
            raise UserInputError(f"{name} is not a curated graph: curated graphs are named {prefix}<name>")
        name = name[len(prefix):]
    if slug(name) != name:
        raise UserInputError(f"{name!r} is not a graph name: use lowercase letters, digits and hyphens ({slug(name)!r})")
    return URIRef(prefix + name)


def posted_graph(slug_header: str | None, body: bytes | None = None, *, sha256: str | None = None) -> URIRef:
    """The curated graph the server names for a POST to the graph store itself (no ``?graph=``): the client's
    ``Slug`` header as a name when it gives one, else the first 16 hex digits of the body's SHA-256 (or of
    ``sha256``, a body's digest computed as it was read from disk), so the same submission always gets the same IRI."""
    name = slug(slug_header or "") or "posted-" + (sha256 or hashlib.sha256(body).hexdigest())[:16]
    return curated_graph(name)


def is_curated_graph(iri: str) -> bool:
    return str(iri).startswith(str(graph(CURATED)))


def curation_log() -> URIRef:
    return graph("curation-log")


def commit(version: str) -> URIRef:
    """A commit is named after the store version it published."""
    return mint("commit", version)


def curator(name: str) -> URIRef:
    return mint("curator", slug(name))
