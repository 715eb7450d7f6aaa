"""Start-up: a pre-commit run imports only what it needs (each import below costs every commit milliseconds)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from keylint import gitinfo

NOT_ON_A_SCAN = [
    "httpx",  # --verify only
    "asyncio",
    "ssl",
    "keylint.verify.client",
    "keylint.report.html",  # other report formats only
    "keylint.report.sarif",
    "shutil",  # and bz2, lzma: argparse's formatter and gitinfo no longer need it
    "pathlib",
    "hashlib",  # and OpenSSL: fingerprints use the built-in BLAKE2
    "random",
    "urllib.parse",
]


def test_a_scan_imports_only_what_it_needs(tmp_path):
    (tmp_path / ".env").write_text("A=1\nGITHUB_TOKEN=x\n")
    (tmp_path / "c.yaml").write_text("a: 1\n")
    (tmp_path / "c.json").write_text('{"a": 1}\n')
    probe = (
        "import json, os, sys\n"
        "from keylint.cli import main\n"
        f"main(['scan', {str(tmp_path)!r}, '--exit-zero', '-o', os.devnull])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "KEYLINT_REGEX_CACHE": "0"}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    loaded = set(json.loads(run.stdout.strip().splitlines()[-1]))
    assert "keylint.engine" in loaded  # the scan ran
    assert not [name for name in NOT_ON_A_SCAN if name in loaded]


@pytest.mark.skipif(os.name != "posix", reason="shutil.which is used as is elsewhere")
def test_git_is_found_where_shutil_which_finds_it(tmp_path, monkeypatch):
    real = tmp_path / "bin"
    real.mkdir()
    (real / "git").write_text("#!/bin/sh\n")
    (real / "git").chmod(0o755)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "git").write_text("not executable")
    folder = tmp_path / "folder"
    (folder / "git").mkdir(parents=True)
    for path in (
        f"{plain}{os.pathsep}{folder}{os.pathsep}{real}",
        f"{tmp_path / 'missing'}{os.pathsep}{real}",
        f"{plain}",
        "",
        f"{os.pathsep}{real}",
    ):
        monkeypatch.setenv("PATH", path)
        gitinfo.git_executable.cache_clear()
        assert gitinfo.git_executable() == shutil.which("git"), path
    monkeypatch.delenv("PATH")
    gitinfo.git_executable.cache_clear()
    assert gitinfo.git_executable() == shutil.which("git")
    gitinfo.git_executable.cache_clear()


def test_help_is_what_argparse_would_print(monkeypatch, capsys):
    """The formatter measures the terminal itself (no shutil): same help text as argparse's own."""
    import argparse

    from keylint import cli

    def scan_help() -> str:
        with pytest.raises(SystemExit):
            cli.main(["scan", "--help"])
        return capsys.readouterr().out

    for columns in ("60", "100", "200"):
        monkeypatch.setenv("COLUMNS", columns)
        ours = scan_help()
        monkeypatch.setattr(cli, "_Formatter", argparse.HelpFormatter)
        theirs = scan_help()
        monkeypatch.undo()
        assert ours == theirs and len(ours.splitlines()) > 20
