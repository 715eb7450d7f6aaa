"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Code scanning needs rule ``help``, result ``partialFingerprints`` and
``properties.security-severity`` (which sets the severity label it shows).
"""

from __future__ import annotations

from functools import lru_cache
from json.encoder import encode_basestring
from pathlib import Path
from urllib.parse import quote

from keylint import TYPE_CHECKING
from keylint.model import Finding, Severity
from keylint.redact import escape
from keylint.report import ReportOptions, render_written, shown_secret
from keylint.report.jsonstream import Encoded, encode, write_json
from keylint.rules import all_rules

if TYPE_CHECKING:
    from typing import Any, TextIO

    from keylint.engine import ScanReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
INFORMATION_URI = "https://pypi.org/project/keylint/"


@lru_cache(maxsize=64)  # a file's results are written one after another
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


def _message(f: Finding, options: ReportOptions) -> str:
    """A result's message text: the finding's message, its secret as the options show it, and its fix."""
    message = escape(f.message)
    secret = shown_secret(f, options)
    if secret:
        message += f" ({secret})"
    if f.fix:
        message += f". Fix: {escape(f.fix)}"
    return message


def _result(f: Finding, rule_index: int, options: ReportOptions) -> dict[str, Any]:
    message = _message(f, options)
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


def _result_text(f: Finding, rule_index: int, options: ReportOptions, level: int) -> str:
    """``encode(_result(f, rule_index, options), level)``, laid out directly.

    A dense tree's report holds ~70,000 results, and walking each one's nested dictionaries took five times as
    long. As for a JSON report's findings (keylint.report.json.finding_text), a field of an unusual type makes
    the result go through its dictionary, so the text is always that one (tests/test_reports.py compares them)."""
    if type(f.line) is not int or type(f.column) is not int:
        return encode(_result(f, rule_index, options), level)
    p = _pads(level)  # p[depth]: a new line indented for that depth inside the result
    quoted = encode_basestring
    message = _message(f, options)
    try:  # encode_basestring takes only strings: a TypeError means a field of another type
        logical = (
            f',{p[3]}"logicalLocations": [{p[4]}{{{p[5]}"fullyQualifiedName": {quoted(escape(f.key))}{p[4]}}}{p[3]}]'
            if f.key
            else ""
        )
        properties = (
            f'{p[2]}"category": {quoted(f.category)},{p[2]}"severity": {quoted(f.severity.label)}'
            f',{p[2]}"security-severity": {quoted(_SECURITY_SEVERITY[f.severity])}'
        )
        if f.provider:
            properties += f',{p[2]}"provider": {quoted(f.provider)}'
        if "verification" in f.extra:
            properties += f',{p[2]}"verification": {encode(f.extra["verification"], level + 2)}'
        return (
            f'{{{p[1]}"ruleId": {quoted(f.rule)},{p[1]}"ruleIndex": {rule_index}'
            f',{p[1]}"level": {quoted(_LEVEL[f.severity])}'
            f',{p[1]}"message": {{{p[2]}"text": {quoted(message)}{p[1]}}}'
            f',{p[1]}"locations": [{p[2]}{{{p[3]}"physicalLocation": {{'
            f'{p[4]}"artifactLocation": {{{p[5]}"uri": {quoted(_uri(f.path))},{p[5]}"uriBaseId": "%SRCROOT%"{p[4]}}}'
            f',{p[4]}"region": {{{p[5]}"startLine": {max(f.line, 1)},{p[5]}"startColumn": {max(f.column, 1)}{p[4]}}}'
            f"{p[3]}}}{logical}{p[2]}}}{p[1]}]"
            f',{p[1]}"partialFingerprints": {{{p[2]}"keylintFingerprint/v1": {quoted(f.fingerprint)}{p[1]}}}'
            f',{p[1]}"properties": {{{properties}{p[1]}}}{p[0]}}}'
        )
    except TypeError:
        return encode(_result(f, rule_index, options), level)


@lru_cache(maxsize=8)
def _pads(level: int) -> tuple[str, ...]:
    return tuple("\n" + "  " * (level + depth) for depth in range(6))


# The results array is the fourth level of the document (document, runs, run, results): its elements the fifth.
_RESULT_LEVEL = 4


def write(report: ScanReport, options: ReportOptions, out: TextIO) -> None:
    codes = sorted({f.rule for f in report.findings} | set(all_rules()))
    index = {code: i for i, code in enumerate(codes)}
    # Each result is made as it is written, never all at once.
    results = Encoded(_result_text(f, index[f.rule], options, _RESULT_LEVEL) for f in report.findings)
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
