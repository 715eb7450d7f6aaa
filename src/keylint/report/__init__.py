"""Reporters: one module per output format, each ``render(report, options) -> str``.

Secrets are masked here, in one place (:func:`finding_dict`), before any
reporter formats a finding; only ``--show-secrets`` lets a full value through.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from keylint.model import Finding
from keylint.redact import escape, mask

if TYPE_CHECKING:
    from keylint.engine import ScanReport

FORMATS = ("text", "json", "sarif", "github", "junit", "html")


@dataclass(frozen=True)
class ReportOptions:
    show_secrets: bool = False
    color: bool = False
    verbose: bool = False
    tool_version: str = ""
    command: str = "scan"


def shown_secret(finding: Finding, options: ReportOptions) -> str | None:
    if finding.secret is None:
        return None
    return escape(finding.secret) if options.show_secrets else mask(finding.secret)


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
    for name in ("verification", "git", "commit", "date", "present_at_head", "fix_suggestion"):
        if name in finding.extra:
            data[name] = finding.extra[name]
    return data


def render(fmt: str, report: ScanReport, options: ReportOptions) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = import_module(f"keylint.report.{fmt}")
    return module.render(report, options)
