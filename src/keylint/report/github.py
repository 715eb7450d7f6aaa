"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line.

``::error file=.env,line=3,col=14,title=KL101 provider-key::message`` for every
finding (``warning`` and ``notice`` for the lower severities), a ``notice`` for
every file that was skipped and a ``warning`` for every file that could not be
read, then the plain summary line for the log.

Escaping follows the runner's rules (actions/toolkit, ``command.ts``): in the
message ``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D`` and ``%0A``; in property
values ``:`` and ``,`` become ``%3A`` and ``%2C`` as well. Without this a file name
or message holding ``::`` or a newline could end the command early or forge
another one.
"""

from __future__ import annotations

from keylint import TYPE_CHECKING
from keylint.model import Severity
from keylint.redact import escape
from keylint.report import ReportOptions, render_written, shown_secret
from keylint.report.text import summary_line

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TextIO

    from keylint.engine import ScanReport

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def write(report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    for line in _lines(report, options):
        out.write(line + "\n")


def render(report: ScanReport, options: ReportOptions) -> str:
    return render_written(write, report, options)


def _lines(report: ScanReport, options: ReportOptions) -> Iterator[str]:
    for f in report.findings:
        secret = shown_secret(f, options)
        message = escape(f.message) + (f" ({secret})" if secret else "")
        if f.fix:
            message += f"\nFix: {escape(f.fix)}"
        yield command(
            _COMMAND[f.severity],
            message,
            file=escape(f.path) or None,
            line=max(f.line, 1) if f.path else None,
            col=max(f.column, 1) if f.path else None,
            title=f"{f.rule} {f.name}",
        )
    for notice in report.notices:
        skipped = notice.kind == "skipped"
        yield command(
            "notice" if skipped else "warning",
            escape(notice.message),
            file=escape(notice.path) or None,
            title="keylint: file skipped" if skipped else "keylint: file not scanned",
        )
    yield summary_line(report)
