"""Machine output: ``{"version": 1, "findings": [...], "summary": {...}, "errors": [...]}``."""

from __future__ import annotations

from keylint import TYPE_CHECKING
from keylint.model import CATEGORIES, Severity
from keylint.redact import escape
from keylint.report import ReportOptions, finding_dict, render_written
from keylint.report.jsonstream import write_json

if TYPE_CHECKING:
    from typing import Any, TextIO

    from keylint.engine import ScanReport


def summary(report: ScanReport) -> dict[str, Any]:
    by_severity = {s.label: 0 for s in sorted(Severity, reverse=True)}
    by_category = {c: 0 for c in CATEGORIES}
    for f in report.findings:
        by_severity[f.severity.label] += 1
        by_category[f.category] = by_category.get(f.category, 0) + 1
    return {
        "files": report.files_scanned,
        "findings": len(report.findings),
        "files_with_findings": len({f.path for f in report.findings}),
        "by_severity": by_severity,
        "by_category": by_category,
        "errors": len(report.errors),
        "skipped": sum(1 for n in report.notices if n.kind == "skipped"),
        "complete": not report.errors,
        "duration_seconds": round(report.duration, 3),
    }


def write(report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    document = {
        "version": 1,
        "tool": {"name": "keylint", "version": options.tool_version},
        # Generators: each finding's dictionary is made as it is written, never all at once.
        "findings": (finding_dict(f, options) for f in report.findings),
        "summary": summary(report),
        "errors": ({"path": escape(n.path), "message": escape(n.message), "kind": n.kind} for n in report.notices),
    }
    write_json(document, out)
    out.write("\n")


def render(report: ScanReport, options: ReportOptions) -> str:
    return render_written(write, report, options)
