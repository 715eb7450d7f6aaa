"""Property tests on arbitrary input: every parser and the whole pipeline, never an exception, positions in the file.

Parsers get any text (with the line breaks read.py leaves: ``\\n`` only, and raw ``\\r`` too for
the parsers that count it); the pipeline gets any bytes, decoded as the scanner decodes them,
and every finding must point inside the file. The rewritten linear-time helpers are held to the
regular expressions they replace. ``benchmarks/fuzz.py`` runs the same targets for longer.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint.config import Settings
from keylint.engine import analyse
from keylint.parsers import FORMATS, parse
from keylint.read import ReadError, decode

ROOT = Path(__file__).resolve().parent.parent
_BREAK = re.compile(r"\r\n?|\n")

# Characters that matter to config syntaxes, plus some that matter to keylint (lookalikes, invisible
# characters, quotes), mixed with arbitrary text.
_SYNTAX = [*list("=:#;[]{}\"'`\\ \t\n-_.,|>&*!%@$<?~+/0aZ"), "\u200b", "\xa0", "р", "\ufeff", "\x00", "\r"]
config_text = st.one_of(
    st.text(alphabet=st.sampled_from(_SYNTAX), max_size=200),
    st.text(max_size=200),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "KEY=value\n",
                    "export A='b'\n",
                    'A="x\n',
                    "a:\n  b: [1, {c: d}]\n",
                    "- &x {a: *x}\n",
                    '{"a": [1, "b"]}',
                    '[t]\nk = "v"\n',
                    "[[a.b]]\n",
                    'x = """\nml\n"""\n',
                    "key: |\n  block\n",
                    "a.b=c\\\n  d\n",
                    "ghp_",
                    "sk-ant-api03-",
                    "AKIA",
                    "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.",
                    "-----BEGIN PRIVATE KEY-----\n",
                    "postgres://u:p@h/db\n",
                    "# keylint: ignore[KL101]\n",
                    "\t",
                    "\r\n",
                ]
            ),
            st.text(max_size=12),
        ),
        max_size=25,
    ).map("".join),
)
SETTINGS = Settings()


def _lines(text: str) -> list[str]:
    return _BREAK.split(text)


def assert_inside(text: str, line: int, column: int, what: object) -> None:
    lines = _lines(text)
    assert 1 <= line <= len(lines), (what, line, len(lines))
    assert 1 <= column <= len(lines[line - 1]) + 1, (what, line, column, lines[line - 1])


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=config_text)
def test_every_parser_takes_any_text_and_points_inside_it(fmt, text):
    result = parse(fmt, text)
    for entry in result.entries:
        assert_inside(text, entry.line, entry.column, entry)
        assert isinstance(entry.value, str) and isinstance(entry.key, str)
    for problem in result.problems:
        assert_inside(text, problem.line, problem.column, problem)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300) | config_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_the_pipeline_takes_any_bytes_and_every_finding_points_inside_the_file(fmt, data):
    try:
        text, _notices = decode(data, "fuzz")
    except ReadError:
        return  # binary: skipped with a notice, by design
    findings, summary = analyse("fuzz", "fuzz", fmt, text, SETTINGS)
    for finding in findings:
        assert_inside(text, finding.line, finding.column, finding)
        if finding.secret:  # never a secret in a message (8+ characters of it)
            for i in range(len(finding.secret) - 7):
                piece = finding.secret[i : i + 8]
                assert piece not in finding.message or i + 8 <= _public(finding), (finding.rule, finding.message)
    assert summary.fmt == fmt


def _public(finding) -> int:
    """Findings may quote a format's public literal prefix (``sk-ant-api03-``); it is not secret."""
    from keylint.providers import by_id

    provider = by_id(finding.provider) if finding.provider else None
    if provider is None:
        return 0
    return max((len(f.prefix) for f in provider.formats if finding.secret.startswith(f.prefix)), default=0)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_decoding_any_bytes_gives_text_or_a_clear_reason(data):
    try:
        text, notices = decode(data, "x.env")
    except ReadError as error:
        assert str(error).startswith("x.env: ") and error.kind == "skipped"
        return
    assert "\r" not in text
    assert all(n.path == "x.env" for n in notices)


# --- the linear-time rewrites answer exactly what the regular expressions they replace answer ------------

_PIECES = st.text(alphabet=st.sampled_from(list(" \t\x0b\x1c\u00a0#=:xXe\r\nportab'\"<>[]{}*•._-0…y")), max_size=40)


@settings(max_examples=3000, deadline=None)
@given(value=_PIECES, start=st.integers(0, 6))
def test_dotenv_comment_and_lenient_line_match_python_dotenv_regexes(value, start):
    from keylint.parsers import dotenv

    found = dotenv._UNQUOTED_COMMENT.search(value)
    assert (found.span() if found else None) == dotenv._comment_cut(value)
    start = min(start, len(value))
    match = dotenv._LENIENT.match(value, start)
    expected = (match.group("key") or None, match.group("value"), match.start("value")) if match else None
    assert dotenv._lenient(value, start) == expected


@settings(max_examples=3000, deadline=None)
@given(value=_PIECES)
def test_placeholder_endings_match_the_regexes_they_replace(value):
    from keylint.diagnose import _PLACEHOLDER_BRACKETS, _PLACEHOLDER_RUNS, _PLACEHOLDER_TAIL
    from keylint.values import _ELLIPSIS_TAIL, _repeated, ends_with_any, mixed_case

    repeated = re.compile(r"^(.)\1{3,}$|^(?:[xX*•.#_\-0]){4,}$")
    ellipsis = re.compile(r"(?:\.\.\.|…|x{4,}|X{4,}|\*{3,}|<[^>]*>)$")
    tail = re.compile(r"(?:\.\.\.|…|[xX]{4,}|\*{3,}|#{4,}|_{4,}|<[^>]*>|\[[^\]]*\]|\{[^}]*\})$")
    run = re.compile(r"[xX]{6,}|\*{4,}|\.{4,}|•{3,}")
    assert bool(repeated.match(value)) == _repeated(value)
    assert bool(ellipsis.search(value)) == ends_with_any(value, _ELLIPSIS_TAIL, ("<>",))
    assert bool(tail.search(value)) == ends_with_any(
        value, _PLACEHOLDER_TAIL + mixed_case("xX", 4), _PLACEHOLDER_BRACKETS
    )
    assert bool(run.search(value)) == (any(r in value for r in _PLACEHOLDER_RUNS) or "xxxxxx" in value.lower())


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet="abcAB12-_ …", max_size=60), secret=st.text(alphabet="abcAB12-_", max_size=60))
def test_scrub_leaves_no_eight_character_piece_of_the_secret(text, secret):
    from keylint.redact import scrub

    out = scrub(text + secret[3:30] + text, secret)
    if len(secret) >= 8:
        assert not any(out[j : j + 8] in secret for j in range(len(out) - 7))


# --- the fuzz runner ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_fuzz_runner_runs_every_target_for_a_bounded_time(tmp_path):
    """What CI runs: every fuzz target for a second; a crash would fail it (and leave its input)."""
    crashes = tmp_path / "crashes"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--seconds", "1", "--crashes", str(crashes)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("target ")]
    targets = {line.split()[1] for line in lines}
    assert targets >= {*FORMATS, "pipeline", "decode"}, proc.stdout
    assert all(" ok " in line for line in lines), proc.stdout
    assert not crashes.exists() or not list(crashes.iterdir())  # no failing input saved, no corpus left behind
