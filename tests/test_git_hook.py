"""The plain git pre-commit hook (hooks/pre-commit) and `keylint install-hook`, in real repositories."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_key
from keylint.commands.install_hook import HOOK_TEMPLATE, MARKER, hook_script

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    environ.update(
        {
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "keylint tests",
            "GIT_AUTHOR_EMAIL": "tests@keylint.invalid",
            "GIT_COMMITTER_NAME": "keylint tests",
            "GIT_COMMITTER_EMAIL": "tests@keylint.invalid",
            "NO_COLOR": "1",
        }
    )
    return environ


@pytest.fixture
def repo(tmp_path: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=path, env=git_env, check=True)
    for name, value in git_env.items():
        monkeypatch.setenv(name, value)  # in-process `keylint install-hook` runs git too
    return path


def git(cwd: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def scan_supports_staged() -> bool:
    from keylint.cli import build_parser

    scan = build_parser()._subparsers._group_actions[0].choices["scan"]  # type: ignore[union-attr]
    return "--staged" in scan.format_help()


# ---------------------------------------------------------------- the script


def test_repository_hook_is_the_installed_script_and_valid_sh():
    hook = ROOT / "hooks" / "pre-commit"
    assert hook.read_text() == HOOK_TEMPLATE
    assert hook.stat().st_mode & stat.S_IXUSR
    assert hook.read_text().startswith("#!/bin/sh\n")
    assert "keylint scan --staged" in HOOK_TEMPLATE
    subprocess.run(["sh", "-n", str(hook)], check=True)  # POSIX syntax


def test_installed_script_remembers_the_python_and_quotes_it():
    script = hook_script("/opt/my env/bin/python")
    assert "KEYLINT_PYTHON='/opt/my env/bin/python'" in script
    assert script.replace("KEYLINT_PYTHON='/opt/my env/bin/python'", 'KEYLINT_PYTHON=""') == HOOK_TEMPLATE


def test_hook_without_keylint_blocks_with_a_clear_message(tmp_path):
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    result = subprocess.run(
        [shutil.which("sh") or "/bin/sh", str(ROOT / "hooks" / "pre-commit")],
        cwd=tmp_path,
        env={"PATH": str(bare_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "keylint is not installed" in result.stderr and "--no-verify" in result.stderr


def test_hook_finds_keylint_on_path_and_passes_staged(tmp_path):
    """With no remembered Python the hook runs `keylint scan --staged` from PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "keylint"
    fake.write_text('#!/bin/sh\necho "called with: $*"\nexit 3\n')
    fake.chmod(0o755)
    result = subprocess.run(
        ["sh", str(ROOT / "hooks" / "pre-commit")],
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "called with: scan --staged"
    assert result.returncode == 3  # keylint's exit status is the hook's


# ---------------------------------------------------------------- install-hook


def test_install_hook_writes_an_executable_hook(cli, repo):
    run = cli("install-hook", cwd=repo)
    target = repo / ".git" / "hooks" / "pre-commit"
    assert run.code == 0, run.err
    assert f"installed keylint pre-commit hook: {target}" in run.out
    text = target.read_text()
    assert MARKER in text and "keylint scan --staged" in text
    assert f"KEYLINT_PYTHON={sys.executable}" in text or f"KEYLINT_PYTHON='{sys.executable}'" in text
    assert target.stat().st_mode & stat.S_IXUSR

    again = cli("install-hook", cwd=repo)
    assert again.code == 0 and "updated keylint pre-commit hook" in again.out


def test_install_hook_refuses_a_foreign_hook_without_force(cli, repo):
    target = repo / ".git" / "hooks" / "pre-commit"
    target.write_text("#!/bin/sh\necho mine\n")
    run = cli("install-hook", cwd=repo)
    assert run.code == 2
    assert "already exists and was not installed by keylint" in run.err and "--force" in run.err
    assert target.read_text() == "#!/bin/sh\necho mine\n"

    forced = cli("install-hook", "--force", cwd=repo)
    assert forced.code == 0, forced.err
    assert MARKER in target.read_text()
    backup = repo / ".git" / "hooks" / "pre-commit.keylint-backup"
    assert backup.read_text() == "#!/bin/sh\necho mine\n"
    assert str(backup) in forced.out


def test_install_hook_points_pre_commit_framework_users_to_the_config(cli, repo):
    target = repo / ".git" / "hooks" / "pre-commit"
    target.write_text("#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n")
    run = cli("install-hook", cwd=repo)
    assert run.code == 2 and ".pre-commit-config.yaml" in run.err


def test_install_hook_respects_core_hooks_path_from_a_subdirectory(cli, repo, git_env):
    git(repo, git_env, "config", "core.hooksPath", ".githooks")
    sub = repo / "src" / "deep"
    sub.mkdir(parents=True)
    run = cli("install-hook", cwd=sub)
    assert run.code == 0, run.err
    assert (repo / ".githooks" / "pre-commit").is_file()
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


def test_install_hook_outside_a_repository_is_a_clear_error(cli, tmp_path, git_env, monkeypatch):
    for name, value in git_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    lonely = tmp_path / "not-a-repo"
    lonely.mkdir()
    run = cli("install-hook", cwd=lonely)
    assert run.code == 2
    assert run.err.startswith("keylint: error:") and "not a git repository" in run.err
    assert "Traceback" not in run.err


# ---------------------------------------------------------------- committing through the hook


def commit(repo: Path, env: dict[str, str], files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, env, "add", *files)
    return git(repo, env, "commit", "-m", "change", check=False)


@pytest.mark.skipif(not scan_supports_staged(), reason="`keylint scan --staged` is not in this build yet")
def test_installed_hook_blocks_a_staged_key_and_passes_a_clean_commit(cli, repo, git_env):
    assert cli("install-hook", cwd=repo).code == 0
    (repo / ".keylint.toml").write_text('fail-on = "info"\n')  # any key blocks, whatever the rule's severity
    token = make_key("github", "personal-access-token", seed=21)

    blocked = commit(repo, git_env, {".keylint.toml": 'fail-on = "info"\n', "app/.env": f"GITHUB_TOKEN={token}\n"})
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    output = blocked.stdout + blocked.stderr
    assert "app/.env:1:14: KL501" in output  # staged: KL501, in place of the key's KL101
    assert token not in output
    assert git(repo, git_env, "rev-list", "--all", "--count").stdout.strip() == "0"

    # The staged content is what gets committed: cleaning only the working tree does not help.
    (repo / "app" / ".env").write_text("GITHUB_TOKEN=${GITHUB_TOKEN}\n")
    still_blocked = git(repo, git_env, "commit", "-m", "try again", check=False)
    assert still_blocked.returncode != 0

    clean = commit(repo, git_env, {"app/.env": "GITHUB_TOKEN=${GITHUB_TOKEN}\n"})
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert git(repo, git_env, "rev-list", "--count", "HEAD").stdout.strip() == "1"
