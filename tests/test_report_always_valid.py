"""Always a valid report: every --format stays well-formed when files cannot be scanned, names them, and never
calls a partial scan clean. Exit 1 for a partial scan (0 with --exit-zero), 2 only for fatal errors."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from conftest import SARIF_SCHEMA, make_key

KEY = make_key("github", "personal-access-token", seed=90)
PROBLEMS = ("broken.yaml", "huge.env", "binary.env")  # parse error, over the size limit, binary
NOT_SCANNED = ("huge.env",)  # the file that makes the scan incomplete


def tree(root: Path) -> None:
    (root / "ok.env").write_text(f"GITHUB_TOKEN={KEY}\n")
    (root / "broken.yaml").write_text(f"a: [1, 2\nb: {{\ntoken: {KEY}\n")
    (root / "huge.env").write_text("A=1\n" + "#" * 5000 + "\n")
    (root / "binary.env").write_bytes(bytes(range(256)))


class _Html(HTMLParser):
    VOID = frozenset({"meta", "br", "img", "input", "hr", "link", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def well_formed(fmt: str, out: str) -> str:
    """Parse the report as its format requires; returns its text content, to look for the problem files in."""
    if fmt == "json":
        document = json.loads(out)
        assert document["summary"]["complete"] is False
        listed = {e["path"] for e in document["errors"]}
        assert listed >= set(PROBLEMS) - {"broken.yaml"}, listed
        assert {e["path"] for e in document["errors"] if e["kind"] != "skipped"} >= set(NOT_SCANNED)
        assert "ok.env" in {f["path"] for f in document["findings"]}
        assert "broken.yaml" in {f["path"] for f in document["findings"] if f["rule"] == "KL001"}
        return out
    if fmt == "sarif":
        document = json.loads(out)
        jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
        (invocation,) = document["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        notified = json.dumps(invocation["toolExecutionNotifications"])
        assert all(name in notified for name in (*NOT_SCANNED, "binary.env")), notified
        return out
    if fmt == "junit":
        root = ET.fromstring(out)
        assert int(root.get("errors")) >= len(NOT_SCANNED)
        errored = {case.get("file") for case in root.iter("testcase") if case.find("error") is not None}
        assert errored >= set(NOT_SCANNED), errored
        return out
    if fmt == "html":
        parser = _Html()
        parser.feed(out)
        parser.close()
        assert not parser.open, parser.open
        text = " ".join(parser.text)
        assert "Incomplete" in text or "incomplete" in text, text[:500]
        return text
    if fmt == "github":
        lines = out.splitlines()
        command = re.compile(r"^::(error|warning|notice)( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::.*$")
        assert all(command.match(line) for line in lines[:-1]), lines
        assert "could not be fully scanned" in lines[-1]
        return out
    assert fmt == "text"
    assert "could not be fully scanned" in out
    return out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "html"])
def test_every_format_is_well_formed_lists_the_problem_files_and_marks_the_scan_incomplete(cli, tmp_path, fmt):
    tree(tmp_path)
    args = ("scan", ".", "--isolated", "--no-git", "--max-file-size", "2KB", "--format", fmt)
    run = cli(*args, cwd=tmp_path)
    assert run.code == 1, run.err  # findings or not, a partial scan is never clean
    assert "Traceback" not in run.err
    content = well_formed(fmt, run.out)
    for name in PROBLEMS:
        assert name in content, (fmt, name)
    assert KEY not in run.out
    relaxed = cli(*args, "--exit-zero", cwd=tmp_path)
    assert relaxed.code == 0 and well_formed(fmt, relaxed.out)


def test_a_partial_scan_without_findings_still_fails_the_gate(cli, tmp_path):
    (tmp_path / "huge.env").write_text("A=1\n" + "#" * 5000 + "\n")
    (tmp_path / "fine.env").write_text("A=1\n")
    run = cli("scan", ".", "--isolated", "--no-git", "--max-file-size", "2KB", "--format", "json", cwd=tmp_path)
    assert run.code == 1 and run.json()["summary"]["findings"] == 0 and run.json()["summary"]["complete"] is False
    clean = cli("scan", "fine.env", "--isolated", "--no-git", "--format", "json", cwd=tmp_path)
    assert clean.code == 0 and clean.json()["summary"]["complete"] is True


@pytest.mark.parametrize(
    ("args", "config"),
    [
        (("scan", ".", "--format", "yaml"), ""),
        (("scan", "."), "max-depth = true\n"),
        (("scan", "--staged"), ""),  # not a repository
    ],
)
def test_exit_code_two_is_for_fatal_errors_only(cli, tmp_path, args, config):
    (tmp_path / "ok.env").write_text("A=1\n")
    if config:
        (tmp_path / ".keylint.toml").write_text(config)
    run = cli(*args, cwd=tmp_path)
    assert run.code == 2 and "keylint" in run.err and "Traceback" not in run.err, run.err


def test_a_missing_path_is_a_partial_scan_not_a_fatal_error(cli, tmp_path):
    (tmp_path / "ok.env").write_text(f"GITHUB_TOKEN={KEY}\n")
    run = cli("scan", "ok.env", "no-such-dir", "--isolated", "--no-git", "--format", "json", cwd=tmp_path)
    report = run.json()
    assert run.code == 1 and report["summary"]["complete"] is False
    assert [e["path"] for e in report["errors"]] == ["no-such-dir"] and report["findings"]
