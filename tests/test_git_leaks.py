"""Git awareness and leaks (KL501-KL503) and `scan --staged`, on real temporary repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitutil import Repo, requires_git
from keylint import gitinfo

pytestmark = requires_git


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def by_rule(run, code):
    return [f for f in run.json()["findings"] if f["rule"] == code]


def test_tracked_file_with_real_key_is_a_leak_error_naming_the_rotation_url(cli, key, repo):
    token = key("github", "personal-access-token")
    repo.write("config/app.env", f"# app\nGITHUB_TOKEN={token}\n")
    repo.commit("add config")
    run = cli("scan", ".", "--format", "json", cwd=repo.path)
    assert run.code == 1
    (leak,) = by_rule(run, "KL501")
    assert leak["severity"] == "error" and leak["category"] == "leak"
    assert (leak["path"], leak["line"], leak["column"]) == ("config/app.env", 2, 14)
    assert leak["git"] == "tracked"
    assert "tracked by git" in leak["message"]
    assert token not in run.out
    text = cli("scan", ".", cwd=repo.path).out
    assert "https://github.com/settings/tokens" in text
    assert token not in text


def test_staged_file_is_a_leak_with_unstage_advice(cli, key, repo):
    repo.commit("initial")
    token = key("stripe", "secret-key", environment="live")
    repo.write("settings.yaml", f"stripe:\n  secret_key: {token}\n")
    repo.git("add", "settings.yaml")
    run = cli("scan", ".", "--format", "json", cwd=repo.path)
    (leak,) = by_rule(run, "KL501")
    assert leak["git"] == "staged" and "staged for commit" in leak["message"]
    assert (leak["line"], leak["column"]) == (2, 15)
    assert run.code == 1
    assert "git restore --staged settings.yaml" in cli("scan", ".", cwd=repo.path).out


def test_ignored_local_env_is_at_most_info(cli, key, repo):
    repo.write(".gitignore", ".env\n")
    repo.commit("ignore .env")
    repo.write(".env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    run = cli("scan", ".", "--format", "json", cwd=repo.path)
    assert run.code == 0
    findings = run.json()["findings"]
    assert findings and all(f["severity"] == "info" for f in findings)
    assert {f["git"] for f in findings if f["path"] == ".env"} == {"ignored"}
    assert not [f for f in findings if f["category"] == "leak"]


def test_untracked_unignored_env_file_gets_gitignore_line(cli, key, repo):
    repo.write(".gitignore", ".env\n")
    repo.commit("ignore .env")
    repo.write("services/api/.env.local", f"OPENAI_API_KEY={key('openai')}\n")
    run = cli("scan", ".", "--format", "json", cwd=repo.path)
    (warning,) = by_rule(run, "KL502")
    assert warning["severity"] == "warning" and warning["git"] == "untracked"
    assert warning["path"] == "services/api/.env.local" and warning["line"] == 1
    assert run.code == 0
    text = cli("scan", ".", cwd=repo.path).out
    assert "add the line `services/api/.env.local` to .gitignore" in text
    # Once ignored, the warning goes away.
    repo.write(".gitignore", ".env\n.env.local\n")
    assert not by_rule(cli("scan", ".", "--format", "json", cwd=repo.path), "KL502")


def test_untracked_env_file_without_secrets_is_fine(cli, repo):
    repo.write(".env.local", "DEBUG=true\nPORT=8080\n")
    assert not by_rule(cli("scan", ".", "--format", "json", cwd=repo.path), "KL502")


def test_real_key_in_template_is_a_leak_but_placeholders_and_examples_are_not(cli, key, tmp_path):
    token = key("github", "personal-access-token")
    (tmp_path / ".env.example").write_text(
        f"GITHUB_TOKEN={token}\nOPENAI_API_KEY=your-openai-api-key\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
    )
    (tmp_path / "config.yaml.dist").write_text(f"github:\n  token: {token}\n")
    run = cli("scan", ".", "--format", "json", cwd=tmp_path)  # not a git repository: templates need no git
    leaks = by_rule(run, "KL503")
    assert sorted((f["path"], f["line"], f["key"]) for f in leaks) == [
        (".env.example", 1, "GITHUB_TOKEN"),
        ("config.yaml.dist", 2, "github.token"),
    ]
    assert all(f["severity"] == "error" for f in leaks) and run.code == 1
    assert not by_rule(run, "KL501") and not by_rule(run, "KL502")
    assert all("git" not in f for f in run.json()["findings"])


def test_tracked_template_is_reported_once(cli, key, repo):
    repo.write(".env.example", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.commit("template")
    run = cli("scan", ".", "--format", "json", cwd=repo.path)
    assert [f["rule"] for f in run.json()["findings"] if f["category"] == "leak"] == ["KL503"]
    assert "(tracked in git)" in by_rule(run, "KL503")[0]["message"]


def test_a_leaked_key_is_reported_once_by_its_leak_rule_and_kl101_returns_when_that_rule_is_off(cli, key, repo):
    token = key("github", "personal-access-token")
    repo.write("config/app.env", f"GITHUB_TOKEN={token}\n# keylint: ignore-next-line[KL501]\nOTHER_TOKEN={token}\n")
    repo.write("deploy.yaml", f"github:\n  token: {token}\n")
    repo.commit("add config")

    def rules(*args):
        run = cli("scan", ".", "--format", "json", *args, cwd=repo.path)
        return sorted((f["path"], f["line"], f["rule"]) for f in run.json()["findings"])

    assert rules() == [
        ("config/app.env", 1, "KL501"),  # in place of the key's KL101
        ("config/app.env", 3, "KL101"),  # KL501 ignored on its line: the inventory finding stays
        ("deploy.yaml", 2, "KL501"),
    ]
    assert rules("--ignore", "KL501") == [
        ("config/app.env", 1, "KL101"),
        ("config/app.env", 3, "KL101"),
        ("deploy.yaml", 2, "KL101"),
    ]
    # The key's age is still judged: KL605 reads the keys the scan found, KL101 among them.
    aged = rules("--max-age", "0d")
    assert ("config/app.env", 1, "KL605") in aged and ("config/app.env", 1, "KL501") in aged
    assert ("config/app.env", 1, "KL101") not in aged


def test_no_git_switches_leak_checks_off(cli, key, repo):
    repo.write("app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.commit("add")
    run = cli("scan", ".", "--no-git", "--format", "json", cwd=repo.path)
    assert run.code == 0 and not by_rule(run, "KL501")


def test_git_state_is_computed_in_a_few_batched_calls(cli, key, repo, monkeypatch):
    for i in range(60):
        repo.write(f"svc{i}/app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token', seed=i)}\n")
    repo.commit("many files")
    for i in range(60, 240):
        repo.write(f"svc{i}/app.env", "PORT=1\n")
    calls: list[list[str]] = []
    real_command = gitinfo.command

    def counting_command(root, args, *rest, **kwargs):  # every git call's argv is made here
        calls.append(args)
        return real_command(root, args, *rest, **kwargs)

    monkeypatch.setattr(gitinfo, "command", counting_command)
    run = cli("scan", ".", "--format", "json", cwd=repo.path)
    assert len(by_rule(run, "KL501")) == 60
    assert len(calls) == 3, calls


def test_unsafe_repository_gives_a_notice_not_a_crash(cli, key, repo):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    repo.write("app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.commit("add")
    for path in [repo.path, *repo.path.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    run = cli("scan", ".", cwd=repo.path)
    assert "safe.directory" in run.out and "git state unknown" in run.out
    assert "KL101" in run.out and "KL501" not in run.out
    assert "Traceback" not in run.err
    staged = cli("scan", "--staged", cwd=repo.path)
    assert staged.code == 2 and "safe.directory" in staged.err and "Traceback" not in staged.err


def test_hostile_repository_config_runs_nothing(cli, key, repo, tmp_path):
    marker = tmp_path / "pwned"
    evil = f"touch {marker}"
    token = key("github", "personal-access-token")
    repo.write(".gitattributes", "*.env filter=evil diff=evil\n")
    repo.write("app.env", f"GITHUB_TOKEN={token}\n")
    repo.commit("add", date="2020-01-01T00:00:00Z")
    repo.write("app.env", f"# changed\nGITHUB_TOKEN={token}\n")
    repo.git("add", "app.env")
    with open(repo.path / ".git" / "config", "a") as config:
        config.write(
            f'[core]\n\tfsmonitor = "{evil}"\n\tpager = {evil}\n[diff]\n\texternal = {evil}\n'
            f'[diff "evil"]\n\ttextconv = {evil}\n\tcommand = {evil}\n'
            f'[filter "evil"]\n\tclean = {evil}\n\tsmudge = {evil}\n[log]\n\tshowSignature = true\n'
            f"[gpg]\n\tprogram = {evil}\n"
        )
    assert cli("scan", ".", "--max-age", "30d", "--format", "json", cwd=repo.path).code == 1
    assert cli("scan", "--staged", "--format", "json", cwd=repo.path).code == 1
    assert cli("history", "--format", "json", cwd=repo.path).code == 1
    assert not marker.exists()


# --- scan --staged -------------------------------------------------------------------------------


def test_staged_scans_index_content_not_the_working_tree(cli, key, repo):
    repo.commit("initial")
    token = key("github", "personal-access-token")
    repo.write("app.env", f"A=1\nB=2\nGITHUB_TOKEN={token}\n")
    repo.git("add", "app.env")
    repo.write("app.env", "A=1\n")  # the working tree no longer has the key, the index does
    staged = cli("scan", "--staged", "--format", "json", cwd=repo.path)
    assert staged.code == 1
    (leak,) = by_rule(staged, "KL501")
    assert (leak["path"], leak["line"], leak["column"]) == ("app.env", 3, 14)
    assert leak["git"] == "staged"
    working = cli("scan", ".", "--format", "json", cwd=repo.path)
    assert not by_rule(working, "KL501") and working.code == 0


def test_staged_ignores_unstaged_keys_and_non_config_files(cli, key, repo):
    repo.write("app.env", "A=1\n")
    repo.write("notes.txt", "x\n")
    repo.commit("initial")
    repo.write("app.env", f"A=1\nGITHUB_TOKEN={key('github', 'personal-access-token')}\n")  # not staged
    repo.write("main.py", f"TOKEN = '{key('github', 'personal-access-token', seed=2)}'\n")
    repo.git("add", "main.py")
    repo.git("rm", "-q", "notes.txt")
    run = cli("scan", "--staged", "--format", "json", cwd=repo.path)
    assert run.code == 0 and run.json()["findings"] == []
    assert run.json()["summary"]["files"] == 0


def test_staged_paths_limit_the_scan_and_explicit_files_are_scanned_whatever_their_name(cli, key, repo):
    repo.commit("initial")
    repo.write("a/app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.write("b/app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token', seed=1)}\n")
    repo.write("b/settings.conf", f"token = {key('github', 'personal-access-token', seed=3)}\n")
    repo.git("add", ".")
    paths = {f["path"] for f in by_rule(cli("scan", "--staged", "b", "--format", "json", cwd=repo.path), "KL501")}
    assert paths == {"b/app.env"}
    explicit = cli("scan", "--staged", "b/settings.conf", "--format", "json", cwd=repo.path)
    assert {f["path"] for f in by_rule(explicit, "KL501")} == {"b/settings.conf"}


def test_staged_from_a_subdirectory_reports_paths_relative_to_it(cli, key, repo):
    repo.commit("initial")
    repo.write("svc/app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    repo.git("add", ".")
    run = cli("scan", "--staged", "--format", "json", cwd=repo.path / "svc")
    assert [f["path"] for f in by_rule(run, "KL501")] == ["app.env"]


def test_staged_binary_blob_is_skipped_with_a_note(cli, repo):
    repo.commit("initial")
    repo.write("data.json", b"\x00\x01\x02\x03" * 100)
    repo.git("add", "data.json")
    run = cli("scan", "--staged", "--format", "json", cwd=repo.path)
    assert run.code == 0
    assert any("binary" in e["message"] and e["path"] == "data.json" for e in run.json()["errors"])


def test_staged_honours_the_index_of_a_hook(cli, key, repo, monkeypatch, tmp_path):
    repo.commit("initial")
    repo.write("app.env", f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    index = tmp_path / "other-index"
    repo.git("read-tree", "HEAD", env={"GIT_INDEX_FILE": str(index)})
    repo.git("add", "app.env", env={"GIT_INDEX_FILE": str(index)})
    assert cli("scan", "--staged", cwd=repo.path).code == 0  # the normal index has nothing staged
    monkeypatch.setenv("GIT_INDEX_FILE", str(index))  # as in a hook of `git commit -a`
    assert cli("scan", "--staged", cwd=repo.path).code == 1


def test_staged_outside_a_repository_is_a_usage_error(cli, tmp_path):
    run = cli("scan", "--staged", cwd=tmp_path)
    assert run.code == 2 and "git repository" in run.err


def test_outside_a_repository_nothing_is_git_annotated(cli, key, tmp_path):
    (tmp_path / "app.env").write_text(f"GITHUB_TOKEN={key('github', 'personal-access-token')}\n")
    run = cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert run.code == 0 and run.json()["errors"] == []
    assert [f["rule"] for f in run.json()["findings"]] == ["KL101"]


def test_random_keys_that_contain_a_placeholder_word_are_still_real(cli, key, tmp_path):
    token = key("stripe", "secret-key", environment="live")
    chance = token[:12] + "tbd" + token[15:]  # a random body contains short words now and then
    (tmp_path / ".env.example").write_text(
        f"STRIPE_SECRET_KEY={chance}\nSTRIPE_TEST_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
    )
    run = cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert [f["key"] for f in by_rule(run, "KL503")] == ["STRIPE_SECRET_KEY"]
