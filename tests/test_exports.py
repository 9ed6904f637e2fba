"""peerkg.exports: every file of a download set, its checksums, atomic writing and byte-identical rebuilds."""

from __future__ import annotations

import datetime as real_dt
import gzip
import hashlib
import logging
import threading
import types

import pytest
from click.testing import CliRunner

from peerkg import build, exports, store
from peerkg.cli import main
from peerkg.config import PROJECT_ROOT
from peerkg.errors import UserInputError

DUMPS = ["peerkg.ttl", "peerkg.nt", "peerkg.nq", "peerkg.trig", "peerkg.jsonld", "peerkg.rdf"]
DUMP_TYPES = {
    "peerkg.ttl": "text/turtle", "peerkg.nt": "application/n-triples", "peerkg.nq": "application/n-quads",
    "peerkg.trig": "application/trig", "peerkg.jsonld": "application/ld+json", "peerkg.rdf": "application/rdf+xml",
}


def expected_paths() -> list[str]:
    """Every file of an export, in order: the dumps (each followed by its .gz), ontology, shapes, queries, sums."""
    return [
        *(name for dump in DUMPS for name in (dump, dump + ".gz")),
        "ontology/peerkg.ttl",
        *(f"shapes/{p.name}" for p in sorted((PROJECT_ROOT / "shapes").glob("*.ttl"))),
        *(f"queries/{p.name}" for p in sorted((PROJECT_ROOT / "queries").glob("*.rq"))),
        "SHA256SUMS",
    ]


@pytest.fixture(scope="module")
def exported(kg, tmp_path_factory):
    directory = tmp_path_factory.mktemp("export") / "peerkg"
    return directory, exports.write(kg, directory)


def contents(directory) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_the_export_holds_exactly_the_expected_files(exported):
    directory, files = exported
    assert [f.path for f in files] == expected_paths()
    assert sorted(contents(directory)) == sorted(expected_paths())
    assert not [p for p in directory.parent.iterdir() if p.name.startswith(".")], "staging left behind"


def test_media_types_sizes_and_checksums_describe_the_bytes(exported):
    directory, files = exported
    for export in files:
        data = (directory / export.path).read_bytes()
        assert export.size == len(data)
        assert export.sha256 == hashlib.sha256(data).hexdigest()
    types_ = {f.path: f.media_type for f in files}
    assert {dump: types_[dump] for dump in DUMPS} == DUMP_TYPES
    assert {types_[dump + ".gz"] for dump in DUMPS} == {"application/gzip"}
    assert types_["ontology/peerkg.ttl"] == "text/turtle"
    assert types_["queries/table3.rq"] == "application/sparql-query"
    assert types_["SHA256SUMS"] == "text/plain"


def test_sha256sums_lists_every_other_file_in_sha256sum_format(exported):
    directory, files = exported
    lines = (directory / "SHA256SUMS").read_text().splitlines()
    assert lines == [f"{f.sha256}  {f.path}" for f in files if f.path != "SHA256SUMS"]


def test_copies_are_byte_for_byte(exported):
    directory, _ = exported
    assert (directory / "ontology" / "peerkg.ttl").read_bytes() == (PROJECT_ROOT / "ontology" / "peerkg.ttl").read_bytes()
    assert (directory / "queries" / "table6.rq").read_bytes() == (PROJECT_ROOT / "queries" / "table6.rq").read_bytes()
    assert (directory / "shapes" / "themes.ttl").read_bytes() == (PROJECT_ROOT / "shapes" / "themes.ttl").read_bytes()


def test_gzip_files_hold_the_dump_without_time_or_name(exported):
    directory, _ = exported
    for dump in DUMPS:
        compressed = (directory / (dump + ".gz")).read_bytes()
        assert gzip.decompress(compressed) == (directory / dump).read_bytes()
        assert compressed[3] == 0, "no FNAME (or other) flag"
        assert compressed[4:8] == b"\0\0\0\0", "MTIME is zero"


def test_turtle_uses_the_project_prefixes(exported):
    directory, _ = exported
    head = (directory / "peerkg.ttl").read_text(encoding="utf-8")[:2000]
    assert "@prefix pkg: <https://w3id.org/peerkg/ontology#> ." in head
    assert "@prefix dcterms: <http://purl.org/dc/terms/> ." in head


def test_two_builds_of_the_same_seeds_export_byte_identical_files(kg, exported, project_copy, monkeypatch, tmp_path):
    """The build graph records when the build ran; given the same clock, a rebuild exports the same bytes."""
    started, ended = (
        real_dt.datetime.fromisoformat(row[name].value)
        for row in kg.query(
            "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?started ?ended WHERE { ?b prov:startedAtTime ?started ; prov:endedAtTime ?ended }"
        )
        for name in ("started", "ended")
    )
    clock = iter([started, ended])
    frozen = types.SimpleNamespace(datetime=types.SimpleNamespace(now=lambda tz=None: next(clock)), timezone=real_dt.timezone)
    monkeypatch.setattr(build, "dt", frozen)
    build.build(project_copy)
    rebuilt = store.open_current(project_copy.data_dir)
    assert rebuilt.version != kg.version
    exports.write(rebuilt, tmp_path / "again", project_copy)
    directory, _ = exported
    assert contents(tmp_path / "again") == contents(directory)


def test_the_same_store_exports_the_same_bytes(kg, exported, tmp_path):
    directory, _ = exported
    exports.write(kg, tmp_path / "again")
    assert contents(tmp_path / "again") == contents(directory)


def test_an_earlier_export_is_replaced_and_other_directories_are_refused(kg, tmp_path):
    target = tmp_path / "out"
    exports.write(kg, target)
    (target / "peerkg.ttl").write_bytes(b"stale")
    files = exports.write(kg, target)
    assert (target / "peerkg.ttl").stat().st_size == files[0].size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(UserInputError, match="not empty and holds no peerkg export"):
        exports.write(kg, foreign)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserInputError, match="is a file"):
        exports.write(kg, tmp_path / "file")


def test_an_empty_directory_is_filled(kg, tmp_path):
    (tmp_path / "empty").mkdir()
    files = exports.write(kg, tmp_path / "empty")
    assert [f.path for f in files] == expected_paths()


def test_racing_writers_all_end_with_the_complete_set(built, backend, tmp_path):
    target = tmp_path / "version"
    results, errors = [], []

    def writer():
        try:
            results.append(exports.ensure(backend, target))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 3 and all(result == results[0] for result in results)
    assert [f.path for f in results[0]] == expected_paths()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["version"], "staging left behind"


def test_cli_export_all_writes_the_set_and_reports_on_stderr(built, exported, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="peerkg.exports")
    result = CliRunner().invoke(main, ["--data-dir", str(built.data_dir), "export", "--all", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(expected_paths())} files" in result.stderr
    assert "writing peerkg.ttl" in caplog.text  # progress is logged (to stderr, under the CLI)
    assert result.stdout == ""
    directory, _ = exported
    assert contents(tmp_path / "cli") == contents(directory)


def test_cli_export_all_errors(built, tmp_path):
    def run(*args):
        return CliRunner().invoke(main, ["--quiet", "--data-dir", str(built.data_dir), "export", *args])

    result = run("--all", str(tmp_path / "x"), "--format", "turtle")
    assert result.exit_code == 2 and "leave out --format and --output" in result.output
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    result = run("--all", str(tmp_path / "busy"))
    assert result.exit_code == 1 and "not empty and holds no peerkg export" in result.output
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "nothing"), "export", "--all", str(tmp_path / "y")])
    assert result.exit_code == 1 and "peerkg build" in result.output
