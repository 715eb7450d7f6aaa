"""The CI and audit formats end to end through the CLI; masked context lines; the text summary
table; the progress bar's rules (only a person at a terminal ever sees it)."""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from keylint import progress
from keylint.config import Settings
from keylint.engine import analyse
from keylint.redact import mask


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def sample(tmp_path: Path, key) -> tuple[Path, dict[str, str]]:
    tokens = {
        "github": key("github", "personal-access-token", seed=31),
        "stripe": key("stripe", "secret-key", seed=31, environment="live"),
    }
    write(tmp_path, ".env", f"APP_NAME=demo\nGITHUB_TOKEN={tokens['github']}\n")
    write(tmp_path, "deploy/app.yaml", f"service:\n  payments:\n    stripe_key: {tokens['stripe']}\n")
    write(tmp_path, "clean.env", "APP_NAME=demo\nDEBUG=false\n")
    return tmp_path, tokens


def test_github_format_end_to_end(cli, sample):
    root, tokens = sample
    run = cli("scan", ".", "--format", "github", "--fail-on", "info", cwd=root)
    assert run.code == 1
    lines = run.out.splitlines()
    assert (
        "::notice file=.env,line=2,col=14,title=KL101 provider-key::GitHub personal access token in GITHUB_TOKEN"
        in (run.out)
    )
    assert any(
        line.startswith("::notice file=deploy/app.yaml,line=3,col=17,title=KL101 provider-key::") for line in lines
    )
    assert all(line.startswith("::") for line in lines[:-1]) and "scanned 3 files" in lines[-1]
    assert tokens["github"] not in run.out and tokens["stripe"] not in run.out


def test_junit_format_end_to_end_to_a_file(cli, sample):
    root, tokens = sample
    run = cli("scan", ".", "--format", "junit", "--output", "report.xml", "--fail-on", "info", cwd=root)
    assert run.code == 1 and run.out == ""
    text = (root / "report.xml").read_text()
    assert tokens["github"] not in text
    suite = ET.fromstring(text).find("testsuite")
    cases = {(c.get("classname"), c.get("name")): c for c in suite.findall("testcase")}
    assert cases[(".env", "KL101 provider-key at 2:14")].find("failure") is not None
    assert cases[("deploy/app.yaml", "KL101 provider-key at 3:17")].find("failure") is not None
    assert cases[("clean.env", "no findings")].find("failure") is None
    assert suite.get("tests") == str(len(cases))


def test_junit_failures_follow_fail_on(cli, sample):
    root, _ = sample
    run = cli("scan", ".", "--format", "junit", "--fail-on", "error", cwd=root)
    failed = {c.get("name") for c in ET.fromstring(run.out).iter("testcase") if c.find("failure") is not None}
    errors = {
        f"{f['rule']} {f['name']} at {f['line']}:{f['column']}"
        for f in cli("scan", ".", "--format", "json", cwd=root).json()["findings"]
        if f["severity"] == "error"
    }
    assert failed == errors  # exactly the findings that make the exit code 1


def test_html_format_end_to_end_has_masked_context_lines(cli, sample):
    root, tokens = sample
    run = cli("scan", ".", "--format", "html", "-o", "audit.html", "--exit-zero", cwd=root)
    assert run.code == 0
    page = (root / "audit.html").read_text()
    assert tokens["github"] not in page and tokens["stripe"] not in page
    assert f"GITHUB_TOKEN={mask(tokens['github'])}" in page
    assert f"    stripe_key: {mask(tokens['stripe'])}" in page
    assert page.count('<tr data-order="') == len(cli("scan", ".", "--format", "json", cwd=root).json()["findings"])


# ---------------------------------------------------------------- context lines


def test_context_masks_every_secret_on_the_line_and_keeps_the_rest(key):
    github = key("github", "personal-access-token", seed=32)
    text = f"# header\nGITHUB_TOKEN={github}\n"
    findings, _ = analyse("x/.env", "x/.env", "dotenv", text, Settings())
    contexts = {f.extra["context"] for f in findings if f.line == 2}
    assert contexts == {f"GITHUB_TOKEN={mask(github)}"}


def test_context_of_a_yaml_line_with_two_keys_masks_both(key):
    github = key("github", "personal-access-token", seed=33)
    stripe = key("stripe", "secret-key", seed=33, environment="live")
    text = f"urls: [{github}, {stripe}]\n"
    findings, _ = analyse("a.yaml", "a.yaml", "yaml", text, Settings())
    assert findings
    for f in findings:
        context = f.extra["context"]
        assert github not in context and stripe not in context
        assert github[4:12] not in context and stripe[8:16] not in context


def test_context_hides_suppressed_secrets_and_short_passwords(key):
    github = key("github", "personal-access-token", seed=34)
    text = f"api:\n  password: hunter2x\n  token: {github}  # keylint: ignore[KL101]\n  other: [oops\n"
    findings, _ = analyse("b.yaml", "b.yaml", "yaml", text, Settings())
    for f in findings:
        assert github not in f.extra.get("context", "")
        assert "hunter2x" not in f.extra.get("context", "")


def test_context_of_a_kubernetes_secret_hides_the_encoded_value(key):
    github = key("github", "personal-access-token", seed=35)
    encoded = base64.b64encode(github.encode()).decode()
    text = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  GITHUB_TOKEN: {encoded}\n"
    findings, _ = analyse("secret.yaml", "secret.yaml", "yaml", text, Settings())
    on_line = [f for f in findings if f.line == 6]
    assert on_line
    for f in on_line:
        assert encoded not in f.extra["context"] and encoded[:12] not in f.extra["context"]
        assert f.extra["context"].startswith("  GITHUB_TOKEN: ")


def test_context_of_a_long_line_is_a_window_around_the_finding(key):
    github = key("github", "personal-access-token", seed=36)
    text = '{"padding": "' + "x" * 5000 + f'", "token": "{github}", "tail": "' + "y" * 5000 + '"}\n'
    findings, _ = analyse("big.json", "big.json", "json", text, Settings())
    (found,) = [f for f in findings if f.rule == "KL101"]
    context = found.extra["context"]
    assert len(context) <= 162 and context.startswith("…") and context.endswith("…")
    assert f'"token": "{mask(github)}' in context


# ---------------------------------------------------------------- text summary table


def test_text_report_ends_with_a_category_table_and_the_summary(cli, sample):
    root, _ = sample
    out = cli("scan", ".", cwd=root).out
    tail = out.rstrip("\n").split("\n\n")
    table, summary = tail[-2].splitlines(), tail[-1]
    assert re.match(r"category +error +warning +info +total$", table[0])
    rows = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in table[1:]}
    assert rows["secret"][3] >= 2
    for counts in rows.values():
        assert sum(counts[:3]) == counts[3]
    total = rows.get("total", next(iter(rows.values())))
    assert summary.startswith(f"{total[3]} findings")


def test_clean_text_report_has_no_table(cli, tmp_path):
    write(tmp_path, ".env", "APP_NAME=demo\n")
    out = cli("scan", ".", cwd=tmp_path).out
    assert "category" not in out and out.startswith("0 findings")


# ---------------------------------------------------------------- progress bar


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def use_terminal(monkeypatch: pytest.MonkeyPatch) -> FakeTTY:
    """stderr becomes a terminal. Called in the test body: pytest re-installs its own capture
    streams between fixture setup and the test call."""
    stream = FakeTTY()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


@pytest.fixture
def no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "REFRESH_SECONDS", 0.0)
    for name in ("CI", "PRE_COMMIT", "TERM"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    for i in range(12):
        write(tmp_path, f"svc{i:02d}/.env", f"APP_NAME=svc{i}\n")
    return tmp_path


def test_progress_bar_on_a_terminal(cli, no_ci, many_files, monkeypatch):
    terminal = use_terminal(monkeypatch)
    run = cli("scan", ".", cwd=many_files)
    assert run.code == 0
    drawn = terminal.getvalue()
    assert "\r[" in drawn and "12/12 files" in drawn
    assert drawn.endswith("\r\033[K")  # erased before the report is printed
    assert "[" not in run.out.split("\n")[0]


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({"CI": "true"}, ()),
        ({"PRE_COMMIT": "1"}, ()),
        ({"TERM": "dumb"}, ()),
        ({}, ("--format", "json")),
        ({}, ("--format", "sarif")),
        ({}, ("--format", "github")),
    ],
)
def test_no_progress_bar_in_ci_pre_commit_or_machine_formats(cli, no_ci, many_files, monkeypatch, env, args):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    terminal = use_terminal(monkeypatch)
    cli("scan", ".", *args, cwd=many_files)
    assert terminal.getvalue() == ""


def test_no_progress_bar_on_a_pipe(cli, many_files, monkeypatch, capsys):
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.delenv("CI", raising=False)
    run = cli("scan", ".", cwd=many_files)
    assert "files" not in run.err


def test_progress_bar_waits_before_drawing():
    stream = FakeTTY()
    now = [100.0]
    bar = progress.ProgressBar(stream, clock=lambda: now[0])
    bar(1, 10)
    assert stream.getvalue() == ""  # a quick scan never shows it
    now[0] += progress.DELAY_SECONDS + 0.01
    bar(5, 10)
    assert stream.getvalue() == "\r[###############---------------] 5/10 files"
    bar.close()
    assert stream.getvalue().endswith("\r\033[K")
