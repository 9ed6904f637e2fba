"""The peerkg command line, run through click's runner against a real on-disk store."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from peerkg import build
from peerkg.cli import main
from peerkg.config import PROJECT_ROOT
from peerkg.errors import UserInputError


@pytest.fixture
def run(built):
    def invoke(*args: str):
        return CliRunner().invoke(main, ["--quiet", "--data-dir", str(built.data_dir), *args])

    return invoke


def test_stats_counts_per_graph_and_class(run):
    result = run("stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert ["https://w3id.org/peerkg/graph/review_table3", "314"] in [line.split() for line in lines]
    assert any(line.split() == ["https://w3id.org/peerkg/ontology#Finding", "42"] for line in lines)
    assert any(line.split() == ["https://w3id.org/peerkg/ontology#Theme", "20"] for line in lines)
    # 12 (15 in 0.1.0, which made the metasynthesis's three reviewed populations informant groups)
    assert any(line.split() == ["https://w3id.org/peerkg/ontology#InformantGroup", "12"] for line in lines)


def test_query_a_canned_query_as_csv(run):
    result = run("query", "table3", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "study,authors,year,ref,focused_theme,informant,n,method,conclusion"
    assert len(lines) == 13


def test_query_text_as_json(run):
    result = run("query", "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/peerkg/ontology#Theme> }", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"][0]["n"]["value"] == "20"


def test_query_a_construct_as_turtle(run):
    result = run("query", "CONSTRUCT { ?t ?p ?o } WHERE { GRAPH ?g { ?t a <https://w3id.org/peerkg/ontology#Theme> ; ?p ?o } }", "-f", "turtle")
    assert result.exit_code == 0, result.output
    assert len(set(Graph().parse(data=result.output, format="turtle").subjects())) == 20


def test_a_bad_query_is_a_message_not_a_traceback(run):
    result = run("query", "SELECT ?x WHERE { ?x ")
    assert result.exit_code == 1
    assert result.output.startswith("Error: SPARQL syntax error")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt, rdflib_format, dataset", [
    ("trig", "trig", True), ("nquads", "nquads", True), ("turtle", "turtle", False),
    ("ntriples", "nt", False), ("rdfxml", "xml", False), ("jsonld", "json-ld", True),
])
def test_export_parses_back_with_every_triple(run, tmp_path, kg, fmt, rdflib_format, dataset):
    out = tmp_path / f"dump.{fmt}"
    result = run("export", "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    quads = len(list(kg.quads()))
    if dataset:
        parsed = Dataset()
        parsed.parse(data=out.read_bytes(), format=rdflib_format)
        assert sum(len(parsed.graph(g)) for g in parsed.graphs() if len(parsed.graph(g))) == quads
    else:
        distinct = len({(q.subject, q.predicate, q.object) for q in kg.quads()})
        assert len(Graph().parse(data=out.read_bytes(), format=rdflib_format)) == distinct


def test_validate_a_good_file_and_a_bad_one(run, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/peerkg/id/scheme/x> a skos:ConceptScheme .\n"
        # every concept says what it means (a definition or a scope note)
        '<https://w3id.org/peerkg/id/x/a> a skos:Concept ; skos:prefLabel "a"@en ; skos:definition "The letter a."@en ;'
        ' skos:inScheme <https://w3id.org/peerkg/id/scheme/x> .\n'
    )
    assert run("validate", str(good)).exit_code == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text(good.read_text().replace(' skos:prefLabel "a"@en ;', ""))
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert "https://w3id.org/peerkg/id/x/a" in result.output and "skos:prefLabel" in result.output


def test_validate_names_the_line_of_a_syntax_error(run, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    result = run("validate", str(broken))
    assert result.exit_code == 1
    assert "broken.ttl" in result.output and "line 2" in result.output.lower()


def test_query_usage_errors_name_what_is_wrong(run):
    missing = run("query", "no_such_file.rq")
    assert missing.exit_code == 2 and "no such file: no_such_file.rq" in missing.output
    no_value = run("query", "findings_for_theme", "-p", "theme")
    assert no_value.exit_code == 2 and "'theme' is not NAME=VALUE" in no_value.output
    service = run("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert service.exit_code == 1 and "SERVICE (federated query) is not allowed" in service.output


def test_a_broken_vocabulary_file_is_named_with_its_line(project_copy):
    methods = project_copy.vocab_dir / "methods.ttl"
    methods.write_text(methods.read_text().replace('skos:prefLabel "focus groups"@en ;', 'skos:prefLabel "focus groups"@en "twice" ;', 1))
    with pytest.raises(UserInputError, match=r"vocab/methods\.ttl: Parser error at line 41 "):
        build.build(project_copy)


def test_serve_refuses_a_directory_that_is_not_a_store(run, tmp_path):
    result = run("serve", "--store", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path} is not an Oxigraph store" in result.output


def test_the_app_serves_any_store_directory(tmp_path):
    import pyoxigraph as ox

    from peerkg import store
    from peerkg.web import create_app

    graph = ox.NamedNode("https://example.org/g")
    version = store.publish(tmp_path / "elsewhere", [ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"), graph)])
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "unused"), "STORE": str(version)}).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT ?o WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "o\r\nc\r\n"


def test_served_workers_exit_cleanly(built, tmp_path):
    """gunicorn's master never opens the store, so the workers it forks exit at once, without a crash."""
    import shutil
    import time

    import requests

    from conftest import serving

    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    with serving(data) as url:
        assert requests.get(url + "/health").status_code == 200
        assert requests.get(url + "/download/", headers={"Accept": "application/json"}).status_code == 200
        started = time.monotonic()
    log = next(data.glob("serve-*.log")).read_text()
    assert "Shutting down: Master" in log and time.monotonic() - started < 10


def test_build_ingest_and_revert_publish_each_versions_downloads_with_it(project_copy):
    """No request has to write a version's download files: the command that publishes it does."""
    from peerkg import store

    data = project_copy.data_dir
    base = ["--data-dir", str(data), "-q"]
    runner = CliRunner()
    assert runner.invoke(main, [*base, "build"]).exit_code == 0
    first = store.current_version(data).name
    dumps = ["peerkg.ttl", "peerkg.nt", "peerkg.nq", "peerkg.trig", "peerkg.jsonld", "peerkg.rdf"]
    sums = (data / "downloads" / first / "SHA256SUMS").read_text()
    assert [line.split("  ")[1] for line in sums.splitlines() if "/" not in line.split("  ")[1] and not line.endswith(".gz")] == dumps
    example = PROJECT_ROOT / "examples" / "curated-study.ttl"
    assert runner.invoke(main, [*base, "ingest", str(example), "--graph", "example-2024"]).exit_code == 0
    second = store.current_version(data).name
    assert (data / "downloads" / second / "SHA256SUMS").is_file()
    in_graph = b" <https://w3id.org/peerkg/graph/curated/example-2024> .\n"  # the end of an N-Quads line of the graph
    assert (data / "downloads" / second / "peerkg.nq").read_bytes().count(in_graph) == 30
    assert runner.invoke(main, [*base, "revert", "example-2024"]).exit_code == 0
    third = store.current_version(data).name
    assert in_graph not in (data / "downloads" / third / "peerkg.nq").read_bytes()
    # Every export kept belongs to a version still on disk.
    assert {p.name for p in (data / "downloads").iterdir()} <= {p.name for p in (data / "stores").iterdir() if p.is_dir()}
