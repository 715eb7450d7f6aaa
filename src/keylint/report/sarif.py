"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Code scanning needs rule ``help``, result ``partialFingerprints`` and
``properties.security-severity`` (which sets the severity label it shows).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from keylint import TYPE_CHECKING
from keylint.model import Finding, Severity
from keylint.redact import escape
from keylint.report import ReportOptions, render_written, shown_secret
from keylint.report.jsonstream import write_json
from keylint.rules import all_rules

if TYPE_CHECKING:
    from typing import Any, TextIO

    from keylint.engine import ScanReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
INFORMATION_URI = "https://pypi.org/project/keylint/"


def _uri(path: str) -> str:
    # surrogateescape: the undecodable bytes of a file name become their own %XX
    return quote(path.replace("\\", "/"), safe="/:@", errors="surrogateescape")


def _rule_descriptor(code: str) -> dict[str, Any]:
    rule = all_rules()[code]
    markdown = f"**{rule.code} {rule.name}**: {rule.summary}\n\n{rule.doc.split(chr(10), 1)[-1].strip()}"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.section("What it does") or rule.summary},
        "help": {"text": rule.section("How to fix") or rule.summary, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", rule.category],
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "precision": "high" if rule.category != "secret" else "medium",
        },
    }


def _result(f: Finding, rule_index: int, options: ReportOptions) -> dict[str, Any]:
    message = escape(f.message)
    secret = shown_secret(f, options)
    if secret:
        message += f" ({secret})"
    if f.fix:
        message += f". Fix: {escape(f.fix)}"
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                },
                **({"logicalLocations": [{"fullyQualifiedName": escape(f.key)}]} if f.key else {}),
            }
        ],
        "partialFingerprints": {"keylintFingerprint/v1": f.fingerprint},
        "properties": {
            "category": f.category,
            "severity": f.severity.label,
            "security-severity": _SECURITY_SEVERITY[f.severity],
            **({"provider": f.provider} if f.provider else {}),
            **({"verification": f.extra["verification"]} if "verification" in f.extra else {}),
        },
    }


def write(report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    codes = sorted({f.rule for f in report.findings} | set(all_rules()))
    index = {code: i for i, code in enumerate(codes)}
    # A generator: each result is made as it is written, never all at once.
    results = (_result(f, index[f.rule], options) for f in report.findings)
    notifications = [
        {
            "level": "note" if n.kind == "skipped" else "error",
            "message": {"text": escape(n.message)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(n.path)}}}],
        }
        for n in report.notices
    ]
    # A file that could not be scanned (unreadable, over a limit, a crash) makes the run unsuccessful:
    # the results are not the whole truth. Files skipped by policy (binary) do not.
    unscanned = any(n.kind in ("error", "limit") for n in report.notices)
    invocation: dict[str, Any] = {"executionSuccessful": not unscanned}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "keylint",
                        "version": options.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(code) for code in codes],
                    }
                },
                "invocations": [invocation],
                "results": results,
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            }
        ],
    }
    write_json(document, out)
    out.write("\n")


def render(report: ScanReport, options: ReportOptions) -> str:
    return render_written(write, report, options)
