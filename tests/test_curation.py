"""peerkg.curation and its CLI: validation in context, reports, commits with their log, rebuilds, crashes."""

from __future__ import annotations

import collections
import hashlib
import os
import shutil
import signal
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from peerkg import backends, build, cli, iris, store
from peerkg.backends import Limits, Query
from peerkg.config import PROJECT_ROOT, Settings
from peerkg.curation import carry, check, commit, report, rules, submission, tokens
from peerkg.errors import (Conflict, NotFound, Refused, SubmissionSyntaxError, Unauthorized, UnsupportedMediaType,
                           UserInputError, ValidationFailed)

from conftest import backend_args

EXAMPLE = PROJECT_ROOT / "examples" / "curated-study.ttl"
GRAPH = iris.curated_graph("example-2024")
W = "https://w3id.org/peerkg/id/"


def broken(text: str = EXAMPLE.read_text()) -> str:
    """The example with two mistakes: a year typed wrong in an existing work's IRI, and a sample size in words."""
    return text.replace("<work/mowbray-1996>", "<work/mowbray-1969>").replace("pkg:sampleSize 12", 'pkg:sampleSize "twelve"')


@pytest.fixture
def data(writable_settings) -> Settings:
    """A private copy of the built graph on each backend, for tests that commit to it."""
    return writable_settings


@pytest.fixture
def embedded_data(built, tmp_path) -> Settings:
    """A private copy of the built embedded store, for tests of its on-disk versions."""
    shutil.copytree(built.data_dir, tmp_path / "data", symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    return Settings(data_dir=tmp_path / "data")


def checked(text: str, kg, name="submission.ttl"):
    submitted = submission.parse(text.encode(), submission.format_for(file_name=name), name)
    shapes_graph, ontology = rules.load(Settings())
    return submitted, check.check(submitted, kg, shapes_graph, ontology)


def graph_triples(settings: Settings, graph=GRAPH) -> set:
    return {q.triple for q in backends.quads(backends.open(settings), ox.NamedNode(str(graph)))}


def select(settings: Settings, text: str) -> list:
    """A SELECT's solutions from the backend of ``settings``."""
    body = backends.open(settings).query(Query(text, "json"), Limits(30, 10**8))
    return list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))


# --- Parsing -------------------------------------------------------------------------------------------


def test_a_syntax_error_names_file_line_and_column():
    with pytest.raises(SubmissionSyntaxError) as caught:
        submission.parse(b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n", submission.RDF["turtle"], "new.ttl")
    assert caught.value.details == {"file": "new.ttl", "line": 3, "column": 11}
    assert caught.value.message.startswith("new.ttl, line 3, column 11: ")


def test_formats_come_from_the_media_type_or_the_suffix():
    assert submission.format_for(media_type="text/turtle; charset=utf-8").name == "turtle"
    assert submission.format_for(media_type="application/ld+json").name == "jsonld"
    assert submission.format_for(file_name="x.nt").name == "ntriples"
    with pytest.raises(UnsupportedMediaType, match="cannot read text/csv as RDF"):
        submission.format_for(media_type="text/csv")
    with pytest.raises(UnsupportedMediaType, match="x.csv: unknown RDF suffix"):
        submission.format_for(file_name="x.csv")


def test_text_that_is_not_utf8_is_refused_with_its_line():
    with pytest.raises(UserInputError, match=r"bad.nt, line 2: not UTF-8"):
        submission.parse(b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> \"\xff\" .\n", submission.RDF["ntriples"], "bad.nt")


# --- Validation in context ------------------------------------------------------------------------------


def test_the_example_conforms_in_the_context_of_the_graph(kg):
    submitted, result = checked(EXAMPLE.read_text(), kg)
    assert result.conforms and result.results == []
    assert len(submitted.triples) == 30


def test_the_same_example_without_context_fails_on_what_only_the_graph_holds():
    submitted, result = checked(EXAMPLE.read_text(), None)
    values = {(r.path, r.value) for r in result.results}
    assert (str(iris.PKG.dataCollectionMethod), f"<{W}method/semi-structured-interviews>") in values
    assert (str(iris.CITO.cites), f"<{W}work/mowbray-1996>") in values


def test_each_mistake_is_reported_at_its_line_with_a_fix(kg):
    submitted, result = checked(broken(), kg)
    assert not result.conforms
    found = {(r.line, r.path.rsplit("/", 1)[-1].rsplit("#", 1)[-1], r.value, r.constraint.rsplit("#", 1)[-1]) for r in result.results}
    assert found == {
        (17, "cites", f"<{W}work/mowbray-1969>", "ClassConstraintComponent"),
        (47, "sampleSize", '"twelve"', "DatatypeConstraintComponent"),  # one result: not also below the minimum
    }
    cites = next(r for r in result.results if r.line == 17)
    assert cites.suggestion.startswith(f"did you mean <{W}work/mowbray-1996> or ")
    assert cites.focus == f"{W}work/example-2024"
    size = next(r for r in result.results if r.constraint.endswith("DatatypeConstraintComponent"))
    assert size.suggestion == "write the value as a literal of datatype xsd:integer"
    assert size.focus_label == "Peer support workers"


def test_a_label_where_a_concept_belongs_suggests_the_concept(kg):
    text = EXAMPLE.read_text().replace("pkg:role <informant-role/peer-support-workers>", 'pkg:role "peer support worker"')
    _, result = checked(text, kg)
    role = [r for r in result.results if r.path == str(iris.PKG.role)]
    assert [r.constraint.rsplit("#", 1)[-1] for r in role] == ["NodeKindConstraintComponent"]  # not also its class
    assert role[0].suggestion == f"did you mean <{W}informant-role/peer-support-workers> (Peer support workers)? Use the IRI, not a label."


def test_an_iri_that_exists_nowhere_fails_even_without_a_class_constraint(kg):
    text = EXAMPLE.read_text().replace('rdfs:label "Example et al. 2024" ;', 'rdfs:label "Example et al. 2024" ;\n    rdfs:seeAlso <study/moll-2090> ;')
    _, result = checked(text, kg)
    assert [(r.line, r.value, r.shape) for r in result.results] == [(38, f"<{W}study/moll-2090>", check.KNOWN_INSTANCES_SHAPE)]
    assert result.results[0].suggestion == f"did you mean <{W}study/moll-2009> (Moll et al. 2009)?"


class Scans:
    """A store that counts the reads of every resource of a class (rdf:type, any subject) made through it."""

    def __init__(self, store):
        self.store, self.classes = store, []

    def quads_for_pattern(self, subject, predicate, object, graph_name=None):
        if subject is None and predicate == ox.NamedNode(str(iris.RDF.type)):
            self.classes.append(object)
        return self.store.quads_for_pattern(subject, predicate, object, graph_name)


def test_a_check_reads_each_class_once_and_every_fix_is_the_one_found_alone(kg):
    """A "did you mean" looks among the resources of the expected class (or of any, for an IRI that exists
    nowhere), read once for all the results of a check that need them: a bad 1,000-study document read
    every typed resource 1,000 times, most of its minute. Each mistake still gets the fix it gets alone."""
    mistakes = {
        f"<{W}work/mowbray-1969>": lambda text: text.replace("<work/mowbray-1996>", "<work/mowbray-1969>"),
        f"<{W}study/moll-2090>": lambda text: text.replace("pkg:reportedIn", "rdfs:seeAlso <study/moll-2090> ;\n    pkg:reportedIn"),
        f"<{W}study/mowbray-1997>": lambda text: text.replace("pkg:reportedIn", "rdfs:seeAlso <study/mowbray-1997> ;\n    pkg:reportedIn"),
        '"peer support worker"': lambda text: text.replace("pkg:role <informant-role/peer-support-workers>", 'pkg:role "peer support worker"'),
    }
    alone = {}
    for value, make in mistakes.items():
        (result,) = checked(make(EXAMPLE.read_text()), kg)[1].results
        alone[result.value] = result.suggestion
    assert sorted(alone) == sorted(mistakes) and all(s.startswith("did you mean <") for s in alone.values())
    text, read = EXAMPLE.read_text(), Scans(kg)
    for make in mistakes.values():
        text = make(text)
    _, together = checked(text, read)
    assert {r.value: r.suggestion for r in together.results} == alone
    assert None in read.classes  # two results need any class's resources: read once, as every other class
    assert [cls for cls, reads in collections.Counter(read.classes).items() if reads > 1] == []


def test_triples_about_an_existing_resource_are_checked_with_its_stored_triples(kg):
    # A second label for a study already in the graph breaks its maxCount, seen only with the stored label.
    _, result = checked(f'<{W}study/mowbray-1996> <http://www.w3.org/2000/01/rdf-schema#label> "Mowbray 1996" .\n', kg, "x.nt")
    assert [(r.line, r.focus, r.constraint.rsplit("#", 1)[-1]) for r in result.results] == [
        (1, f"{W}study/mowbray-1996", "MaxCountConstraintComponent")]


def test_the_report_groups_results_by_rule_and_counts_them(kg):
    submitted, result = checked(broken(), kg, "broken.ttl")
    summary = report.summarize(result, submitted)
    assert summary["verdict"] == "does not conform" and summary["counts"] == {"Violation": 2, "Warning": 0, "Info": 0}
    assert [(g["path_short"], g["constraint_short"], g["count"]) for g in summary["groups"]] == [
        ("cito:cites", "Class", 1), ("pkg:sampleSize", "Datatype", 1)]
    text = report.text(summary)
    assert text.startswith("broken.ttl: DOES NOT CONFORM (30 triples; 2 violations, 0 warnings, 0 infos)\n")
    assert "  broken.ttl:17: <https://w3id.org/peerkg/id/work/example-2024> value <https://w3id.org/peerkg/id/work/mowbray-1969>\n" in text


@pytest.mark.parametrize("text", [
    EXAMPLE.read_text(), broken(), f'<{W}study/mowbray-1996> <http://www.w3.org/2000/01/rdf-schema#label> "M" .\n',
    # a focus node of a shape only through a triple pointing at it (sh:targetObjectsOf pkg:reviews)
    f"<{W}study/armstrong-1995> <https://w3id.org/peerkg/ontology#hasInformantGroup> <{W}study/armstrong-1995/informants/x> .\n"])
def test_a_store_copied_whole_as_context_gives_the_report_of_the_lookups(kg, monkeypatch, text):
    _, looked_up = checked(text, kg, "x.ttl")
    copied = []
    whole = check._whole
    monkeypatch.setattr(check, "_whole", lambda *args: copied.append(whole(*args)) or copied[-1])
    monkeypatch.setattr(check, "CONTEXT_LOOKUPS", 10**6)  # the seed store is then smaller than the lookups
    _, result = checked(text, kg, "x.ttl")
    assert len(copied) == 1 and len(copied[0]) == len({q.triple for q in kg.quads_for_pattern(None, None, None, None)})
    assert (result.conforms, result.results) == (looked_up.conforms, looked_up.results)
    assert result.results or text == EXAMPLE.read_text()


# --- Commits ----------------------------------------------------------------------------------------------


def test_a_commit_writes_the_graph_and_logs_who_when_what(data):
    before = backends.open(data).version()
    done = commit.commit(data, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
    assert (done.created, done.triples, done.version != before) == (True, 30, True)
    assert len(graph_triples(data)) == 30
    rows = select(data, (
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX spdx: <http://spdx.org/rdf/terms#> "
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX void: <http://rdfs.org/ns/void#> "
        "SELECT ?commit ?who ?graph ?sha ?n ?size WHERE { GRAPH <https://w3id.org/peerkg/graph/curation-log> { "
        "?commit prov:wasAssociatedWith/foaf:name ?who ; prov:endedAtTime ?t ; prov:generated ?rev . "
        "?rev prov:specializationOf ?graph ; void:triples ?size ; prov:wasDerivedFrom ?file . "
        "?file void:triples ?n ; spdx:checksum/spdx:checksumValue ?sha } }"))
    assert [(r["commit"].value, r["who"].value, r["graph"].value, r["sha"].value, r["n"].value, r["size"].value) for r in rows] == [
        (done.iri, "alice", str(GRAPH), hashlib.sha256(EXAMPLE.read_bytes()).hexdigest(), "30", "30")]


def test_post_adds_put_replaces_and_delete_reverts(data):
    commit.commit(data, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
    extra = submission.parse(f'<{W}study/example-2024> <http://purl.org/dc/terms/title> "A title" .\n'.encode(),
                             submission.RDF["ntriples"], "extra.nt")
    added = commit.commit(data, commit.Operation.POST, GRAPH, extra, "bob")
    assert (added.created, added.triples, len(graph_triples(data))) == (False, 31, 31)
    replaced = commit.commit(data, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
    assert (replaced.created, replaced.triples, len(graph_triples(data))) == (False, 30, 30)
    commit.commit(data, commit.Operation.DELETE, GRAPH, None, "alice")
    assert ox.NamedNode(str(GRAPH)) not in backends.open(data).named_graphs()
    assert len(select(data, "SELECT ?c WHERE { ?c a <https://w3id.org/peerkg/ontology#Commit> }")) == 4
    with pytest.raises(NotFound, match="there is no graph"):
        commit.commit(data, commit.Operation.DELETE, GRAPH, None, "alice")


def test_a_rejected_commit_changes_nothing(data):
    backend = backends.open(data)
    before, quads = backend.version(), set(backends.quads(backend))
    versions = sorted(p.name for p in (data.data_dir / "stores").iterdir()) if data.backend is None else None
    with pytest.raises(ValidationFailed) as caught:
        commit.commit(data, commit.Operation.PUT, GRAPH, submission.parse(broken().encode(), submission.RDF["turtle"], "b.ttl"), "alice")
    assert len(caught.value.report.results) == 2
    assert (backend.version(), set(backends.quads(backend))) == (before, quads)
    if versions is not None:  # the embedded store wrote no version directory either
        assert sorted(p.name for p in (data.data_dir / "stores").iterdir()) == versions


def test_a_graph_others_depend_on_cannot_be_reverted(data):
    commit.commit(data, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
    other = iris.curated_graph("follow-up")
    link = submission.parse(f"<{W}study/mowbray-1998> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{W}work/example-2024> .\n".encode(),
                            submission.RDF["ntriples"], "link.nt")
    commit.commit(data, commit.Operation.PUT, other, link, "bob")
    with pytest.raises(Conflict, match=f"{other} points at {W}work/example-2024"):
        commit.commit(data, commit.Operation.DELETE, GRAPH, None, "alice")


def test_only_curated_graph_names_are_accepted():
    assert str(iris.curated_graph("smith-2024")) == "https://w3id.org/peerkg/graph/curated/smith-2024"
    assert iris.curated_graph("https://w3id.org/peerkg/graph/curated/smith-2024") == iris.curated_graph("smith-2024")
    with pytest.raises(UserInputError, match="is not a curated graph"):
        iris.curated_graph("https://w3id.org/peerkg/graph/review_table3")
    with pytest.raises(UserInputError, match="'smith-2024'"):
        iris.curated_graph("Smith 2024")


# --- Rebuilds ---------------------------------------------------------------------------------------------


def test_curated_graphs_and_their_log_survive_a_rebuild(project_copy):
    build.build(project_copy)
    commit.commit(project_copy, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
    kept = graph_triples(project_copy)
    result = build.build(project_copy)
    assert result.graphs[str(GRAPH)] == 30 and graph_triples(project_copy) == kept
    assert len(graph_triples(project_copy, iris.curation_log())) == 20


def test_a_pin_inside_a_pin_keeps_the_outer_version(data):
    reader = backends.open(data)
    with reader.pinned():
        first = reader.version()
        with reader.pinned():  # a check in context pins too, inside a request's pin
            assert reader.version() == first
        commit.commit(data, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
        assert reader.version() == first and backends.open(data).version() != first
    assert reader.version() != first


def test_a_rebuild_keeps_the_curated_graphs_as_they_are_and_drops_graphs_it_no_longer_makes(data):
    commit.commit(data, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
    kept, log = graph_triples(data), graph_triples(data, iris.curation_log())
    backend, obsolete = backends.open(data), ox.NamedNode(str(iris.graph("obsolete")))
    with backend.writer():  # a version holding one more graph than the build makes, kept by nothing
        backend.publish([ox.Quad(ox.NamedNode(W + "x"), ox.NamedNode(W + "p"), ox.Literal("x"), obsolete)],
                        backend.fingerprint() or "", keep=set(backend.named_graphs()))
    assert obsolete in backends.open(data).named_graphs() and graph_triples(data) == kept
    result = build.build(data)
    assert {g.value for g in backends.open(data).named_graphs()} == set(result.graphs)
    assert obsolete.value not in result.graphs and str(GRAPH) in result.graphs
    assert graph_triples(data) == kept and graph_triples(data, iris.curation_log()) == log
    assert result.graphs[str(iris.graph("review_table3"))] == len(graph_triples(data, iris.graph("review_table3"))) == 314


def test_a_rebuild_whose_seeds_break_a_curated_graph_fails_and_names_it(project_copy):
    build.build(project_copy)
    text = EXAMPLE.read_text().replace('rdfs:label "Example et al. 2024" ;', 'rdfs:label "Example et al. 2024" ;\n    rdfs:seeAlso <study/moll-2009> ;')
    commit.commit(project_copy, commit.Operation.PUT, GRAPH, submission.parse(text.encode(), submission.RDF["turtle"], "x.ttl"), "alice")
    published = os.readlink(store.current_path(project_copy.data_dir))
    seed = next(project_copy.seeds_dir.glob("000_*.txt"))  # Table 3, the only source of the study Moll et al. 2009
    seed.write_text(seed.read_text().replace("Moll et al. 2009 [51]", "Moll et al. 2010 [51]"))
    sums = project_copy.seeds_dir / "SHA256SUMS"
    digest = hashlib.sha256(seed.read_bytes()).hexdigest()
    sums.write_text("".join(f"{digest}  {seed.name}\n" if line.endswith(seed.name) else line + "\n" for line in sums.read_text().splitlines()))
    with pytest.raises(ValidationFailed) as caught:
        build.build(project_copy)
    assert "the new seed graphs make curated triples invalid" in caught.value.message
    assert f"{GRAPH}: DOES NOT CONFORM" in caught.value.message
    assert f"<{W}study/example-2024> (Example et al. 2024) value <{W}study/moll-2009>" in caught.value.message
    assert os.readlink(store.current_path(project_copy.data_dir)) == published


def test_curated_graphs_that_conform_alone_but_not_together_with_the_seeds_fail_a_rebuild():
    # A node none of the curated triples mentions gets a second value along a two-step path: a check of
    # each curated graph reports only about the nodes it mentions, the check of everything as one sees it.
    shapes_graph = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:T ;
            sh:property [ sh:path ( ex:p ex:q ) ; sh:maxCount 1 ; sh:message "one p/q value at most" ] .""", format="turtle")
    ex = "http://example.org/"
    f, x, p, q = (ox.NamedNode(ex + name) for name in ("f", "x", "p", "q"))
    seed, curated = ox.NamedNode(str(iris.graph("seed"))), ox.NamedNode(str(iris.curated_graph("x")))
    new = [ox.Quad(f, ox.NamedNode(str(rdflib.RDF.type)), ox.NamedNode(ex + "T"), seed), ox.Quad(f, p, x, seed),
           ox.Quad(x, q, ox.Literal("0"), seed)]
    added = [ox.Quad(x, q, ox.Literal("1"), curated)]
    carry.check_against(added[:0], new, shapes_graph, rdflib.Graph())  # the seeds alone conform
    with pytest.raises(ValidationFailed) as caught:
        carry.check_against(added, new, shapes_graph, rdflib.Graph())
    assert "the seed and curated graphs as one: Does not conform: 1 result(s)." in caught.value.message
    assert f"Violation: {ex}f; path complex path\n    one p/q value at most" in caught.value.message


# --- Tokens -----------------------------------------------------------------------------------------------


def test_tokens_come_from_the_environment_and_a_file(tmp_path):
    path = tmp_path / "tokens"
    path.write_text("# curators\nbob: b0b-token  # the second\n")
    known = tokens.load({"PEERKG_TOKENS": "alice:s3cret", "PEERKG_TOKENS_FILE": str(path)})
    assert known.curator("Bearer s3cret") == "alice" and known.curator("bearer b0b-token") == "bob"
    with pytest.raises(Unauthorized) as missing:
        known.curator(None)
    assert missing.value.headers == {"WWW-Authenticate": 'Bearer realm="peerkg"'}
    with pytest.raises(Unauthorized) as wrong:
        known.curator("Bearer s3cre")
    assert wrong.value.headers == {"WWW-Authenticate": 'Bearer realm="peerkg", error="invalid_token"'}
    with pytest.raises(Refused, match="writes are switched off"):
        tokens.load({}).curator("Bearer s3cret")
    with pytest.raises(UserInputError, match="entry 1 is not name:token") as bad:
        tokens.load({"PEERKG_TOKENS": "justatoken"})
    assert "justatoken" not in str(bad.value)


# --- CLI ----------------------------------------------------------------------------------------------------


def test_cli_validate_ingest_and_revert(data, tmp_path):
    runner = CliRunner()
    base = ["--data-dir", str(data.data_dir), *backend_args(data), "-q"]
    bad = tmp_path / "broken.ttl"
    bad.write_text(broken())
    failed = runner.invoke(cli.main, [*base, "validate", str(bad)])
    assert failed.exit_code == 1 and f"{bad}:47: " in failed.output and "fix: did you mean <" in failed.output
    assert runner.invoke(cli.main, [*base, "validate", str(EXAMPLE)]).output.endswith("CONFORMS (30 triples; 0 violations, 0 warnings, 0 infos)\n")
    refused = runner.invoke(cli.main, [*base, "ingest", str(bad), "--graph", "example-2024"])
    assert refused.exit_code == 1 and "does not conform to the shapes; nothing was written" in refused.output
    done = runner.invoke(cli.main, [*base, "ingest", str(EXAMPLE), "--graph", "example-2024", "--curator", "carol"])
    assert done.exit_code == 0 and done.output.startswith(f"created {GRAPH}: 30 triples (commit {W}commit/")
    listed = runner.invoke(cli.main, [*base, "query", "curated_graphs", "-f", "csv"])
    assert listed.output.splitlines()[1].startswith(f"{GRAPH},30,{W}commit/") and ",carol," in listed.output
    reverted = runner.invoke(cli.main, [*base, "revert", "example-2024"])
    assert reverted.exit_code == 0 and reverted.output.startswith(f"removed {GRAPH}")


# --- Crash safety -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("step, written", [("copied", False), ("applied", False), ("extended", False), ("closed", False), ("published", True)])
def test_a_commit_killed_at_any_step_leaves_the_store_whole(embedded_data, step, written):
    """SIGKILL the ingesting process at a step; the store then opens, holds every earlier triple, and the
    submission is in it wholly (killed after publishing) or not at all."""
    before = {q for q in store.open_current(embedded_data.data_dir).quads()}
    env = os.environ | {commit.CRASH_AT: step}
    process = subprocess.run([sys.executable, "-m", "peerkg.cli", "--data-dir", str(embedded_data.data_dir), "-q", "ingest", str(EXAMPLE),
                              "--graph", "example-2024"], env=env, capture_output=True, timeout=120,
                             start_new_session=True)  # its own process group: the crash kills it and its writer
    assert process.returncode == -signal.SIGKILL
    after = {q for q in store.open_current(embedded_data.data_dir).quads()}
    assert before <= after
    assert len(graph_triples(embedded_data)) == (30 if written else 0)
    if not written:
        assert after == before
    # The next writer clears what the dead one left, and commits.
    commit.commit(embedded_data, commit.Operation.PUT, GRAPH, submission.read(EXAMPLE), "alice")
    published = os.readlink(store.current_path(embedded_data.data_dir)).split("/")[-1]
    unpublished = [p.name for p in (embedded_data.data_dir / "stores").iterdir()
                   if p.is_dir() and not p.with_suffix(store.FINGERPRINT).exists() and p.name != published]
    assert unpublished == [] and len(graph_triples(embedded_data)) == 30
