"""The curated SKOS vocabularies (vocab/*.ttl) and the lookup parsers use to map wording to concepts."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from . import formats, iris


class Vocabulary:
    """Concepts by scheme and label: every prefLabel and altLabel, matched case-insensitively."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._index: dict[tuple[URIRef, str], URIRef] = {}
        for concept, scheme in graph.subject_objects(SKOS.inScheme):
            for predicate in (SKOS.prefLabel, SKOS.altLabel):
                for label in graph.objects(concept, predicate):
                    self._index[(scheme, _key(label))] = concept

    def concept(self, scheme_name: str, label: str) -> URIRef:
        """The concept of scheme ``scheme_name`` labelled ``label``; ``KeyError`` names what is missing."""
        try:
            return self._index[(iris.scheme(scheme_name), _key(label))]
        except KeyError:
            raise KeyError(f"no concept labelled {label!r} in scheme {scheme_name!r} (vocab/{scheme_name}.ttl)") from None


def _key(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def load(directory: Path) -> Vocabulary:
    """Read every ``*.ttl`` of ``directory``; relative IRIs resolve against the configured base, and a syntax
    error names the file, line and column."""
    return Vocabulary(formats.read_files(sorted(directory.glob("*.ttl"))))
