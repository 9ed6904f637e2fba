"""Seed 000 (seeds/000_55cb9b85baa6787a.txt): Table 3 of a 2012 literature review: 8 qualitative studies.

Read by the reader of its kind, ``study-table`` (``peerkg.readers.study_table``), which reads any document of
that kind; this module names the seed's stem, file and article key.
"""

from __future__ import annotations

from rdflib import Graph

from ..readers import study_table as reader

STEM = "review_table3"
FILE_NAME = "000_55cb9b85baa6787a.txt"
ARTICLE_KEY = "review-2012"
KIND = "study-table"


def parse(text: str, vocab) -> Graph:
    return reader.parse(text, vocab, STEM, FILE_NAME, ARTICLE_KEY)
