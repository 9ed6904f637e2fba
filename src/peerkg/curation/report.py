"""A validation report a curator can act on: verdict first, counts by severity, results grouped by rule.

One summary (``summarize``) feeds every rendering: JSON for programs, text for the CLI, the HTML page
(templates/validate.html); the W3C report itself is ``Report.graph``, serialized as Turtle.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from ..shapes import Report, Result, short
from .submission import Submission

SEVERITIES = ("Violation", "Warning", "Info")


def summarize(report: Report, submission: Submission) -> dict:
    """The report as plain data (the JSON form): verdict, counts, and the results grouped by rule."""
    counts = Counter(result.severity for result in report.results)

    def rule(result: Result) -> tuple:
        return (SEVERITIES.index(result.severity) if result.severity in SEVERITIES else 3, result.shape, result.path or "", result.constraint)

    groups = []
    for (_, shape, path, constraint), members in groupby(sorted(report.results, key=rule), key=rule):
        members = sorted(members, key=lambda r: (r.file or "", r.line or 0, r.focus))
        groups.append({
            "severity": members[0].severity,
            "shape": shape,
            "path": path or None,
            "path_short": short(path) if path else None,
            "constraint": constraint,
            "constraint_short": short(constraint).removeprefix("sh:").removesuffix("ConstraintComponent"),
            "message": members[0].message,
            "count": len(members),
            "results": [_result(r, submission.name) for r in members],
        })
    groups.sort(key=lambda g: (SEVERITIES.index(g["severity"]) if g["severity"] in SEVERITIES else 3, -g["count"],
                               g["path"] or "", g["constraint"]))
    return {
        "conforms": report.conforms,
        "verdict": "conforms" if report.conforms else "does not conform",
        "file": submission.name,
        "format": submission.format.media_type,
        "triples": len(submission.triples),
        "counts": {severity: counts.get(severity, 0) for severity in SEVERITIES},
        "groups": groups,
    }


def _result(result: Result, submitted: str) -> dict:
    return {
        "file": result.file or submitted,
        "focus": result.focus,
        "focus_label": result.focus_label,
        "path": result.path,
        "value": result.value,
        "line": result.line,
        "message": result.message,
        "suggestion": result.suggestion,
    }


def text(summary: dict) -> str:
    """The summary for a terminal: ``file:line: message`` lines a curator (or an editor) can jump to."""
    counts = ", ".join(f"{n} {severity.lower()}{'s' if n != 1 else ''}" for severity, n in summary["counts"].items())
    head = f"{summary['file']}: {summary['verdict'].upper()} ({summary['triples']} triples; {counts})"
    lines = [head]
    for group in summary["groups"]:
        where = f"{group['path_short']} " if group["path_short"] else ""
        lines.append(f"\n{group['severity']} ×{group['count']}: {where}[{group['constraint_short']} in {short(group['shape'])}]")
        lines.append(f"  {group['message']}")
        for result in group["results"]:
            place = f"{result['file']}:{result['line']}" if result["line"] else result["file"]
            focus = f"<{result['focus']}>" + (f" ({result['focus_label']})" if result["focus_label"] else "")
            value = f" value {result['value']}" if result["value"] is not None else ""
            lines.append(f"  {place}: {focus}{value}")
            if result["suggestion"]:
                lines.append(f"    fix: {result['suggestion']}")
    return "\n".join(lines) + "\n"
