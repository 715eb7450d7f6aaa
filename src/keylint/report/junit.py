"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines ...).

One ``<testsuite>`` per scan. Every finding is a test case named after its rule and
position, with the file as the class name (so CI views group findings by file); it
fails when its severity is at or above ``--fail-on``. Every scanned file without
findings is a passing test case, a skipped file a ``<skipped>`` one and a file that
could not be read an ``<error>``, so the report shows the whole scan, not only its
problems. The XML is built with ElementTree, which escapes all markup; characters
XML 1.0 cannot carry at all are replaced first.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from keylint import TYPE_CHECKING
from keylint.redact import escape
from keylint.report import ReportOptions, shown_secret

if TYPE_CHECKING:
    from keylint.engine import ScanReport

# Not allowed anywhere in an XML 1.0 document, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", escape(text))


def render(report: ScanReport, options: ReportOptions) -> str:
    fail_on = report.settings.fail_on
    seconds = f"{report.duration:.3f}"
    suite = ET.Element("testsuite", name="keylint", time=seconds)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def case(classname: str, name: str, **attrs: str) -> ET.Element:
        counts["tests"] += 1
        return ET.SubElement(suite, "testcase", classname=_xml(classname), name=_xml(name), time="0", **attrs)

    for f in report.findings:
        where = escape(f.path) or "(scan)"
        element = case(where, f"{f.rule} {f.name} at {f.line}:{f.column}", file=_xml(where), line=str(f.line))
        secret = shown_secret(f, options)
        lines = [
            f"{where}:{f.line}:{f.column}: {f.rule} [{f.severity.label}] {escape(f.message)}"
            + (f" ({secret})" if secret else ""),
        ]
        if f.key:
            lines.append(f"key: {escape(f.key)}")
        if f.provider:
            lines.append(f"provider: {f.provider}")
        lines.append(f"category: {f.category}")
        if f.fix:
            lines.append(f"fix: {escape(f.fix)}")
        body = _xml("\n".join(lines))
        if fail_on is not None and f.severity >= fail_on:
            counts["failures"] += 1
            failure = ET.SubElement(element, "failure", message=_xml(f.message), type=f"{f.rule} {f.severity.label}")
            failure.text = body
        else:
            ET.SubElement(element, "system-out").text = body
    with_findings = {f.path for f in report.findings}
    for summary in report.files:
        path = summary.display
        if path not in with_findings:
            case(path, "no findings", file=_xml(path))
    for notice in report.notices:
        element = case(notice.path, "skipped" if notice.kind == "skipped" else "not scanned", file=_xml(notice.path))
        if notice.kind == "skipped":
            counts["skipped"] += 1
            ET.SubElement(element, "skipped", message=_xml(notice.message))
        else:
            counts["errors"] += 1
            ET.SubElement(element, "error", message=_xml(notice.message), type=notice.kind).text = _xml(notice.message)
    for name, value in counts.items():
        suite.set(name, str(value))
    root = ET.Element("testsuites", name="keylint", time=seconds, **{k: str(v) for k, v in counts.items()})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
