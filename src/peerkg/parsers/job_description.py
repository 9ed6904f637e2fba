"""Seed 003 (seeds/003_271100d76ceb042c.txt): "What do peer support workers do? A job description" (Jacobson et al.): title, authors, structured abstract, 39 references.

Read by the reader of its kind, ``article-with-references`` (``peerkg.readers.article_with_references``), which reads any document of
that kind; this module names the seed's stem, file and article key, and the names its role activities were
published under (``scheme/peer-role-activities``, ``role-activity/<label>``), which seeds/manifest.toml records
for imports too.
"""

from __future__ import annotations

from rdflib import Graph

from ..readers import article_with_references as reader

STEM = "job_description"
FILE_NAME = "003_271100d76ceb042c.txt"
ARTICLE_KEY = "jacobson-job-description"
KIND = "article-with-references"
# The job description's role activities were published before role activities were keyed by their article.
READER_OPTIONS = {"scheme": "peer-role-activities", "scheme_title": "Peer role activities", "within": "",
                  "article_called": "the job description"}


def parse(text: str, vocab) -> Graph:
    return reader.parse(text, vocab, STEM, FILE_NAME, ARTICLE_KEY, **READER_OPTIONS)
