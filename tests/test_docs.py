"""The documentation stays true: docs/rules.md is generated from the rules, every rule page has
its sections, the README covers every integration, and the CI snippets in docs/ci.md work."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml

from conftest import SARIF_SCHEMA
from keylint.rules import DOC_SECTIONS, all_rules

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"


# ---------------------------------------------------------------- rules


def test_docs_rules_md_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_rules_doc.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr + " (regenerate it: python scripts/gen_rules_doc.py)"


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_every_rule_page_has_the_four_sections(code):
    rule = all_rules()[code]
    assert rule.summary and not rule.summary.startswith("#"), f"{code}: the docstring must start with a summary line"
    headings = [line.strip()[3:] for line in rule.doc.splitlines() if line.startswith("## ")]
    assert headings == list(DOC_SECTIONS), f"{code}: sections {headings}"
    for title in DOC_SECTIONS:
        assert len(rule.section(title)) >= 20, f"{code}: section {title!r} is (nearly) empty"
    assert "```" in rule.section("Example"), f"{code}: the example has no code block"


def test_rules_md_lists_every_rule_with_a_working_anchor():
    text = (ROOT / "docs" / "rules.md").read_text()
    for code, rule in all_rules().items():
        assert f"## {code} `{rule.name}`" in text
        assert f"[{code}](#{code.lower()}-{rule.name})" in text
    assert "\n## What it does" not in text  # the rules' own sections sit one level below their titles


# ---------------------------------------------------------------- README


def test_readme_has_a_section_for_each_integration_and_links_the_docs():
    readme = (ROOT / "README.md").read_text()
    headings = re.findall(r"^#{2,3} (.+)$", readme, re.M)
    for needed in ("pre-commit", "git hook", "CI", "HTML"):
        assert any(needed.lower() in h.lower() for h in headings), needed
    assert "(docs/ci.md)" in readme and "(docs/rules.md)" in readme
    assert "keylint install-hook" in readme
    for fmt in ("github", "junit", "html"):
        assert f"- `{fmt}`" in readme, f"output format {fmt} is not documented"


def test_readme_pre_commit_snippet_uses_the_manifest_hook_ids():
    readme = (ROOT / "README.md").read_text()
    manifest = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "repos:" in b]
    assert blocks, "no .pre-commit-config.yaml example in the README"
    used = {hook["id"] for block in blocks for repo in block["repos"] for hook in repo["hooks"]}
    assert used and used <= manifest


# ---------------------------------------------------------------- CI snippets


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def keylint_commands(text: str) -> list[str]:
    commands = []
    for block in code_blocks(text, "yaml") + code_blocks(text, "sh"):
        for line in block.splitlines():
            line = re.sub(r"^\s*(?:- )?(?:run: )?", "", line).strip()
            if line.startswith("keylint "):
                commands.append(line)
    return commands


def test_ci_snippets_are_valid_and_consistent():
    text = CI_DOC.read_text()
    workflow, gitlab = (yaml.safe_load(b) for b in code_blocks(text, "yaml"))
    steps = workflow["jobs"]["keylint"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    sarif_step = next(r for r in runs if "--format sarif" in r)
    assert f"--output {upload['with']['sarif_file']}" in sarif_step
    assert workflow["permissions"]["security-events"] == "write"
    assert any(r.startswith("keylint scan --format github") and "--exit-zero" not in r for r in runs)  # a gate

    job = gitlab["keylint"]
    junit_step = next(c for c in job["script"] if "--format junit" in c)
    assert f"--output {job['artifacts']['reports']['junit']}" in junit_step
    for path in job["artifacts"]["paths"]:
        assert any(f"--output {path}" in c for c in job["script"]), path
    assert job["script"][-1] == "keylint scan ."  # the gate comes last
    assert "(docs/ci.md)" in (ROOT / "README.md").read_text()


def test_every_keylint_command_in_the_ci_snippets_runs(cli, key, tmp_path):
    commands = keylint_commands(CI_DOC.read_text())
    assert len(commands) >= 8
    github = key("github", "personal-access-token", seed=41)
    (tmp_path / ".env.example").write_text(f"GITHUB_TOKEN={github}\n")  # a real key in a template
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "values.yaml").write_text("api:\n  token: ${API_TOKEN}\n")
    findings = cli("scan", ".", "--format", "json", "--exit-zero", cwd=tmp_path).json()["findings"]
    worst = {f["severity"] for f in findings}
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "keylint"
        run = cli(*argv[1:], cwd=tmp_path)
        assert "Traceback" not in run.err and "error:" not in run.err, (command, run.err)
        if "--exit-zero" in argv:
            assert run.code == 0, command
        else:
            fail_on = argv[argv.index("--fail-on") + 1] if "--fail-on" in argv else "error"
            levels = {"error": {"error"}, "warning": {"error", "warning"}, "info": {"error", "warning", "info"}}
            assert run.code == (1 if worst & levels[fail_on] else 0), command
        output = argv[argv.index("--output") + 1] if "--output" in argv else None
        report = (tmp_path / output).read_text() if output else run.out
        assert github not in report
        fmt = argv[argv.index("--format") + 1] if "--format" in argv else "text"
        if fmt == "sarif":
            jsonschema.validate(json.loads(report), json.loads(SARIF_SCHEMA.read_text()))
        elif fmt == "junit":
            assert ET.fromstring(report).tag == "testsuites"
        elif fmt == "html":
            assert report.startswith("<!DOCTYPE html>")
        elif fmt == "json":
            assert json.loads(report)["summary"]["files"] == 2
        elif fmt == "github":
            assert all(line.startswith("::") for line in report.splitlines()[:-1])
        else:
            assert "scanned 2 files" in report
