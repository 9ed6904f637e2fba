"""Validation in context of a ~3,000-triple submission, against the naive way: pyshacl over the whole store
plus the submission. Prints both times and their ratio; run with ``make bench-validate``."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from peerkg import build, formats, shapes, store
from peerkg.config import PROJECT_ROOT, Settings
from peerkg.curation import check, rules, submission

COPIES = 100  # of the example study (30 triples each)
RUNS = 5


def scaled_submission() -> submission.Submission:
    """COPIES distinct studies shaped like examples/curated-study.ttl, in one Turtle file."""
    text = (PROJECT_ROOT / "examples" / "curated-study.ttl").read_text()
    head, _, body = text.partition("@base <https://w3id.org/peerkg/id/> .\n")
    copies = [body.replace("example-2024", f"example-2024-{n}") for n in range(COPIES)]
    data = (head + "@base <https://w3id.org/peerkg/id/> .\n" + "\n".join(copies)).encode()
    return submission.parse(data, formats.RDF["turtle"], f"{COPIES} studies")


def timed(function) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir))
        print("building a store from the seeds…", file=sys.stderr)
        build.build(settings)
        kg = store.open_current(settings.data_dir)
        submitted = scaled_submission()
        shapes_graph, ontology = rules.load(settings)
        assert check.check(submitted, kg, shapes_graph, ontology).conforms
        whole = Graph()
        for quad in kg.quads():
            whole.add(tuple(formats.to_rdflib(term) for term in (quad.subject, quad.predicate, quad.object)))
        whole += Graph().parse(data=submitted.text, format="turtle")
        in_context = timed(lambda: check.check(submitted, kg, shapes_graph, ontology))
        naive = timed(lambda: shapes.check(whole, shapes_graph, ontology))
    print(f"submission: {len(submitted.triples)} triples; store: {len(whole) - len(submitted.triples)} triples; median of {RUNS} runs")
    print(f"{'in context (peerkg validate)':32} {in_context * 1000:8.0f} ms")
    print(f"{'whole store + submission':32} {naive * 1000:8.0f} ms")
    print(f"ratio in context / whole store: {in_context / naive:.2f}")


if __name__ == "__main__":
    main()
