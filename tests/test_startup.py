"""Start-up: a pre-commit run imports only what it needs (each import below costs every commit milliseconds)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_key
from gitutil import Repo
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
    "dataclasses",  # and inspect, ast, dis, tokenize: records are keylint.records
    "inspect",
    "tomllib",  # a pyproject.toml without [tool.keylint] is not parsed
    "yaml",  # the YAML fast path reads the common shapes without PyYAML (keylint.parsers.yamlcore)
    "keylint.parsers.yaml",
    "datetime",  # (PyYAML's constructor imported it)
    "typing",  # modules import typing's names under keylint.TYPE_CHECKING only
    "subprocess",  # git's state queries start git with os.posix_spawn
    "selectors",
    "threading",
    "signal",  # the parse-timeout timer uses _signal (signal builds enums of every signal)
    "hyperscan",  # the optional accelerator pays for itself only after a megabyte of values
    "keylint.fastpath.accelerated",
]

# A project that depends on keylint and runs it, with other tools' tables but none of its own.
PYPROJECT_NAMING_KEYLINT = """\
[project]
name = "app"
dependencies = ["keylint>=0.1"]

[project.scripts]
keylint-all = "keylint.cli:main"
keylint = "app.keylint:main"

[tool.ruff]
line-length = 120
"""


def test_a_scan_imports_only_what_it_needs(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / ".env").write_text("A=1\nGITHUB_TOKEN=x\n")
    (app / "c.yaml").write_text("a: 1\n")
    (app / "c.json").write_text('{"a": 1}\n')
    (tmp_path / "pyproject.toml").write_text(PYPROJECT_NAMING_KEYLINT)  # found, and passed over unparsed
    probe = (
        "import json, os, sys\n"
        "from keylint.cli import main\n"
        f"main(['scan', {str(app)!r}, '--exit-zero', '-o', os.devnull])\n"
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


def _git_processes(monkeypatch) -> list[list[str]]:
    """The git processes a scan starts, whichever way (os.posix_spawn where there is one, else subprocess)."""
    started: list[list[str]] = []

    def remember(argv: list[str]) -> None:
        started.append([a for a in argv if not a.startswith(("-", "core.", "diff.", "log.", "blame.", "color."))])

    def counting_spawn(path, argv, *args, **kwargs):
        remember(argv)
        return real_spawn(path, argv, *args, **kwargs)

    def counting_popen(argv, *args, **kwargs):
        remember(argv)
        return real_popen(argv, *args, **kwargs)

    real_popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", counting_popen)
    if hasattr(os, "posix_spawn"):
        real_spawn = os.posix_spawn
        monkeypatch.setattr(os, "posix_spawn", counting_spawn)
    return started


@pytest.mark.skipif(gitinfo.git_executable() is None, reason="git is not installed")
def test_a_scan_asks_git_in_three_concurrent_calls_and_no_probe(cli, tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    repo.write("tracked.env", "A=1\n")
    repo.commit("add")
    repo.write("staged.env", "B=2\n")
    repo.git("add", "staged.env")
    repo.write(".gitignore", "ignored.env\n")
    repo.write("ignored.env", "C=3\n")
    repo.write("new.env", "D=4\n")
    gitinfo._PROBED.clear()
    started = _git_processes(monkeypatch)
    cli("scan", ".", "--isolated", "-f", "json", "--exit-zero", cwd=repo.path).json()
    assert sorted(call[3] for call in started) == ["check-ignore", "diff", "ls-files"]  # git -C ROOT <command>
    assert gitinfo.states(str(repo.path), ["tracked.env", "staged.env", "ignored.env", "new.env"]) == {
        "tracked.env": "tracked",
        "staged.env": "staged",
        "ignored.env": "ignored",
        "new.env": "untracked",
    }


@pytest.mark.skipif(os.name != "posix" or gitinfo.git_executable() is None, reason="needs git and a FIFO")
def test_a_repository_config_that_hangs_git_is_a_notice_within_the_probe_timeout(cli, tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    repo.write("app.env", f"GITHUB_TOKEN={make_key('github', 'personal-access-token', seed=3)}\n")
    repo.commit("add")
    fifo = tmp_path / "never-written"
    os.mkfifo(fifo)
    with open(repo.path / ".git" / "config", "a") as config:
        config.write(f"[include]\n\tpath = {fifo}\n")
    gitinfo._PROBED.clear()
    monkeypatch.setattr(gitinfo, "PROBE_TIMEOUT", 1.0)
    try:
        started = _git_processes(monkeypatch)
        run = cli("scan", ".", "--isolated", "-f", "json", cwd=repo.path)
    finally:
        stuck = gitinfo._PROBED.pop(str(repo.path), None)
    report = run.json()
    assert isinstance(stuck, gitinfo.GitStuck)
    assert any("did not answer within 1s" in n["message"] for n in report["errors"])
    assert [f["rule"] for f in report["findings"]] and len(started) == 3  # still scanned; no git call retried


@pytest.mark.skipif(gitinfo.git_executable() is None, reason="git is not installed")
@pytest.mark.parametrize("files", [3, 150])  # check-ignore's input prefilled (a few names) or streamed (over 4 KB)
def test_git_states_are_the_same_whichever_way_check_ignore_reads_its_input(tmp_path, files):
    repo = Repo(tmp_path / "repo")
    names = [f"dir-{i:03d}/a-rather-long-file-name-for-the-listing-{i:03d}.env" for i in range(files)]
    for name in names:
        repo.write(name, "A=1\n")
    repo.write(".gitignore", "dir-001/\n")
    repo.commit("first", names[0], ".gitignore")
    repo.git("add", names[-1])
    expected = {name: "untracked" for name in names}
    expected.update({names[0]: "tracked", names[1]: "ignored", names[-1]: "staged"})
    assert (len("".join(names)) > gitinfo._PREFILLED_INPUT) is (files == 150)
    assert gitinfo.states(str(repo.path), names) == expected


@pytest.mark.skipif(gitinfo.git_executable() is None, reason="git is not installed")
def test_work_done_while_git_answers_runs_once_and_a_failure_in_it_leaves_no_git_running(tmp_path, monkeypatch):
    from keylint.config import Settings
    from keylint.discover import discover

    repo = Repo(tmp_path / "repo")
    repo.write("app.env", "A=1\n")
    repo.commit("add")
    calls = []
    targets = list(gitinfo.annotate(discover([str(repo.path)], Settings()), meanwhile=lambda: calls.append(1)))
    assert calls == [1] and [t.git.state for t in targets] == ["tracked"]
    started = []
    real = gitinfo.StateQuery.__init__

    def remember(self, *args):
        real(self, *args)
        started.append(self)

    monkeypatch.setattr(gitinfo.StateQuery, "__init__", remember)

    def broken() -> None:
        raise ValueError("while git answers")

    with pytest.raises(ValueError):
        list(gitinfo.annotate(discover([str(repo.path)], Settings()), meanwhile=broken))
    assert started and all(proc.returncode is not None for q in started for proc in q.procs.values())


KEYLINT_TABLES = [
    "[tool.keylint]\nignore = []\n",
    "[ tool . keylint ]\n",
    "[tool.'keylint']\n",
    '["tool"."keylint"]\n',
    "[tool.keylint.severity]\nKL101 = 'info'\n",
    "[tool]\nkeylint = {ignore = []}\n",
    "[tool]\nkeylint.ignore = []\n",
    "[ 'tool' ]\nblack = {}\n'keylint'.jobs = 1\n",
    "tool.keylint.jobs = 1\n",
    "tool = { keylint = { jobs = 1 } }\n",
    "tool={keylint={jobs=1}}\n",
    '"tool" = {keylint = {}}\n',
    '["\\u0074ool".keylint]\n',
    '"\\u0074ool" = {keylint = {}}\n',
    '["\\u0074ool"]\nkeylint = {}\n',
    "[tool.black]\nx = 1\n\n  [tool.keylint]  # ours\n",
]


@pytest.mark.parametrize("text", KEYLINT_TABLES)
def test_the_pyproject_pre_check_never_passes_over_a_keylint_table(tmp_path, text):
    import tomllib

    from keylint import config

    table = tomllib.loads(text)["tool"]["keylint"]
    assert isinstance(table, dict)  # the cases are real tables
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text + PYPROJECT_NAMING_KEYLINT.split("[tool.ruff]")[0])  # (an inline `tool` is closed)
    assert config._mentions_keylint(str(pyproject))
    assert config.find_config(str(tmp_path)) == (str(pyproject), table)


def test_the_pyproject_pre_check_passes_over_projects_that_only_name_keylint(tmp_path):
    import tomllib

    from keylint import config

    for text in (PYPROJECT_NAMING_KEYLINT, (Path(__file__).parents[1] / "pyproject.toml").read_text()):
        assert "keylint" not in tomllib.loads(text).get("tool", {})
        (tmp_path / "pyproject.toml").write_text(text)
        assert not config._mentions_keylint(str(tmp_path / "pyproject.toml"))


def test_only_the_program_itself_collects_garbage_rarely(tmp_path):
    """The collector's tuning is for one short process: a caller of main() in-process keeps its own."""
    (tmp_path / ".env").write_text(f"GITHUB_TOKEN={make_key('github', 'personal-access-token', seed=4)}\n")
    report = tmp_path / "report.json"
    probe = (
        "import atexit, gc, sys\n"
        "from keylint.cli import main\n"
        f"main(['scan', {str(tmp_path)!r}, '--exit-zero', '-q'])\n"
        "print(gc.get_threshold())\n"
        "atexit.register(lambda: print(gc.get_threshold()))\n"  # the program itself ends in main()
        f"sys.argv = ['keylint', 'scan', {str(tmp_path)!r}, '-f', 'json', '-o', {str(report)!r}]\n"
        "sys.exit(main())\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    default = str(__import__("gc").get_threshold())
    assert run.stdout.splitlines()[-2:] == [default, "(50000, 10, 10)"]
    assert run.returncode == 0 and [f["rule"] for f in json.loads(report.read_text())["findings"]] == ["KL101"]


def test_the_parse_timeout_interrupts_in_the_main_thread_and_is_checked_elsewhere():
    import signal
    import threading
    import time

    from keylint import limits

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(limits.FileTimeout), limits.time_limit(0.05):
        while True:  # no cooperative check: only the timer can end this
            pass
    assert signal.getsignal(signal.SIGALRM) == before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)

    outcome = []

    def in_a_thread() -> None:
        try:
            with limits.time_limit(0.05):
                time.sleep(0.1)
                limits.check()
        except limits.FileTimeout:
            outcome.append("stopped at the check")

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join()
    assert outcome == ["stopped at the check"] and signal.getsignal(signal.SIGALRM) == before


@pytest.mark.skipif(gitinfo.git_executable() is None, reason="git is not installed")
def test_git_states_are_what_subprocess_gives_where_there_is_no_posix_spawn(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    repo.write("tracked.env", "A=1\n")
    repo.write(".gitignore", "ignored.env\n")
    repo.commit("add", "tracked.env", ".gitignore")
    repo.write("staged.env", "B=2\n")
    repo.git("add", "staged.env")
    names = ["tracked.env", "staged.env", "ignored.env", "new.env"]
    spawned = gitinfo.states(str(repo.path), names)
    monkeypatch.delattr(os, "posix_spawn", raising=False)
    assert gitinfo.states(str(repo.path), names) == spawned
    assert list(spawned.values()) == ["tracked", "staged", "ignored", "untracked"]


@pytest.mark.skipif(gitinfo.git_executable() is None, reason="git is not installed")
def test_git_children_do_not_inherit_the_descriptors_keylint_inherited(tmp_path):
    """A CI runner's pipe handed to keylint (inheritable, fd 42 here) is not handed on to the git it starts."""
    repo = Repo(tmp_path / "repo")
    repo.write("tracked.env", "A=1\n")
    repo.commit("add")
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    log = tmp_path / "git.log"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'if [ -e /dev/fd/42 ]; then echo inherited >> "{log}"; else echo clean >> "{log}"; fi\n'
        f'exec "{gitinfo.git_executable()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 42)  # dup2 makes it inheritable, as a descriptor keylint inherits is
    try:
        done = subprocess.run(
            [sys.executable, "-m", "keylint", "scan", ".", "-f", "json"],
            cwd=repo.path,
            env={**os.environ, "PATH": f"{wrapper.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
            pass_fds=(42,),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        for end in (read_end, write_end, 42):
            os.close(end)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().split()
    assert calls and set(calls) == {"clean"}, calls
