"""Seed 002 (seeds/002_eb184550ae9a1ff6.txt): the abstract page of a 2013 qualitative metasynthesis, with 5 citing articles.

Read by the reader of its kind, ``pubmed-page`` (``peerkg.readers.pubmed_page``), which reads any document of
that kind; this module names the seed's stem, file and article key.
"""

from __future__ import annotations

from rdflib import Graph

from ..readers import pubmed_page as reader

STEM = "metasynthesis_page"
FILE_NAME = "002_eb184550ae9a1ff6.txt"
ARTICLE_KEY = "metasynthesis-2013"
KIND = "pubmed-page"


def parse(text: str, vocab) -> Graph:
    return reader.parse(text, vocab, STEM, FILE_NAME, ARTICLE_KEY)
