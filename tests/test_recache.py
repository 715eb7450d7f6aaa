"""keylint.recache: compiled regular expressions kept between runs change nothing but start-up time."""

from __future__ import annotations

import json
import marshal
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from keylint import recache

pytestmark = pytest.mark.skipif(not recache._supported(), reason="the cache follows CPython 3.10-3.13's re")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Patterns with the features whose compiled form has more than code: named groups, flags, bytes.
PROBE = r"""
import re, sys
from keylint import recache
recache.install()
checks = [
    (r"(?P<scheme>[a-z]+)://(?P<user>[^:@]*)", "postgres://app@db", 0),
    (r"^\s*#.*$", "  # comment", re.MULTILINE),
    (r"(?i)api[_-]?key", "API_KEY", 0),
    (r"(?x) a \d+ # digits", "a12", 0),
    (rb"\x00(?P<n>\d)", b"\x007", 0),
]
for pattern, text, flags in checks:
    compiled = re.compile(pattern, flags)
    found = compiled.search(text)
    print(compiled.pattern == pattern, compiled.flags, sorted(compiled.groupindex.items()),
          found and found.group(0), found and found.groupdict())
"""


def _report(run: subprocess.CompletedProcess[str]) -> dict:
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    report["summary"] = {k: v for k, v in report["summary"].items() if "second" not in k and "duration" not in k}
    return report


def _run(args: list[str], cache: Path, enabled: str = "1") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEYLINT_CACHE_DIR": str(cache), "KEYLINT_REGEX_CACHE": enabled}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=False)


def test_compiled_from_the_table_equals_compiled_from_source(tmp_path):
    plain = _run(["-c", PROBE], tmp_path, enabled="0")
    first = _run(["-c", PROBE], tmp_path)  # compiles from source and fills the table
    second = _run(["-c", PROBE], tmp_path)  # compiles from the table
    assert plain.returncode == first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert plain.stdout == first.stdout == second.stdout
    assert "False" not in plain.stdout.split()[0]


def test_scan_output_is_the_same_and_the_table_is_private(tmp_path):
    args = ["-m", "keylint", "scan", str(EXAMPLES), "--exit-zero", "--no-git", "-f", "json"]
    uncached = _run(args, tmp_path, enabled="0")
    assert not list(tmp_path.iterdir())  # switched off: nothing written
    first = _run(args, tmp_path)
    (table,) = tmp_path.glob("regex-*.marshal")
    written = table.stat().st_mtime_ns
    second = _run(args, tmp_path)
    assert _report(uncached) == _report(first) == _report(second)
    assert len(_report(first)["findings"]) > 3
    assert stat.S_IMODE(table.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) & 0o077 == 0 or tmp_path.stat().st_uid != os.getuid()
    assert table.stat().st_mtime_ns == written  # nothing new to add: not rewritten


def test_a_damaged_or_foreign_table_is_ignored(tmp_path):
    args = ["-m", "keylint", "scan", str(EXAMPLES), "--exit-zero", "--no-git", "-f", "json"]
    expected = _report(_run(args, tmp_path, enabled="0"))
    table = Path(recache.cache_file().replace(recache.cache_directory(), str(tmp_path), 1))
    table.write_bytes(b"\x00garbage")
    table.chmod(0o600)
    assert _report(_run(args, tmp_path)) == expected
    # A table whose entries compile to something else than their pattern: the engine's own check refuses it.
    _run(args, tmp_path)
    entries = marshal.loads(table.read_bytes())
    regexes = {key: entry for key, entry in entries.items() if type(key[0]) is bool}
    assert regexes and len(regexes) < len(entries)  # the others: records' compiled __init__ code, format summaries
    damaged = {key: (flags, b"\xff\xff\x00\x00" + code, groups, index, names)
               for key, (flags, code, groups, index, names) in regexes.items()}
    damaged.update((key, "not code") for key in entries if key not in regexes)
    table.write_bytes(marshal.dumps(damaged))
    assert _report(_run(args, tmp_path)) == expected
    if os.name == "posix":
        table.write_bytes(marshal.dumps(entries))
        table.chmod(0o666)  # others could have written it: not used
        assert _report(_run(args, tmp_path)) == expected


def test_the_table_holds_no_scanned_content(tmp_path, key):
    """Only keylint's own patterns (and config templates) are compiled: no key, name or value of a scanned file."""
    scanned = tmp_path / "repo"
    scanned.mkdir()
    tokens = [key(p, seed=41) for p in ("github", "stripe", "openai", "slack", "gitlab", "npm", "anthropic")]
    names = [f"SERVICE_{i}_TOKEN" for i in range(len(tokens))]
    (scanned / ".env").write_text("".join(f"{n}={t}\n" for n, t in zip(names, tokens, strict=True)))
    (scanned / "config.yaml").write_text("".join(f"{n.lower()}: {t}\n" for n, t in zip(names, tokens, strict=True)))
    cache = tmp_path / "cache"
    for fmt in ("text", "json", "sarif", "html"):
        run = _run(["-m", "keylint", "scan", str(scanned), "--exit-zero", "--no-git", "-f", fmt], cache)
        assert run.returncode == 0, run.stderr
    (table,) = cache.glob("regex-*.marshal")
    data = table.read_bytes()
    for token in tokens:
        assert token[4:16].encode() not in data
    for name in names:
        assert name.encode() not in data and name.lower().encode() not in data


def test_every_pattern_is_the_same_whatever_the_hash_seed(tmp_path):
    """A pattern built from a set in its iteration order changes with PYTHONHASHSEED: a cache miss every run."""
    args = ["-m", "keylint", "scan", str(EXAMPLES), "--exit-zero", "--no-git", "-f", "json"]
    sizes = []
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "KEYLINT_CACHE_DIR": str(tmp_path), "KEYLINT_REGEX_CACHE": "1", "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, *args], capture_output=True, env=env, check=True)
        (table,) = tmp_path.glob("regex-*.marshal")
        sizes.append(len(marshal.loads(table.read_bytes())))
    assert sizes == sizes[:1] * 4


FORMAT_PROBE = r"""
from keylint.providers import all_providers
for provider in all_providers():
    for fmt in provider.formats:
        segments = fmt.segments
        derived = (segments[0].literal if segments[0].is_literal else "",
                   sum(len(s.literal) if s.is_literal else s.min_len for s in segments),
                   sum(len(s.literal) if s.is_literal else s.max_len for s in segments),
                   sorted(set("".join(s.literal or s.alphabet for s in segments))),
                   "".join(s.regex() for s in segments))
        kept = (fmt.prefix, fmt.min_length, fmt.max_length, sorted(fmt.charset), fmt.regex.pattern)
        print(fmt.template, derived == kept)
"""


def test_format_summaries_kept_between_runs_are_what_the_templates_give(tmp_path):
    probe = "from keylint import recache\nrecache.install()\n" + FORMAT_PROBE
    runs = [_run(["-c", probe], tmp_path, enabled) for enabled in ("0", "1", "1")]  # plain, fills, reads
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert runs[0].stdout.count(" True\n") == len(runs[0].stdout.splitlines()) > 150


def test_a_format_summary_is_kept_for_the_code_that_derived_it(monkeypatch):
    from keylint.providers import schema

    template = "abc_{hex:4}"
    table = {("key-format", (1, 2), template): ("zzz", 1, 1, "z", "zzz")}
    monkeypatch.setattr(recache, "_state", {"table": table, "used": set()})
    monkeypatch.setattr(schema, "_SOURCE_STAMP", (1, 3))  # schema.py changed since: not used
    fmt = schema.KeyFormat(template)
    assert (fmt.prefix, fmt.min_length, fmt.max_length, fmt.charset) == ("abc_", 8, 8, frozenset("abc_0123456789def"))
    assert fmt.regex.pattern == "abc_[0123456789abcdef]{4}"
    assert table[("key-format", (1, 3), template)] == ("abc_", 8, 8, "0123456789_abcdef", "abc_[0123456789abcdef]{4}")
    monkeypatch.setattr(schema, "_SOURCE_STAMP", (1, 2))
    kept = schema.KeyFormat(template)
    assert (kept.prefix, kept.regex.pattern) == ("zzz", "zzz")  # (what the table says: how it is found)
    table[("key-format", (1, 2), template)] = ("zzz", 1, 1, "z")  # the shape of an older version: not used
    assert schema.KeyFormat(template).prefix == "abc_"


def test_a_table_past_its_size_is_cut_back_to_what_a_run_used(tmp_path):
    table = Path(recache.cache_file().replace(recache.cache_directory(), str(tmp_path), 1))
    stale = {(False, f"pattern of an older version {i}", 0): (0, b"", 0, {}, ()) for i in range(recache._MAX_ENTRIES)}
    table.write_bytes(marshal.dumps(stale))
    table.chmod(0o600)
    args = ["-m", "keylint", "scan", str(EXAMPLES), "--exit-zero", "--no-git", "-f", "json"]
    assert _report(_run(args, tmp_path)) == _report(_run(args, tmp_path, enabled="0"))
    kept = marshal.loads(table.read_bytes())
    assert 100 < len(kept) < recache._MAX_ENTRIES and not set(kept) & set(stale)
    _run(args, tmp_path)
    assert marshal.loads(table.read_bytes()) == kept  # all it needs, and nothing new: not written again
