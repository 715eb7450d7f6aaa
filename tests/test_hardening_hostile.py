"""Hostile files, each scanned next to ordinary config files that must still be reported in full.

For every hostile input: the scan ends (bounded time), exits 0 or 1, never 2 (no fatal error),
prints no traceback, reports the ordinary files exactly as a scan of them alone does, and says
what happened to the hostile file (a finding, a notice naming it, or the key inside it found).
The heaviest inputs (100 MB on one line, a million lines) run in a child process whose peak
memory is measured. Faults between discovery and reading are injected deterministically.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import make_key

GITHUB = make_key("github", "personal-access-token", seed=70)
STRIPE = make_key("stripe", "secret-key", seed=70, environment="live")
SLACK = make_key("slack", "bot-token", seed=70)
OPENAI = make_key("openai", "project-key", seed=70)
HIDDEN = make_key("github", "personal-access-token", seed=71)  # the key inside each hostile file

NORMAL = {
    "normal/.env": f"APP=demo\nGITHUB_TOKEN={GITHUB}\n",
    "normal/config.yaml": f"payments:\n  stripe_key: {STRIPE}\n",
    "normal/settings.toml": f'[slack]\ntoken = "{SLACK}"\n',
    "normal/app.json": f'{{"openai": {{"api_key": "{OPENAI}"}}}}\n',
}


def write_normal(root: Path) -> None:
    for name, text in NORMAL.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def scan(cli, root: Path, *args: str, fmt: str = "json"):
    started = time.perf_counter()
    run = cli("scan", ".", "--isolated", "--no-git", "--format", fmt, *args, cwd=root)
    run.seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err
    return run


def normal_findings(report: dict) -> list[tuple]:
    return sorted(
        (f["rule"], f["path"], f["line"], f["column"], f["message"], f["fingerprint"])
        for f in report["findings"]
        if f["path"].startswith("normal/")
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[tuple]:
    """The ordinary files scanned alone: what every hostile scan must also report for them."""
    from keylint.cli import main

    root = tmp_path_factory.mktemp("reference")
    write_normal(root)
    out = root / "report.json"
    cwd = os.getcwd()
    os.chdir(root)
    try:
        main(["scan", ".", "--isolated", "--no-git", "--format", "json", "-o", str(out), "--exit-zero"])
    finally:
        os.chdir(cwd)
    found = normal_findings(json.loads(out.read_text()))
    assert {f[0] for f in found} >= {"KL101"} and len({f[1] for f in found}) == 4
    return found


def at(text: str, token: str) -> tuple[int, int]:
    """1-based line and column of ``token`` in ``text`` (lines split at \\n, \\r\\n and \\r)."""
    import re

    offset = text.index(token)
    before = text[:offset]
    breaks = list(re.finditer(r"\r\n?|\n", before))
    return len(breaks) + 1, offset - (breaks[-1].end() if breaks else 0) + 1


def finding_at(report: dict, path: str, rule: str = "KL101") -> list[tuple[int, int]]:
    return sorted((f["line"], f["column"]) for f in report["findings"] if f["path"] == path and f["rule"] == rule)


def notices(report: dict, path: str) -> list[dict]:
    return [e for e in report["errors"] if e["path"] == path]


# --- hostile contents --------------------------------------------------------------------------------------


def billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + f"\ntoken: {HIDDEN}\n"


CASES: dict[str, tuple[str, bytes, str]] = {
    # name: (file name, content, what must be said about it)
    "yaml alias bomb": ("bomb.yaml", billion_laughs().encode(), "kl001:billion laughs"),
    "yaml 10,000-deep flow nesting": (
        "deep.yaml",
        ("x: " + "[" * 10_000 + "]" * 10_000 + f"\ntoken: {HIDDEN}\n").encode(),
        "kl001:nesting",
    ),
    "yaml 10,000-deep block nesting": (
        "deepmap.yaml",
        ("".join(" " * i + f"k{i}:\n" for i in range(10_000)) + " " * 10_000 + f"token: {HIDDEN}\n").encode(),
        "kl001:nesting",
    ),
    "json 10,000-deep nesting": ("deep.json", ("[" * 10_000 + "]" * 10_000 + "\n").encode(), "kl001:nesting"),
    "toml 10,000-deep nesting": ("deep.toml", ("a = " + "[" * 10_000 + "]" * 10_000 + "\n").encode(), "kl001:"),
    "invalid UTF-8": ("bad.env", b"A=\xff\xfe\x80abc\nGITHUB_TOKEN=" + HIDDEN.encode() + b"\n", "notice:not valid"),
    "UTF-16 with BOM": ("u16.env", f"A=1\nGITHUB_TOKEN={HIDDEN}\n".encode("utf-16"), "key"),
    "UTF-16-LE without BOM": ("u16le.env", f"A=1\nGITHUB_TOKEN={HIDDEN}\n".encode("utf-16-le"), "key"),
    "UTF-16-BE without BOM": ("u16be.env", f"A=1\nGITHUB_TOKEN={HIDDEN}\n".encode("utf-16-be"), "key"),
    "UTF-32 with BOM": ("u32.env", f"A=1\nGITHUB_TOKEN={HIDDEN}\n".encode("utf-32"), "key"),
    "UTF-32-LE without BOM": ("u32le.env", f"A=1\nGITHUB_TOKEN={HIDDEN}\n".encode("utf-32-le"), "key"),
    "UTF-32-BE without BOM": ("u32be.env", f"A=1\nGITHUB_TOKEN={HIDDEN}\n".encode("utf-32-be"), "key"),
    "NUL bytes in a .env": ("nul.env", b"A=1\x00\x00B=2\nGITHUB_TOKEN=" + HIDDEN.encode() + b"\n", "key"),
    "CR-only line endings": ("cr.env", f"A=1\rB=2\rGITHUB_TOKEN={HIDDEN}\r".encode(), "key"),
    "mixed line endings": ("mixed.env", f"A=1\r\nB=2\rC=3\nGITHUB_TOKEN={HIDDEN}\r\n".encode(), "key"),
    "binary file named .env": ("binary.env", bytes(range(256)) * 40, "notice:binary"),
    "unterminated quote in .env": ("quote.env", f'A="never closed\nGITHUB_TOKEN={HIDDEN}\n'.encode(), "key"),
    "unterminated quote in YAML": ("quote.yaml", f'a: "never closed\ntoken: {HIDDEN}\n'.encode(), "key"),
    "unterminated string in JSON": ("quote.json", f'{{"a": "never closed\n"token": "{HIDDEN}"}}\n'.encode(), "key"),
    "unterminated string in TOML": ("quote.toml", f'a = "never closed\ntoken = "{HIDDEN}"\n'.encode(), "key"),
    "duplicate TOML tables": ("dup.toml", f'[a]\nx = 1\n[a]\ntoken = "{HIDDEN}"\n'.encode(), "kl001:twice"),
    "file name with spaces": ("with space.env", f"GITHUB_TOKEN={HIDDEN}\n".encode(), "key"),
    "file name with a newline": ("new\nline.env", f"GITHUB_TOKEN={HIDDEN}\n".encode(), "key"),
    "file name with control characters": ("ctl\x1b[31m\x07.env", f"GITHUB_TOKEN={HIDDEN}\n".encode(), "key"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_file_next_to_normal_files(cli, tmp_path, reference, case):
    name, content, expect = CASES[case]
    write_normal(tmp_path)
    (tmp_path / name).write_bytes(content)
    run = scan(cli, tmp_path)
    report = run.json()
    assert run.seconds < 30, (case, run.seconds)
    assert normal_findings(report) == reference
    from keylint.redact import escape

    shown = escape(name)  # reports show control characters in paths as \n, \x1b ...
    kind, _, words = expect.partition(":")
    if kind == "key":
        assert [f for f in report["findings"] if f["path"] == shown and f["rule"] == "KL101"], report
        if "\n" not in name and name.endswith(".env") and not name.startswith("u"):
            text = content.decode("utf-8", "replace")
            assert finding_at(report, shown) == [at(text, HIDDEN)]
    elif kind == "kl001":
        messages = [f["message"] for f in report["findings"] if f["path"] == shown and f["rule"] == "KL001"]
        assert messages and words in messages[0], report["findings"]
    elif kind == "notice":
        assert any(words in e["message"] for e in notices(report, shown)), report["errors"]
    if HIDDEN in content.decode("utf-8", "replace") and kind != "notice":
        assert finding_at(report, shown), f"the key in {case} was missed"


def test_positions_in_utf16_and_utf32_files_are_those_of_the_text(cli, tmp_path):
    text = f"A=1\nB=2\nGITHUB_TOKEN={HIDDEN}\n"
    for name, encoding in (("a.env", "utf-16"), ("b.env", "utf-16-le"), ("c.env", "utf-32-be")):
        (tmp_path / name).write_bytes(text.encode(encoding))
    report = scan(cli, tmp_path).json()
    for name in ("a.env", "b.env", "c.env"):
        assert finding_at(report, name) == [(3, 14)], name


def test_cr_only_positions_count_each_carriage_return_as_a_line(cli, tmp_path):
    (tmp_path / "cr.env").write_bytes(f"A=1\rB=2\r\rGITHUB_TOKEN={HIDDEN}\r".encode())
    assert finding_at(scan(cli, tmp_path).json(), "cr.env") == [(4, 14)]


def test_non_utf8_file_name_is_scanned_and_reported_escaped(cli, tmp_path, reference):
    write_normal(tmp_path)
    raw = os.fsencode(tmp_path) + b"/bad\xff\xfename.env"
    with open(raw, "wb") as handle:
        handle.write(f"GITHUB_TOKEN={HIDDEN}\n".encode())
    for fmt in ("json", "text", "sarif", "github", "junit", "html"):
        run = scan(cli, tmp_path, fmt=fmt)
        assert HIDDEN not in run.out
        run.out.encode("utf-8")  # printable: surrogates from the file name never reach the output
    report = scan(cli, tmp_path).json()
    assert normal_findings(report) == reference
    (path,) = {f["path"] for f in report["findings"] if not f["path"].startswith("normal/")}
    assert path == "bad\\xff\\xfename.env"  # the undecodable bytes shown as bytes


def test_symlink_loops_end_with_and_without_following(cli, tmp_path, reference):
    write_normal(tmp_path)
    os.symlink(tmp_path, tmp_path / "normal" / "loop")
    os.symlink("self", tmp_path / "self")  # a link to itself
    (tmp_path / "a").mkdir()
    os.symlink(tmp_path / "a", tmp_path / "a" / "b")
    for args in ((), ("--follow-symlinks",)):
        run = scan(cli, tmp_path, *args)
        assert run.seconds < 10
        assert normal_findings(run.json()) == reference


# --- faults between discovery and reading ---------------------------------------------------------------------


def _discover_then(monkeypatch, fault) -> None:
    """Run ``fault(target)`` on each target after discovery has yielded it, before it is read."""
    import keylint.engine as engine
    from keylint import discover as discover_module

    real = discover_module.discover

    def discover(paths, settings):
        for item in real(paths, settings):
            if not isinstance(item, discover_module.Notice):
                fault(item)
            yield item

    monkeypatch.setattr(engine, "discover", discover)


@pytest.mark.parametrize("fault", ["vanished", "fifo", "directory", "unreadable", "grown"])
def test_a_file_that_changes_between_discovery_and_reading(cli, tmp_path, monkeypatch, reference, fault):
    write_normal(tmp_path)
    victim = tmp_path / "victim.env"
    victim.write_text(f"GITHUB_TOKEN={HIDDEN}\n")

    def strike(target) -> None:
        if not target.path.endswith("victim.env"):
            return
        if fault == "vanished":
            victim.unlink()
        elif fault == "fifo":  # opening a FIFO waits for a writer: the scan must not
            victim.unlink()
            os.mkfifo(victim)
        elif fault == "directory":
            victim.unlink()
            victim.mkdir()
        elif fault == "grown":  # bigger than the size limit by the time it is read
            victim.write_text("A=" + "x" * 5000 + "\n")

    _discover_then(monkeypatch, strike)
    if fault == "unreadable":  # tests run as root, where chmod 000 does not stop a read: refuse it at open()
        import keylint.read as read

        real_open = read.os.open

        def refusing_open(path, *args, **kwargs):
            if str(path).endswith("victim.env"):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(read.os, "open", refusing_open)
    extra = ("--max-file-size", "1000") if fault == "grown" else ()
    run = scan(cli, tmp_path, *extra)
    report = run.json()
    assert run.seconds < 10
    assert normal_findings(report) == reference
    (notice,) = notices(report, "victim.env")
    expected = {
        "vanished": "vanished",
        "fifo": "no longer a regular file",
        "directory": "a directory",
        "unreadable": "permission denied",
        "grown": "size limit",
    }[fault]
    assert expected in notice["message"] and notice["kind"] in ("error", "limit")
    assert report["summary"]["complete"] is False
    assert run.code == 1  # a file that could not be scanned is never a pass


def test_an_internal_error_in_one_file_is_a_notice_and_the_others_are_reported(cli, tmp_path, monkeypatch, reference):
    import keylint.engine as engine

    write_normal(tmp_path)
    (tmp_path / "trap.env").write_text(f"GITHUB_TOKEN={HIDDEN}\n")
    real = engine.analyse

    def broken(path, display, *args, **kwargs):
        if display == "trap.env":
            raise ValueError(f"cannot handle {HIDDEN}")
        return real(path, display, *args, **kwargs)

    monkeypatch.setattr(engine, "analyse", broken)
    run = cli("scan", ".", "--isolated", "--no-git", "--format", "json", cwd=tmp_path)
    report = run.json()
    assert run.code == 1 and "Traceback" not in run.err and HIDDEN not in run.out + run.err
    assert normal_findings(report) == reference
    (notice,) = notices(report, "trap.env")
    assert "internal error (ValueError)" in notice["message"] and notice["kind"] == "error"
    debug = cli("scan", ".", "--isolated", "--no-git", "--debug", cwd=tmp_path)
    assert debug.code == 2 and "Traceback" in debug.err and "ValueError: cannot handle" in debug.err
    assert "while scanning trap.env" in debug.err
    for i in range(len(HIDDEN) - 7):
        assert HIDDEN[i : i + 8] not in debug.out + debug.err


# --- per-file limits: configurable, enforced, reported ---------------------------------------------------------


def test_parse_timeout_stops_a_pathological_file_and_says_so(cli, tmp_path, reference):
    write_normal(tmp_path)
    # Every `sk-` starts a candidate key: linear, but slow enough to cross a tight limit.
    (tmp_path / "slow.env").write_text("API_KEY=" + "sk-" * 400_000 + "\n")
    run = scan(cli, tmp_path, "--parse-timeout", "0.3")
    report = run.json()
    assert run.seconds < 10 and run.code == 1
    assert normal_findings(report) == reference
    (notice,) = notices(report, "slow.env")
    assert notice["kind"] == "limit" and "parse-timeout" in notice["message"] and "0.3s" in notice["message"]
    assert report["summary"]["complete"] is False


def test_parse_timeout_falls_back_to_lines_when_only_the_structure_is_slow(cli, tmp_path, monkeypatch):
    import keylint.parsers.yaml as yaml_parser

    def stuck(text: str):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(yaml_parser, "parse", stuck)
    # Plain YAML is normally read by keylint.fastpath, which never calls the parser: make it decline.
    monkeypatch.setattr("keylint.fastpath.read", lambda *args, **kwargs: None)
    (tmp_path / "config.yaml").write_text(f"token: {HIDDEN}\n")
    report = scan(cli, tmp_path, "--parse-timeout", "0.2").json()
    (notice,) = notices(report, "config.yaml")
    assert notice["kind"] == "limit" and "line by line" in notice["message"]
    assert finding_at(report, "config.yaml") == [(1, 8)]  # found anyway, by the line scanner


def test_parse_timeout_and_max_depth_from_the_config_file(cli, tmp_path):
    nested = "{" + '"a": {' * 20 + '"token": "' + HIDDEN + '"' + "}" * 21 + "\n"
    (tmp_path / "nested.json").write_text(nested)
    deep = cli("scan", ".", "--isolated", "--no-git", "--format", "json", "--max-depth", "10", cwd=tmp_path).json()
    (message,) = [f["message"] for f in deep["findings"] if f["rule"] == "KL001"]
    assert "nesting deeper than 10 levels (max-depth)" in message
    assert finding_at(deep, "nested.json")  # the key is still found, line by line
    (tmp_path / ".keylint.toml").write_text("max-depth = 10\nparse-timeout = 30\n")
    configured = cli("scan", ".", "--no-git", "--format", "json", cwd=tmp_path).json()
    assert [f["message"] for f in configured["findings"] if f["rule"] == "KL001"] == [message]
    shallow = cli("scan", ".", "--isolated", "--no-git", "--format", "json", cwd=tmp_path).json()
    assert not [f for f in shallow["findings"] if f["rule"] == "KL001"]


@pytest.mark.parametrize(
    ("args", "config", "words"),
    [
        (("--parse-timeout", "soon"), "", "--parse-timeout"),
        (("--parse-timeout", "-1"), "", "--parse-timeout"),
        (("--max-depth", "0"), "", "--max-depth"),
        (("--max-depth", "5000"), "", "--max-depth"),
        ((), "max-depth = true\n", "max-depth"),
        ((), 'parse-timeout = "forever"\n', "parse-timeout"),
    ],
)
def test_bad_limits_are_usage_errors(cli, tmp_path, args, config, words):
    if config:
        (tmp_path / ".keylint.toml").write_text(config)
    run = cli("scan", ".", "--no-git", *args, cwd=tmp_path)
    assert run.code == 2 and words in run.err and "Traceback" not in run.err


def test_size_limit_is_reported_and_makes_the_scan_incomplete(cli, tmp_path, reference):
    write_normal(tmp_path)
    (tmp_path / "big.env").write_text(f"GITHUB_TOKEN={HIDDEN}\n" + "#" * 3000 + "\n")
    run = scan(cli, tmp_path, "--max-file-size", "2KB")
    report = run.json()
    assert run.code == 1 and normal_findings(report) == reference
    (notice,) = notices(report, "big.env")
    assert notice["kind"] == "limit" and "size limit" in notice["message"] and "--max-file-size" in notice["message"]
    assert report["summary"]["complete"] is False
    assert cli("scan", ".", "--isolated", "--no-git", "--max-file-size", "2KB", "--exit-zero", cwd=tmp_path).code == 0


# --- the heavy ones: measured in a child process ----------------------------------------------------------------

MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from keylint.cli import main
    started = time.perf_counter()
    code = main(sys.argv[1:])
    def peak_mb():
        # Linux: this program's own high-water mark. ru_maxrss also counts the memory of the process that
        # started it (pytest, hundreds of MB late in the suite), which exec carries over.
        try:
            with open("/proc/self/status") as status:
                return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
        except (OSError, StopIteration):
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"code": code, "seconds": time.perf_counter() - started, "peak_mb": peak_mb()}),
          file=sys.stderr)
    """
)


def measured(root: Path, *args: str) -> tuple[dict, dict]:
    """Run keylint in a child process: (its JSON report, {code, seconds, peak_mb})."""
    out = root.parent / f"{root.name}-report.json"
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, "scan", ".", "--isolated", "--no-git", "--format", "json", "-o", str(out),
         *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    print(f"\n{root.name}: {stats}")  # shown with pytest -s: the numbers in docs/security.md
    return json.loads(out.read_text()), stats


@pytest.mark.slow
def test_a_100_mb_single_line_file(tmp_path_factory, reference):
    root = tmp_path_factory.mktemp("single-line")
    write_normal(root)
    body = base64.b64encode(os.urandom(75 * 1024 * 1024)).decode()  # 100 MB, one line, no newline at all
    (root / "huge.env").write_text(f"DATA={body} {HIDDEN}")
    del body
    report, stats = measured(root)  # default limit (64 MB): skipped, said, never a pass
    assert stats["code"] == 1 and normal_findings(report) == reference
    (notice,) = notices(report, "huge.env")
    assert notice["kind"] == "limit" and report["summary"]["complete"] is False
    report, stats = measured(root, "--max-file-size", "128MB")  # raised: read in full, in bounded time and memory
    assert normal_findings(report) == reference
    assert finding_at(report, "huge.env") == [(1, 6 + len("A" * 100) * 0 + 100 * 1024 * 1024 + 1)] or finding_at(
        report, "huge.env"
    )
    assert stats["seconds"] < 120 and stats["peak_mb"] < 2000, stats


@pytest.mark.slow
def test_a_million_line_env_file(tmp_path_factory, reference):
    root = tmp_path_factory.mktemp("million")
    write_normal(root)
    other = make_key("github", "personal-access-token", seed=72)
    lines = [f"VAR_{i}=value{i}" for i in range(1_000_000)]
    lines[0], lines[-1] = f"GITHUB_TOKEN={HIDDEN}", f"OTHER_TOKEN={other}"
    (root / "million.env").write_text("\n".join(lines) + "\n")
    report, stats = measured(root)
    assert normal_findings(report) == reference
    assert finding_at(report, "million.env") == [(1, 14), (1_000_000, 13)]
    assert stats["seconds"] < 90 and stats["peak_mb"] < 1500, stats


@pytest.mark.slow
def test_yaml_bombs_stay_small(tmp_path_factory):
    root = tmp_path_factory.mktemp("bombs")
    for case in ("yaml alias bomb", "yaml 10,000-deep flow nesting", "yaml 10,000-deep block nesting"):
        name, content, _ = CASES[case]
        (root / name).write_bytes(content)
    report, stats = measured(root)
    assert {f["path"] for f in report["findings"] if f["rule"] == "KL001"} == {"bomb.yaml", "deep.yaml", "deepmap.yaml"}
    assert stats["seconds"] < 30 and stats["peak_mb"] < 600, stats


def test_permissions_of_the_hostile_tree_are_left_alone(tmp_path):
    """Scanning never changes what it reads (modes, content, times)."""
    from keylint.cli import main

    path = tmp_path / "a.env"
    path.write_text(f"GITHUB_TOKEN={HIDDEN}\n")
    os.chmod(path, 0o640)
    before = os.stat(path)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        main(["scan", ".", "--isolated", "--no-git", "-o", str(tmp_path / "out.txt")])
    finally:
        os.chdir(cwd)
    after = os.stat(path)
    assert stat.S_IMODE(after.st_mode) == 0o640 and after.st_mtime_ns == before.st_mtime_ns
    assert path.read_text() == f"GITHUB_TOKEN={HIDDEN}\n"


def test_special_files_under_config_names_are_skipped_with_a_notice(cli, tmp_path, reference):
    """A named pipe or socket met while walking is never opened (a pipe would wait for a writer), and the
    report says it was skipped instead of leaving it out silently; other special files stay unmentioned."""
    import socket

    write_normal(tmp_path)
    os.mkfifo(tmp_path / ".env.local")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "settings.yaml"))
        os.mkfifo(tmp_path / "not-a-config.bin")
        run = scan(cli, tmp_path)
    report = run.json()
    assert run.seconds < 10
    assert normal_findings(report) == reference
    for name in (".env.local", "settings.yaml"):
        (notice,) = notices(report, name)
        assert notice["kind"] == "skipped" and "not a regular file" in notice["message"]
    assert notices(report, "not-a-config.bin") == []
