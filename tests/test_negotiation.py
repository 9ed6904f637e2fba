"""negotiation.best_match decides as werkzeug's MIMEAccept.best_match does, for every offer list the app uses."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from peerkg.web import negotiation

OFFERS = [
    list(negotiation.RESULT_TYPES),
    list(negotiation.RDF_TYPES),
    [*negotiation.RESULT_TYPES, *negotiation.PAGE_TYPES],
    [*negotiation.RDF_TYPES, *negotiation.PAGE_TYPES],
    ["application/json", "text/html"],
    ["text/html", "application/json", "text/plain"],
    ["*/*", "text/turtle"],
    ["text/turtle;charset=utf-8", "text/turtle", "application/n-triples"],
]
ACCEPTS = [
    "application/sparql-results+json",
    "APPLICATION/Sparql-Results+JSON",
    "text/turtle",
    "*/*",
    "text/*",
    "*/json",  # invalid: never matches
    "json",  # no slash: never matches
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "application/sparql-results+json;q=0.5, application/sparql-results+xml",
    "text/csv;q=0, */*;q=0.1",
    "application/json;q=0.9, text/html;q=0.9",
    "text/turtle;charset=utf-8",
    "text/turtle; charset=utf-8, text/turtle;q=0.5",
    "application/n-triples;q=1.0, text/turtle;q=1.0, */*;q=0.2",
    "text/plain;q=0.5, text/*;q=0.7, */*;q=0.1",
    "application/xml, application/rdf+xml;q=0.9",
    "image/png",
    "text/html;level=1, text/html;q=0.4",
    "*/*;q=0",
    "text/html;q=0.8, application/ld+json, application/json;q=0.8",
]


@pytest.mark.parametrize("header", ACCEPTS)
@pytest.mark.parametrize("offers", OFFERS, ids=range(len(OFFERS)))
def test_best_match_is_werkzeugs(header, offers):
    accept = parse_accept_header(header, MIMEAccept)
    assert negotiation.best_match(accept, offers) == accept.best_match(offers)
