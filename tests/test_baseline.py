"""`keylint baseline` and `scan --baseline`: adopt keylint without fixing everything first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitutil import Repo, requires_git


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def rules_of(run):
    return sorted((f["rule"], f["path"], f["line"]) for f in run.json()["findings"])


def test_baseline_hides_known_findings_survives_line_moves_and_catches_a_new_key(cli, key, tmp_path):
    old = key("github", "personal-access-token")
    (tmp_path / ".env.example").write_text(f"GITHUB_TOKEN={old}\n")
    before = cli("scan", ".", "--format", "json", cwd=tmp_path)
    # One finding per key: KL503 (a key in a template) replaces the key's KL101.
    assert before.code == 1 and [f["rule"] for f in before.json()["findings"]] == ["KL503"]

    made = cli("baseline", "-o", "kb.json", cwd=tmp_path)
    assert made.code == 0 and "recorded 1 finding" in made.out
    document = json.loads((tmp_path / "kb.json").read_text())
    assert document["version"] == 1 and len(document["entries"]) == 1
    assert {e["rule"] for e in document["entries"]} == {"KL503"}
    raw = (tmp_path / "kb.json").read_text()
    assert old not in raw and old[:12] not in raw and old[-8:] not in raw  # no secret, not even a piece

    after = cli("scan", ".", "--baseline", "kb.json", "--format", "json", cwd=tmp_path)
    assert after.code == 0 and after.json()["findings"] == []

    # Lines move: new lines above, the key further down. Still known.
    (tmp_path / ".env.example").write_text(f"# header\n\nDEBUG=false\nGITHUB_TOKEN={old}\n")
    moved = cli("scan", ".", "--baseline", "kb.json", "--format", "json", cwd=tmp_path)
    assert moved.code == 0 and moved.json()["findings"] == []

    # A new key, even in the same variable of another line, is reported.
    new = key("github", "personal-access-token", seed=7)
    (tmp_path / ".env.example").write_text(f"# header\n\nDEBUG=false\nGITHUB_TOKEN={old}\nGITHUB_TOKEN_2={new}\n")
    fresh = cli("scan", ".", "--baseline", "kb.json", "--format", "json", cwd=tmp_path)
    assert fresh.code == 1
    assert rules_of(fresh) == [("KL503", ".env.example", 5)]
    # The same variable with a different key is new too.
    (tmp_path / ".env.example").write_text(f"GITHUB_TOKEN={new}\n")
    replaced = cli("scan", ".", "--baseline", "kb.json", "--format", "json", cwd=tmp_path)
    assert rules_of(replaced) == [("KL503", ".env.example", 1)]


def test_text_output_says_how_many_findings_the_baseline_hides(cli, key, tmp_path):
    (tmp_path / "app.env").write_text(f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    cli("baseline", "-o", "kb.json", cwd=tmp_path)
    run = cli("scan", ".", "--baseline", "kb.json", cwd=tmp_path)
    assert "1 finding recorded in the baseline kb.json not shown" in run.err


@requires_git
def test_baseline_at_repo_root_is_picked_up_automatically_from_anywhere(cli, key, repo):
    token = key("github", "personal-access-token")
    repo.write("svc/.env.example", f"GITHUB_TOKEN={token}\n")
    repo.commit("template with a key")
    made = cli("baseline", cwd=repo.path / "svc")  # default file: the repository root
    assert made.code == 0 and (repo.path / ".keylint-baseline.json").is_file()
    # As pre-commit runs it: from the root, with file names.
    assert cli("scan", "svc/.env.example", cwd=repo.path).code == 0
    # From a subdirectory, and for staged content.
    assert cli("scan", ".", cwd=repo.path / "svc").code == 0
    repo.write("svc/.env.example", f"# moved\nGITHUB_TOKEN={token}\n")
    repo.git("add", ".")
    assert cli("scan", "--staged", cwd=repo.path).code == 0
    # --no-baseline shows everything again.
    full = cli("scan", ".", "--no-baseline", "--format", "json", cwd=repo.path)
    assert full.code == 1 and {"KL501", "KL503"} & {f["rule"] for f in full.json()["findings"]}


@requires_git
def test_baseline_from_config_file(cli, key, repo):
    repo.write(".keylint.toml", 'baseline = "config/known.json"\n')
    repo.write("app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.commit("add")
    (repo.path / "config").mkdir()
    assert cli("baseline", "-o", "config/known.json", cwd=repo.path).code == 0
    assert cli("scan", ".", cwd=repo.path).code == 0
    assert cli("scan", ".", "--no-baseline", cwd=repo.path).code == 1


def test_update_drops_fixed_entries_and_never_adds(cli, key, tmp_path):
    one, two = key("github", "personal-access-token"), key("github", "personal-access-token", seed=1)
    (tmp_path / ".env.example").write_text(f"A_TOKEN={one}\nB_TOKEN={two}\n")
    cli("baseline", "-o", "kb.json", cwd=tmp_path)
    assert len(json.loads((tmp_path / "kb.json").read_text())["entries"]) == 2
    three = key("github", "personal-access-token", seed=2)
    (tmp_path / ".env.example").write_text(f"A_TOKEN={one}\nC_TOKEN={three}\n")
    run = cli("baseline", "-o", "kb.json", "--update", cwd=tmp_path)
    assert run.code == 0 and "kept 1 of 2 entries (1 fixed)" in run.out
    entries = json.loads((tmp_path / "kb.json").read_text())["entries"]
    assert {e["key"] for e in entries} == {"A_TOKEN"}
    assert rules_of(cli("scan", ".", "--baseline", "kb.json", "--format", "json", cwd=tmp_path)) == [
        ("KL503", ".env.example", 2)
    ]


def test_update_without_a_baseline_is_an_error(cli, tmp_path):
    run = cli("baseline", "-o", "missing.json", "--update", cwd=tmp_path)
    assert run.code == 2 and "missing.json" in run.err


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "invalid JSON"),
        ('{"version": 1}', "entries"),
        ('{"version": 99, "entries": []}', "unsupported baseline version"),
    ],
)
def test_bad_baseline_is_a_clear_error(cli, tmp_path, content, message):
    (tmp_path / "kb.json").write_text(content)
    (tmp_path / "app.env").write_text("A=1\n")
    run = cli("scan", ".", "--baseline", "kb.json", cwd=tmp_path)
    assert run.code == 2 and message in run.err and "kb.json" in run.err


def test_missing_explicit_baseline_is_an_error(cli, tmp_path):
    run = cli("scan", ".", "--baseline", "nope.json", cwd=tmp_path)
    assert run.code == 2 and "baseline file not found: nope.json" in run.err
