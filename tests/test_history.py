"""`keylint history`: keys in every commit, on real temporary repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitutil import Repo, requires_git

pytestmark = requires_git


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def history(cli, repo, *args):
    run = cli("history", "--format", "json", *args, cwd=repo.path)
    return run, run.json()["findings"] if run.out.startswith("{") else []


def test_key_added_then_removed_is_reported_once_with_first_commit_date_and_line(cli, key, repo):
    token = key("github", "personal-access-token")
    repo.write("README.md", "hello\n")
    repo.commit("docs", date="2023-01-01T10:00:00Z")
    repo.write(".env.production", f"# prod\nDEBUG=false\nGITHUB_TOKEN={token}\n")
    added = repo.commit("add prod config", date="2023-03-04T10:00:00Z")
    repo.write(".env.production", f"# prod\nDEBUG=true\nGITHUB_TOKEN={token}\n")  # touched again, key unchanged
    repo.commit("debug on", date="2023-03-05T10:00:00Z")
    repo.write(".env.production", "# prod\nDEBUG=true\n")
    repo.commit("remove key", date="2023-04-01T10:00:00Z")
    run, findings = history(cli, repo)
    assert run.code == 1
    (finding,) = findings
    assert finding["rule"] == "KL504" and finding["severity"] == "error" and finding["category"] == "leak"
    assert (finding["path"], finding["line"], finding["column"], finding["key"]) == (
        ".env.production", 3, 14, "GITHUB_TOKEN",
    )  # fmt: skip
    assert finding["commit"] == added
    assert finding["date"].startswith("2023-03-04")
    assert finding["present_at_head"] is False
    assert "removed since" in finding["message"] and added[:12] in finding["message"]
    assert token not in run.out
    text = cli("history", cwd=repo.path)
    assert "https://github.com/settings/tokens" in text.out and token not in text.out + text.err
    assert "4 commits" not in text.err and "3 commits" in text.err  # only commits touching config files


def test_key_still_at_head_and_copied_elsewhere_is_still_reported_once(cli, key, repo):
    token = key("stripe", "secret-key", environment="live")
    repo.write("config/app.yaml", f"stripe:\n  key: {token}\n")
    first = repo.commit("stripe")
    repo.write("config/other.json", f'{{"stripe_key": "{token}"}}\n')
    repo.commit("copy")
    _run, findings = history(cli, repo)
    (finding,) = findings
    assert finding["commit"] == first and finding["path"] == "config/app.yaml" and finding["line"] == 2
    assert finding["present_at_head"] is True and "still present at HEAD" in finding["message"]


def test_rename_keeps_first_commit_and_key_is_present_at_head(cli, key, repo):
    token = key("github", "personal-access-token")
    repo.write("old.env", f"GITHUB_TOKEN={token}\n" + "".join(f"VAR_{i}=value{i}\n" for i in range(20)))
    first = repo.commit("add")
    repo.git("mv", "old.env", "new.env")
    repo.commit("rename")
    repo.write("new.env", (repo.path / "new.env").read_text() + "MORE=1\n")
    repo.commit("edit after rename")
    _run, findings = history(cli, repo)
    (finding,) = findings
    assert (finding["path"], finding["commit"], finding["present_at_head"]) == ("old.env", first, True)


def test_merge_commits_and_evil_merges(cli, key, repo):
    side_token = key("github", "personal-access-token", seed=1)
    evil_token = key("github", "personal-access-token", seed=2)
    repo.write("base.env", "A=1\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature.env", f"GITHUB_TOKEN={side_token}\n")
    side = repo.commit("feature key")
    repo.git("checkout", "-q", "main")
    repo.write("main.env", "B=2\n")
    repo.commit("main work")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    repo.write("merged.env", f"OTHER_TOKEN={evil_token}\n")  # introduced by the merge commit itself
    repo.git("add", "merged.env")
    repo.git("commit", "-q", "-m", "merge feature")
    merge = repo.head()
    _run, findings = history(cli, repo)
    commits = {f["path"]: f["commit"] for f in findings}
    assert commits == {"feature.env": side, "merged.env": merge}


def test_binary_files_in_history_are_skipped(cli, key, repo):
    token = key("github", "personal-access-token")
    repo.write("blob.json", b"\x00\x01GITHUB_TOKEN=" + token.encode() + b"\x00" * 50)
    repo.write("real.env", f"GITHUB_TOKEN={key('github', 'personal-access-token', seed=5)}\n")
    repo.commit("binary and text")
    run, findings = history(cli, repo)
    assert run.code == 1 and [f["path"] for f in findings] == ["real.env"]


def test_since_branch_and_all(cli, key, repo):
    early = key("github", "personal-access-token", seed=1)
    late = key("github", "personal-access-token", seed=2)
    hidden = key("github", "personal-access-token", seed=3)
    repo.write("a.env", f"EARLY_TOKEN={early}\n")
    base = repo.commit("early")
    repo.write("b.env", f"LATE_TOKEN={late}\n")
    repo.commit("late")
    repo.git("checkout", "-q", "-b", "wip")
    repo.write("c.env", f"WIP_TOKEN={hidden}\n")
    repo.commit("unmerged")
    repo.git("checkout", "-q", "main")

    def keys(*args):
        return sorted(f["key"] for f in history(cli, repo, *args)[1])

    assert keys() == ["EARLY_TOKEN", "LATE_TOKEN"]
    assert keys("--since", base) == ["LATE_TOKEN"]
    assert keys("--branch", "wip", "--since", base) == ["LATE_TOKEN", "WIP_TOKEN"]
    assert keys("--all") == ["EARLY_TOKEN", "LATE_TOKEN", "WIP_TOKEN"]
    wip = [f for f in history(cli, repo, "--all")[1] if f["key"] == "WIP_TOKEN"]
    assert wip[0]["present_at_head"] is False  # not on HEAD (main)


def test_paths_limit_history_and_exclude_applies(cli, key, repo):
    repo.write("svc/a.env", f"A_TOKEN={key('github', 'personal-access-token', seed=1)}\n")
    repo.write("fixtures/b.env", f"B_TOKEN={key('github', 'personal-access-token', seed=2)}\n")
    repo.commit("two")
    assert [f["key"] for f in history(cli, repo, "svc")[1]] == ["A_TOKEN"]
    assert [f["key"] for f in history(cli, repo, "--exclude", "fixtures/")[1]] == ["A_TOKEN"]


def test_generic_secrets_are_warnings_and_inline_suppressions_apply(cli, key, repo):
    repo.write(
        "app.yaml",
        "session:\n"
        "  signing_secret: 9f8Kq2LmZx71PqR0aB3cD4eF\n"
        f"  token: {key('github', 'personal-access-token')}  # keylint: ignore[KL101]\n",
    )
    repo.commit("add")
    run, findings = history(cli, repo)
    (finding,) = findings
    assert finding["key"] == "signing_secret" and finding["severity"] == "warning"  # history sees lines, not paths
    assert run.code == 0  # fail-on error by default


def test_unknown_branch_and_option_injection_are_usage_errors(cli, repo, tmp_path):
    repo.write("a.env", "A=1\n")
    repo.commit("a")
    run = cli("history", "--branch", "nope", cwd=repo.path)
    assert run.code == 2 and "unknown branch or revision 'nope'" in run.err
    target = tmp_path / "written"
    run = cli("history", f"--branch=--output={target}", cwd=repo.path)
    assert run.code == 2 and not target.exists()


def test_empty_repository_and_no_repository(cli, repo, tmp_path):
    run = cli("history", cwd=repo.path)
    assert run.code == 0 and "0 findings" in run.out
    outside = tmp_path / "plain"
    outside.mkdir()
    run = cli("history", cwd=outside)
    assert run.code == 2 and "needs a git repository" in run.err


def test_history_sarif_output(cli, key, repo):
    repo.write("a.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.commit("a")
    run = cli("history", "--format", "sarif", cwd=repo.path)
    assert run.code == 1 and '"ruleId": "KL504"' in run.out


def test_distinct_private_keys_in_history_are_distinct(cli, repo):
    def pem(body: str) -> str:
        return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join([body * 16] * 3) + "\n-----END RSA PRIVATE KEY-----"

    block_a, block_b = pem("MIIEowIBAAKCAQEA"), pem("Zk29fQ8wLpQ7rT2x")
    indented_b = "\n".join("    " + line for line in block_b.splitlines())
    repo.write("a.yaml", "tls:\n  key: |\n" + "\n".join("    " + line for line in block_a.splitlines()) + "\n")
    first = repo.commit("key a")
    repo.write("b.yaml", f"tls:\n  key: |\n{indented_b}\n")
    second = repo.commit("key b")
    _run, findings = history(cli, repo)
    found = sorted((f["path"], f["line"], f["commit"]) for f in findings)
    assert found == [("a.yaml", 3, first), ("b.yaml", 3, second)]
    assert all(f["severity"] == "error" and f["present_at_head"] for f in findings)
