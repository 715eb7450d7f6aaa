"""Untrusted repositories: nothing a scanned repository configures may run, whichever command touches git.

tests/test_git_leaks.py covers fsmonitor, pager, diff.external, textconv, filters and gpg in .git/config
for scan --max-age, --staged and history. Here the same commands plus baseline meet hooks (in .git/hooks
and through core.hooksPath, including post-index-change, which git runs when a status refresh rewrites
the index) and configuration reached only through includeIf and include.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from conftest import make_key
from gitutil import Repo, requires_git

pytestmark = requires_git
HOOKS = (
    "post-index-change",
    "reference-transaction",
    "post-checkout",
    "pre-commit",
    "pre-auto-gc",
    "fsmonitor-watchman",
    "pre-push",
    "post-merge",
)


def plant_hooks(directory: Path, marker: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in HOOKS:
        hook = directory / name
        hook.write_text(f"#!/bin/sh\necho {name} >> {marker}\n")
        hook.chmod(hook.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Repo, Path]:
    marker = tmp_path / "pwned"
    evil = f"sh -c 'echo ran >> {marker}'"
    repo = Repo(tmp_path / "repo")
    token = make_key("github", "personal-access-token", seed=97)
    repo.write(".gitattributes", "*.env filter=evil diff=evil\n")
    repo.write("app.env", f"GITHUB_TOKEN={token}\n")
    repo.commit("add", date="2020-01-01T00:00:00Z")
    repo.write("app.env", f"# changed\nGITHUB_TOKEN={token}\n")
    repo.git("add", "app.env")
    (repo.path / "app.env").touch()  # a stale stat: a status refresh would rewrite the index (post-index-change)
    plant_hooks(repo.path / ".git" / "hooks", marker)
    plant_hooks(tmp_path / "evil-hooks", marker)
    included = tmp_path / "evil.gitconfig"
    included.write_text(
        f'[core]\n\tfsmonitor = "{evil}"\n\tsshCommand = {evil}\n\tpager = {evil}\n'
        f"\thooksPath = {tmp_path / 'evil-hooks'}\n"
        f'[diff]\n\texternal = {evil}\n[diff "evil"]\n\ttextconv = {evil}\n'
        f'[filter "evil"]\n\tclean = {evil}\n\tsmudge = {evil}\n\tprocess = {evil}\n\trequired = true\n'
        f"[gpg]\n\tprogram = {evil}\n[log]\n\tshowSignature = true\n[credential]\n\thelper = !{evil}\n"
    )
    with open(repo.path / ".git" / "config", "a") as config:
        config.write(
            f'[includeIf "gitdir:{repo.path}/"]\n\tpath = {included}\n'
            f'[includeIf "onbranch:main"]\n\tpath = {included}\n[include]\n\tpath = {included}\n'
            "[core]\n\tuntrackedCache = true\n\tsplitIndex = true\n[gc]\n\tauto = 1\n"
        )
    return repo, marker


@pytest.mark.parametrize(
    "args",
    [
        ("scan", ".", "--format", "json"),
        ("scan", ".", "--max-age", "30d", "--format", "json"),
        ("scan", "--staged", "--format", "json"),
        ("history", "--format", "json", "--all"),
        ("baseline", "-o", "baseline.json"),
    ],
    ids=["scan", "max-age", "staged", "history", "baseline"],
)
def test_a_planted_command_never_runs(cli, hostile, args):
    repo, marker = hostile
    run = cli(*args, cwd=repo.path)
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    assert not marker.exists(), marker.read_text()
    if args[0] != "baseline":
        assert [f for f in run.json()["findings"] if f["rule"] in ("KL101", "KL501", "KL502", "KL504")], run.out


def test_the_planted_commands_do_run_under_plain_git(hostile):
    """The trap is live: ordinary git in the same repository runs it (so the test above can fail)."""
    repo, marker = hostile
    repo.git("-c", "core.hooksPath=", "diff", "--cached", "--ext-diff", "--stat", env={"GIT_CONFIG_NOSYSTEM": "1"})
    assert marker.exists()
