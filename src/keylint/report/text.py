"""Human output: ``path:line:col: CODE [severity] message``, grouped by file, then notices and a summary."""

from __future__ import annotations

from keylint import TYPE_CHECKING
from keylint.model import CATEGORIES, Severity
from keylint.redact import escape
from keylint.report import ReportOptions, render_written, shown_secret

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TextIO

    from keylint.engine import ScanReport

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def write(report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    for line in _lines(report, options):
        out.write(line + "\n")


def render(report: ScanReport, options: ReportOptions) -> str:
    return render_written(write, report, options)


def _lines(report: ScanReport, options: ReportOptions) -> Iterator[str]:
    color = options.color

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    current = None
    for f in report.findings:
        if f.path != current:
            if current is not None:
                yield ""
            current = f.path
        secret = shown_secret(f, options)
        where = paint(f"{escape(f.path)}:{f.line}:{f.column}:", _BOLD)
        severity = paint(f"[{f.severity.label}]", _COLORS[f.severity])
        tail = f" ({secret})" if secret else ""
        yield f"{where} {paint(f.rule, _BOLD)} {severity} {escape(f.message)}{tail}"
        if f.fix:
            yield paint(f"    help: {escape(f.fix)}", _DIM)
    notices = report.notices
    if notices:
        if report.findings:
            yield ""
        for notice in notices:
            label = "note" if notice.kind == "skipped" else notice.kind
            yield paint(f"{label}: ", _COLORS[Severity.WARNING]) + escape(notice.message)
    if report.findings or notices:
        yield ""
    if report.findings:
        yield from category_table(report)
        yield ""
    yield summary_line(report)


def category_table(report: ScanReport) -> list[str]:
    """Findings per category and severity, one row per category that has any."""
    severities = sorted(Severity, reverse=True)
    counts: dict[str, dict[Severity, int]] = {}
    for f in report.findings:
        row = counts.setdefault(f.category, dict.fromkeys(severities, 0))
        row[f.severity] += 1
    order = {c: i for i, c in enumerate(CATEGORIES)}
    header = ["category", *(s.label for s in severities), "total"]
    rows = [
        [category, *(str(row[s]) for s in severities), str(sum(row.values()))]
        for category, row in sorted(counts.items(), key=lambda item: order.get(item[0], len(order)))
    ]
    if len(rows) > 1:
        totals = [sum(int(r[i]) for r in rows) for i in range(1, len(header))]
        rows.append(["total", *(str(t) for t in totals)])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(r)).rstrip()
        for r in [header, *rows]
    ]


def summary_line(report: ScanReport) -> str:
    counts = {s: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity] += 1
    files = len({f.path for f in report.findings})
    parts = [
        _plural(counts[Severity.ERROR], "error"),
        _plural(counts[Severity.WARNING], "warning"),
        f"{counts[Severity.INFO]} info",
    ]
    text = (
        f"{_plural(len(report.findings), 'finding')} ({', '.join(parts)}) in {_plural(files, 'file')}; "
        f"scanned {_plural(report.files_scanned, 'file')} in {report.duration:.2f}s"
    )
    errors = len(report.errors)
    if errors:
        text += f"; {_plural(errors, 'file')} could not be fully scanned (see above)"
    return text
