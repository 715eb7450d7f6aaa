"""Every output format on one fixed sample: snapshots, parsed back, and never a secret in full.

The sample is a hand-built ScanReport, so the snapshots pin the reporters, not the rules
(which other work keeps extending). Its secrets are generated at test time from fixed
seeds; only their masked forms can appear in a snapshot. Regenerate the snapshots after
an intended change with ``KEYLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_reports.py``.
"""

from __future__ import annotations

import json
import os
import random
import re
import string
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from conftest import SARIF_SCHEMA
from keylint.config import Settings
from keylint.engine import FileSummary, ScanReport
from keylint.model import Finding, Notice, Severity
from keylint.redact import fingerprint, mask
from keylint.report import FORMATS, ReportOptions, render
from keylint.report.github import escape_data, escape_property

SNAPSHOTS = Path(__file__).parent / "snapshots"
OPTIONS = ReportOptions(tool_version="0.0.0-test")


def fake_secret(prefix: str, length: int, seed: int) -> str:
    rng = random.Random(seed)
    return prefix + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


SECRETS = {
    "github": fake_secret("ghp_", 36, 1),
    "stripe": fake_secret("sk_live_", 24, 2),
    "session": fake_secret("", 40, 3),
    "db": fake_secret("", 16, 4),
}


def finding(rule: str, name: str, severity: Severity, category: str, path: str, line: int, column: int, **kw):
    secret = kw.pop("secret", None)
    key = kw.pop("key", None)
    return Finding(
        rule=rule,
        name=name,
        severity=severity,
        category=category,
        path=path,
        line=line,
        column=column,
        key=key,
        provider=kw.pop("provider", None),
        message=kw.pop("message"),
        secret=secret,
        fix=kw.pop("fix", None),
        fingerprint=fingerprint(rule, path, key, secret),
        extra=kw.pop("extra", {}),
    )


def scanned(path: str) -> FileSummary:
    return FileSummary(path=path, display=path, fmt="lines", template=False, environment=None, keys=[], secrets=[])


def sample_report(fail_on: Severity | None = Severity.ERROR) -> ScanReport:
    s = SECRETS
    findings = [
        finding(
            "KL101",
            "provider-key",
            Severity.ERROR,
            "secret",
            ".env",
            3,
            14,
            key="GITHUB_TOKEN",
            provider="github",
            message="GitHub personal access token in GITHUB_TOKEN",
            secret=s["github"],
            fix="move the key out of the repository and rotate it",
            extra={"context": f"GITHUB_TOKEN={mask(s['github'])}"},
        ),
        finding(
            "KL102",
            "generic-secret",
            Severity.WARNING,
            "secret",
            ".env",
            4,
            16,
            key="SESSION_SECRET",
            message="secret-looking value in SESSION_SECRET",
            secret=s["session"],
            extra={"context": f"SESSION_SECRET={mask(s['session'])}  # rotate monthly"},
        ),
        finding(
            "KL103",
            "url-credentials",
            Severity.INFO,
            "secret",
            "deploy/values.yaml",
            7,
            20,
            key="db.url",
            message="password in the URL in db.url",
            secret=s["db"],
            extra={"context": f"  url: postgres://app:{mask(s['db'])}@db:5432/app"},
        ),
        finding(
            "KL101",
            "provider-key",
            Severity.INFO,
            "secret",
            "deploy/values.yaml",
            12,
            15,
            key="payments.stripe_key",
            provider="stripe",
            message="Stripe live secret key in payments.stripe_key",
            secret=s["stripe"],
            extra={"context": f"  stripe_key: {mask(s['stripe'])}"},
        ),
        # Hostile text from a scanned repository: markup, workflow-command syntax, control characters.
        finding(
            "KL001",
            "parse-error",
            Severity.WARNING,
            "parse",
            "odd dir, a:b/100%<x>.json",
            2,
            1,
            message="cannot parse: <script>alert(1)</script>\n::error::forged, 50% done\r",
            extra={"context": '{"a": <b>bold</b>,'},
        ),
        finding(
            "KL002",
            "unused-suppression",
            Severity.INFO,
            "hygiene",
            "config.toml",
            5,
            30,
            key='weird "key" <&>',
            message="suppression of KL101 suppresses nothing",
        ),
    ]
    notices = [
        Notice("big.json", "big.json: larger than 64MB, skipped", "skipped"),
        Notice("locked.env", "locked.env: cannot read (Permission denied)", "error"),
    ]
    return ScanReport(
        findings=findings,
        notices=notices,
        files_scanned=5,
        duration=1.234,
        settings=Settings(fail_on=fail_on),
        files=[
            scanned(p) for p in (".env", "deploy/values.yaml", "odd dir, a:b/100%<x>.json", "config.toml", "clean.ini")
        ],
    )


def normalised(fmt: str, text: str) -> str:
    if fmt != "sarif":
        return text
    document = json.loads(text)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result.pop("ruleIndex")]["id"] == result["ruleId"]
    used = {r["ruleId"] for r in run["results"]}
    # Rule descriptors come from the rule catalogue, which other work extends: keep the referenced ones' ids.
    run["tool"]["driver"]["rules"] = [{"id": r["id"], "name": r["name"]} for r in rules if r["id"] in used]
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///SRCROOT/"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_snapshot(fmt):
    text = normalised(fmt, render(fmt, sample_report(), OPTIONS))
    snapshot = SNAPSHOTS / f"sample.{fmt}"
    if os.environ.get("KEYLINT_UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8"), f"{snapshot} is out of date (see module docstring)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_full_in_any_format(fmt):
    text = render(fmt, sample_report(), OPTIONS)
    for secret in SECRETS.values():
        assert secret not in text
        assert secret[4:12] not in text
    shown = render(fmt, sample_report(), ReportOptions(show_secrets=True))
    assert SECRETS["github"] in shown  # --show-secrets is honoured everywhere


def test_sarif_sample_is_valid_sarif():
    document = json.loads(render("sarif", sample_report(), OPTIONS))
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    results = document["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "note", "warning", "note"]
    assert all(r["partialFingerprints"]["keylintFingerprint/v1"] for r in results)


# ---------------------------------------------------------------- github


_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in text.splitlines():
        match = _COMMAND.match(line)
        if match:
            props = dict(p.split("=", 1) for p in match.group(2).split(",")) if match.group(2) else {}
            commands.append((match.group(1), {k: unescape(v) for k, v in props.items()}, unescape(match.group(3))))
    return commands


def test_github_commands_are_escaped_and_cannot_be_forged():
    text = render("github", sample_report(), OPTIONS)
    lines = text.splitlines()
    assert not any(line.startswith("::error::forged") for line in lines)
    assert len(lines) == 6 + 2 + 1  # findings, notices, summary line
    commands = parse_commands(text)
    assert [c[0] for c in commands] == [
        "error",
        "warning",
        "notice",
        "notice",
        "warning",
        "notice",
        "notice",
        "warning",
    ]
    _kind, props, message = commands[4]
    assert props == {"file": "odd dir, a:b/100%<x>.json", "line": "2", "col": "1", "title": "KL001 parse-error"}
    assert "::error::forged, 50% done" in message and "\\n" in message  # the newline arrives escaped
    _kind, props, message = commands[0]
    assert props["title"] == "KL101 provider-key" and (props["line"], props["col"]) == ("3", "14")
    assert message.startswith("GitHub personal access token in GITHUB_TOKEN (ghp_…")
    assert message.endswith("\nFix: move the key out of the repository and rotate it")
    assert commands[6] == (
        "notice",
        {"file": "big.json", "title": "keylint: file skipped"},
        "big.json: larger than 64MB, skipped",
    )
    assert commands[7][0] == "warning" and commands[7][1]["file"] == "locked.env"
    assert lines[-1].startswith("6 findings (1 error, 2 warnings, 3 info) in 4 files")


def test_github_escaping_rules():
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("a:b,c") == "a:b,c"  # messages keep colons and commas


# ---------------------------------------------------------------- junit


def test_junit_parses_back_with_failures_at_fail_on():
    root = ET.fromstring(render("junit", sample_report(Severity.WARNING), OPTIONS))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    # 6 findings, 1 scanned file without findings, 1 skipped file, 1 unreadable file
    assert len(cases) == 9 == int(suite.get("tests")) == int(root.get("tests"))
    failures = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == [
        "KL101 provider-key at 3:14",
        "KL102 generic-secret at 4:16",
        "KL001 parse-error at 2:1",
    ]
    assert int(suite.get("failures")) == 3 and int(suite.get("errors")) == 1 and int(suite.get("skipped")) == 1
    first = failures[0]
    assert first.get("classname") == ".env" and first.get("file") == ".env" and first.get("line") == "3"
    body = first.find("failure").text
    assert ".env:3:14: KL101 [error] GitHub personal access token in GITHUB_TOKEN (ghp_…" in body
    assert "fix: move the key out" in body
    passing = [c for c in cases if not list(c) or c.find("system-out") is not None]
    assert {c.get("name") for c in passing} >= {"no findings", "KL103 url-credentials at 7:20"}
    (clean,) = [c for c in cases if c.get("name") == "no findings"]
    assert clean.get("classname") == "clean.ini"
    assert cases[-2].find("skipped") is not None and cases[-1].find("error") is not None


def test_junit_never_fails_with_fail_on_never():
    root = ET.fromstring(render("junit", sample_report(None), OPTIONS))
    assert root.get("failures") == "0"
    assert not list(root.iter("failure"))


# ---------------------------------------------------------------- html


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.in_findings = False
        self.finding_rows: list[dict[str, str | None]] = []
        self.scripts: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table" and attributes.get("id") == "findings":
            self.in_findings = True
        if self.in_findings and tag == "tr" and "data-severity" in attributes:
            self.finding_rows.append(attributes)
        self._script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_findings = False
        self._script = False

    def handle_data(self, data):
        if self._script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse_page(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser


def test_html_is_self_contained_and_structured():
    text = render("html", sample_report(), OPTIONS)
    page = parse_page(text)
    tags = [t for t, _ in page.tags]
    assert text.startswith("<!DOCTYPE html>")
    # No external assets of any kind, and a policy that forbids loading them.
    for tag, attrs in page.tags:
        assert tag not in {"link", "img", "iframe", "object", "embed"}
        assert "src" not in attrs
        assert not str(attrs.get("href") or "").startswith(("http", "//"))
    assert not re.search(r"url\(|@import|https?://", text)
    csp = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]
    assert tags.count("script") == 1 and tags.count("style") == 1
    # Summary by severity, category, provider and file, then one row per finding.
    headings = [t for t in page.text if t.startswith("By ")]
    assert headings == ["By severity", "By category", "By provider", "By file"]
    assert len(page.finding_rows) == 6
    assert [r["data-severity"] for r in page.finding_rows] == ["error", "warning", "info", "info", "warning", "info"]
    assert {r["data-file"] for r in page.finding_rows} == {
        ".env",
        "deploy/values.yaml",
        "odd dir, a:b/100%<x>.json",
        "config.toml",
    }
    body = "".join(page.text)
    assert "GITHUB_TOKEN=ghp_…" in body  # the context line, masked
    assert "move the key out of the repository and rotate it" in body  # the fix
    assert "locked.env: cannot read (Permission denied)" in body
    # Scanned text is escaped: it shows as text, never becomes markup.
    assert "<script>alert(1)</script>" in body
    assert "<b>" not in [t for t, _ in page.tags] and "alert(1)" not in "".join(page.scripts)
    assert "\\x0d" in body or "\\r" in body


def test_html_with_no_findings_says_so():
    report = ScanReport(findings=[], notices=[], files_scanned=3, duration=0.1, settings=Settings())
    page = parse_page(render("html", report, OPTIONS))
    assert "No findings." in "".join(page.text) and not page.finding_rows


def test_html_renders_and_filters_in_headless_chromium(tmp_path):
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed")
    report = tmp_path / "report.html"
    report.write_text(render("html", sample_report(), OPTIONS), encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = report.as_uri() + "#severity=warning&sort=location:desc"
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    assert 'id="shown">2 of 6 findings shown' in dom  # the script ran and applied the filter from the URL
    rows = re.findall(r'<tr data-order="(\d+)" data-severity="(\w+)"[^>]*?( hidden="")?>', dom)
    visible = [(order, severity) for order, severity, hidden in rows if not hidden]
    assert visible == [("4", "warning"), ("1", "warning")]  # sorted by location, descending
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, *flags, "--window-size=1280,900", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 10_000  # a real rendering, not a blank page


def test_escape_passes_exactly_the_texts_without_a_character_to_escape():
    """escape() lets a printable text through untested: every character it escapes is unprintable to Python."""
    from keylint.redact import _CONTROL

    everything = "".join(map(chr, range(0x110000)))
    escaped = _CONTROL.findall(everything)
    assert len(escaped) > 2000 and not any(char.isprintable() for char in escaped)


def _plain_escape(text: str) -> str:
    from keylint.redact import _CONTROL, _escape_one

    return _CONTROL.sub(_escape_one, text)


def _plain_mask(secret: str) -> str:
    n = len(secret)
    if n < 8:
        return "*" * max(n, 3)
    head, tail = min(4, n // 4), min(2, n // 8)
    return _plain_escape(secret[:head] + "…" + (secret[-tail:] if tail else ""))


unicode_text = st.text(st.characters(codec=None) | st.sampled_from("\n\t\x1b\u202e\udc80\xa0 é"), max_size=40)


@hypothesis_settings(max_examples=500, deadline=None)
@given(unicode_text)
def test_escape_and_mask_equal_their_plain_definitions(text):
    from keylint.redact import escape

    assert escape(text) == _plain_escape(text)
    assert mask(text) == _plain_mask(text)
