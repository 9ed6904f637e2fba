"""Property-based fuzzing of the request readers against a live server: whatever the parameters, headers
and bodies (in every media type the server accepts), the answer is never a 5xx other than the documented
503 (a limit reached), a rejected write changes nothing, and the server goes on answering."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import start_server
from peerkg import build
from peerkg.config import Settings

TOKEN = "fuzzing-curator-token-0123456789abcdef"
W = "https://w3id.org/peerkg/"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
RDF_TYPES = ["text/turtle", "application/n-triples", "application/n-quads", "application/trig", "application/ld+json",
             "application/rdf+xml", "application/json", "application/xml", "text/plain"]
QUERY_TYPES = ["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update"]
ACCEPTS = ["*/*", "text/html", "application/sparql-results+json", "text/csv", "text/turtle", "application/ld+json",
           "application/n-quads", "text/plain", "application/problem+json", "image/png", ""]
SPARQL_WORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "?s", "?p", "?o", "SERVICE", "<http://127.0.0.1:1/>",
                "FILTER", "(", ")", "#", "\r", "\n", "\"", "'", "\\U0011FFFF", "\\u0000", "GRAPH", "FROM", "LIMIT", "1", "*",
                ".", ";", "a", "PREFIX", "x:", "<x>", "VALUES", "BIND", "CONCAT", "REGEX", "INSERT", "DATA", "LOAD"]
RDF_WORDS = ["@prefix", "ex:", "<http://e/s>", "<https://w3id.org/peerkg/id/study/x>", "a", ";", ".", ",", "[", "]", "(", ")",
             "\"x\"", "\"\"\"", "^^", "@en", "{", "}", "\"@id\":", "\"@context\":", "<!DOCTYPE", "<!ENTITY", "&a;", "<rdf:RDF>",
             "_:b", "\n", "\r", "\u0000", "\ud7ff", "1.5e3", "true"]

text = st.text(max_size=300)
sparql_like = st.lists(st.sampled_from(SPARQL_WORDS) | st.text(max_size=8), max_size=40).map(" ".join)
rdf_like = st.lists(st.sampled_from(RDF_WORDS) | st.text(max_size=8), max_size=60).map(" ".join)
body = st.binary(max_size=2000) | rdf_like.map(str.encode) | text.map(lambda t: t.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    data = Settings(data_dir=tmp_path_factory.mktemp("fuzzed"))
    build.build(data)
    served = start_server(data.data_dir, "--workers", "2", "--query-timeout", "3",
                          env={"PEERKG_TOKENS": f"fuzzer:{TOKEN}", "PEERKG_VALIDATE_TIMEOUT": "5", "PEERKG_QUERIES_PER_CLIENT": "0"})
    yield served.url
    assert served.stop() == 0
    assert served.crashed_workers() == []


def acceptable(response) -> bool:
    return response.status_code < 500 or response.status_code == 503


def still_answers(url: str) -> None:
    assert requests.get(url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"},
                        timeout=30).json()["boolean"] is True


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["query", "format", "output", "default-graph-uri", "named-graph-uri", "update", "x"]),
                              sparql_like | text, max_size=4),
       accept=st.sampled_from(ACCEPTS))
def test_get_sparql(live, params, accept):
    response = requests.get(live + "/sparql", params=params, headers={"Accept": accept}, timeout=30)
    assert acceptable(response), (response.status_code, response.text[:300])


@FUZZ
@given(media=st.sampled_from(QUERY_TYPES + RDF_TYPES[:2] + ["", "multipart/form-data"]), data=sparql_like.map(str.encode) | body,
       accept=st.sampled_from(ACCEPTS))
def test_post_sparql(live, media, data, accept):
    response = requests.post(live + "/sparql", data=data, headers={"Content-Type": media, "Accept": accept}, timeout=30)
    assert acceptable(response), (response.status_code, response.text[:300])


@FUZZ
@given(media=st.sampled_from(RDF_TYPES + ["", "text/csv"]), data=body, accept=st.sampled_from(ACCEPTS))
def test_post_validate(live, media, data, accept):
    response = requests.post(live + "/validate", data=data, headers={"Content-Type": media, "Accept": accept}, timeout=60)
    assert acceptable(response), (response.status_code, response.text[:300])


@FUZZ
@given(media=st.sampled_from(RDF_TYPES), data=body, method=st.sampled_from(["PUT", "POST"]))
def test_rejected_writes_change_nothing(live, media, data, method):
    graph = f"{W}graph/curated/fuzz"
    response = requests.request(method, live + "/store", params={"graph": graph}, data=data,
                                headers={"Content-Type": media, "Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert acceptable(response), (response.status_code, response.text[:300])
    if response.status_code >= 300:
        assert requests.get(live + "/store", params={"graph": graph}, timeout=30).status_code == 404
    else:  # random bytes that happen to conform (an empty graph): undo, so the next example starts from nothing
        assert requests.delete(live + "/store", params={"graph": graph}, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 204


@FUZZ
@given(prefix=st.sampled_from(["/id/", "/graph/", "/queries/", "/ontology/", "/download/", "/store?graph=", "/evidence-map", "/"]),
       rest=text, accept=st.sampled_from(ACCEPTS), etag=st.none() | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=80))
def test_paths_and_headers(live, prefix, rest, accept, etag):
    headers = {"Accept": accept} | ({"If-None-Match": etag} if etag else {})
    response = requests.get(live + prefix + quote(rest.encode("utf-8", "surrogatepass"), safe="/?=&"), headers=headers, timeout=30)
    assert acceptable(response), (response.status_code, response.text[:300])


def test_the_server_still_answers_after_the_fuzzing(live):
    still_answers(live)
