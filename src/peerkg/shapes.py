"""The SHACL gate: every triple passes the shapes in shapes/ before it enters the store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from . import formats
from .errors import ValidationFailed, UserInputError
from .iris import PREFIXES, SH


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms a curator acts on."""

    severity: str  # Violation, Warning, Info
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" ({self.focus_label})" if self.focus_label else "")
        parts = [f"{self.severity}: {where}"]
        if self.path:
            parts.append(f"path {_short(self.path)}")
        if self.value is not None:
            parts.append(f"value {self.value}")
        return "; ".join(parts) + f"\n    {self.message}  [{_short(self.constraint)} in {_short(self.shape)}]"


@dataclass(frozen=True)
class Report:
    conforms: bool
    results: list[Result]
    graph: Graph  # the W3C validation report

    def text(self) -> str:
        if self.conforms:
            return "Conforms: no violations."
        lines = [f"Does not conform: {len(self.results)} result(s)."]
        lines += [str(result) for result in self.results]
        return "\n".join(lines)


def load(shapes_dir: Path) -> Graph:
    """Every ``*.ttl`` of ``shapes_dir`` as one shapes graph; a syntax error names the file and line."""
    return formats.read_files(sorted(shapes_dir.glob("*.ttl")))


def check(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` (with ``ontology`` for class hierarchy) and return the report."""
    # The ontology joins the data graph (for rdfs:subClassOf) by union rather than pyshacl's ont_graph,
    # which clones the data node by node and doubles the time of a build's gate.
    target = data + ontology if ontology is not None else data
    try:
        conforms, report_graph, _ = shacl_validate(
            target, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False
        )
    except Exception as problem:  # pyshacl raises its own types for broken shapes
        raise UserInputError(f"the shapes could not be applied: {problem}") from None
    results = [_result(report_graph, data, node) for node in report_graph.subjects(SH.resultSeverity, None)]
    results.sort(key=lambda r: (r.focus, r.path or "", r.message))
    return Report(conforms, results, report_graph)


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Like ``check``, but a non-conforming graph raises ``ValidationFailed`` carrying the report."""
    report = check(data, shapes, ontology)
    if not report.conforms:
        raise ValidationFailed(report.text(), report)
    return report


def _result(report: Graph, data: Graph, node) -> Result:
    focus = report.value(node, SH.focusNode)
    value = report.value(node, SH.value)
    label = data.value(focus, RDFS.label) or data.value(focus, SKOS.prefLabel)
    return Result(
        severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
        focus=str(focus),
        focus_label=str(label) if label is not None else None,
        path=_path_text(report.value(node, SH.resultPath)),
        value=value.n3() if value is not None else None,
        message=str(report.value(node, SH.resultMessage) or "constraint violated"),
        shape=str(report.value(node, SH.sourceShape)),
        constraint=str(report.value(node, SH.sourceConstraintComponent)),
    )


def _path_text(path) -> str | None:
    return str(path) if isinstance(path, URIRef) else (None if path is None else "complex path")


def _short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
