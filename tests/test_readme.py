"""The README stays true: its Quickstart is exactly two commands, and CI runs the second."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_quickstart_has_two_commands_and_ci_runs_the_test_one():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "examples/" in commands[0] and "keylint scan" in commands[0]
    assert "[test]" in commands[1] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_examples_folder_ships_sample_configs():
    examples = ROOT / "examples"
    assert (examples / ".env").is_file()
    assert any(examples.rglob("*.yml")) and any(examples.rglob("*.toml"))
