"""Reporters: one module per output format, each ``render(report, options) -> str``.

A reporter may also define ``write(report, options, out)``, which writes the same text to a
stream as it is made: a scan's tens of thousands of findings then never exist as one string.

Secrets are masked here, in one place (:func:`finding_dict`), before any
reporter formats a finding; only ``--show-secrets`` lets a full value through.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from importlib import import_module

from keylint import TYPE_CHECKING
from keylint.model import Finding
from keylint.records import dataclass
from keylint.redact import escape, mask

if TYPE_CHECKING:
    from typing import Any, BinaryIO, Protocol, TextIO

    from keylint.engine import ScanReport

    class Prepared(Protocol):
        def add(self, findings: list[Finding]) -> None: ...


FORMATS = ("text", "json", "sarif", "github", "junit", "html")


@dataclass(frozen=True)
class ReportOptions:
    show_secrets: bool = False
    color: bool = False
    verbose: bool = False
    tool_version: str = ""
    command: str = "scan"
    # What the reporter made of the findings while a parallel scan ran (see prepare), when it did.
    prepared: Any = None


def shown_secret(finding: Finding, options: ReportOptions) -> str | None:
    if finding.secret is None:
        return None
    return escape(finding.secret) if options.show_secrets else mask(finding.secret)


# What of a finding's ``extra`` the machine formats show, in this order, when it is there.
EXTRA_FIELDS = ("verification", "git", "commit", "date", "present_at_head", "fix_suggestion")


def finding_dict(finding: Finding, options: ReportOptions) -> dict[str, Any]:
    """The JSON shape of one finding (also the base of the other machine formats)."""
    data: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.label,
        "category": finding.category,
        "path": escape(finding.path),
        "line": finding.line,
        "column": finding.column,
        "key": escape(finding.key) if finding.key is not None else None,
        "provider": finding.provider,
        "message": escape(finding.message),
        "secret": shown_secret(finding, options),
        "fingerprint": finding.fingerprint,
    }
    for name in EXTRA_FIELDS:
        if name in finding.extra:
            data[name] = finding.extra[name]
    return data


def _reporter(fmt: str) -> Any:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return import_module(f"keylint.report.{fmt}")


def prepare(fmt: str, options: ReportOptions) -> Prepared | None:
    """An early start on the report: what the reporter of ``fmt`` lays out of each file's findings as a parallel
    scan returns them, while the worker processes still scan (else the main process does it all at the end, with
    one core idle). None for a format that has nothing to lay out early. Pass it to the reporter as the
    ``prepared`` option; it is only right while the findings it was given stay as they were."""
    module = _reporter(fmt)
    return module.prepare(options) if hasattr(module, "prepare") else None


def render(fmt: str, report: ScanReport, options: ReportOptions) -> str:
    return _reporter(fmt).render(report, options)


Writer = Callable[["ScanReport", ReportOptions, "TextIO"], None]


class Utf8Writer(io.TextIOWrapper):
    """A report file: its text in UTF-8, newlines as written. What a reporter has encoded already (the JSON report's
    findings, ~35 MB of a dense tree's) goes to its bytes as they are, never decoded and encoded again."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(raw, encoding="utf-8", newline="\n")

    def write_utf8(self, data: bytes) -> None:
        self.flush()  # the text written before it
        self.buffer.write(data)


def render_written(write: Writer, report: ScanReport, options: ReportOptions) -> str:
    """The text a reporter's ``write`` makes, as one string (its ``render``)."""
    buffer = io.StringIO()
    write(report, options, buffer)
    return buffer.getvalue()


def write(fmt: str, report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    """Write the report to ``out``: the same text as :func:`render`, streamed by the reporters that can."""
    module = _reporter(fmt)
    if hasattr(module, "write"):
        module.write(report, options, out)
    else:
        out.write(module.render(report, options))
