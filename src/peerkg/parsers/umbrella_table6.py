"""Seed 001 (seeds/001_85302dd9911c6030.txt): Table 6 of an umbrella review: categories, themes, valence lines, findings.

Read by the reader of its kind, ``theme-table`` (``peerkg.readers.theme_table``), which reads any document of
that kind; this module names the seed's stem, file and article key, and the names its themes were published
under (``scheme/umbrella-themes``, ``theme/<label>``), which seeds/manifest.toml records for imports too.
"""

from __future__ import annotations

from rdflib import Graph

from ..readers import theme_table as reader

STEM = "umbrella_table6"
FILE_NAME = "001_85302dd9911c6030.txt"
ARTICLE_KEY = "umbrella-review"
KIND = "theme-table"
# The first theme table's concepts were published before themes were keyed by their review.
READER_OPTIONS = {"scheme": "umbrella-themes", "scheme_title": "Themes of the umbrella review", "within": ""}


def parse(text: str, vocab) -> Graph:
    return reader.parse(text, vocab, STEM, FILE_NAME, ARTICLE_KEY, **READER_OPTIONS)
