"""Hyperscan (keylint.fastpath.accelerated) finds exactly the values that ValueCandidates' regexes find.

With the optional ``hyperscan`` package installed, an ASCII block's values are searched in one Hyperscan pass; the
indices of ``possible`` and ``kept`` and a whole scan's findings must be those of the regexes (what a run without
the package, or with ``KEYLINT_NO_ACCELERATOR=1``, gives).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint import engine, prefilter, recache
from keylint.config import Settings
from keylint.fastpath import accelerated, candidates
from keylint.fastpath.candidates import ValueCandidates
from keylint.prefilter import prefilter_for
from lintcorpus import FORMATS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import workloads

pytest.importorskip("hyperscan")

PREFILTER = prefilter_for(engine.detector_for(Settings()))


def _pure() -> ValueCandidates:
    plain = ValueCandidates(PREFILTER)
    plain._until_accelerated = float("inf")  # never accelerated, however much it searches
    return plain


def _accelerated() -> ValueCandidates:
    fast = ValueCandidates(PREFILTER)
    fast.accelerate()
    assert fast._accelerator is not None
    return fast


PURE = _pure()
FAST = _accelerated()


def _same(values: list[str]) -> None:
    assert FAST.possible(values) == PURE.possible(values)
    assert FAST.kept(values) == PURE.kept(values)
    # kept_all searches every value as it comes (repeats too) once accelerated: the values value_matters keeps.
    plain = {i for i, value in enumerate(values) if PREFILTER.value_matters(_unquoted(value))}
    assert FAST.kept_all(values) == PURE.kept_all(values) == PURE.kept(values) == plain


def _unquoted(value: str) -> str:
    return value[1:-1] if value[:1] in ("'", '"') else value


# What a value may hold: every registered prefix, literal and near-miss start, with what may stand before them.
_PREFIXES = sorted(PREFILTER._by_prefix)
_NEAR_LETTERS = sorted(PREFILTER._near_windows)


def _near_token(letter: str, upper: bool, beyond: int) -> str:
    """A token as long as a near-miss window's shortest start, ``beyond`` characters more or less."""
    return (letter.upper() if upper else letter) + "x" * (PREFILTER._near_windows[letter][0] - 1 + beyond)


_PIECES = st.one_of(
    st.sampled_from(_PREFIXES),
    st.sampled_from(_PREFIXES).map(lambda prefix: prefix[:-1]),  # a prefix cut short
    st.sampled_from([*sorted(PREFILTER._examples), "PRIVATE KEY", "eyJ", "pypi-", "sig=", "://", "\\", "user:pw@h"]),
    st.sampled_from(["", " ", "  ", "'", '"', "a", "Z", "9", "_", "-", ".", "/", "=", ":", "\t", "\x0b", "\x0c", "\r"]),
    st.sampled_from(["\x1c", "\x1d", "\x1e", "\x1f", "\x00", "\x7f", "#", "@", "$", "é"]),
    st.builds(_near_token, st.sampled_from(_NEAR_LETTERS), st.booleans(), st.integers(-2, 2)),
    st.builds(lambda i, seed: FORMATS[i % len(FORMATS)][1].generate(random.Random(seed))[: seed % 70],
              st.integers(0, 10_000), st.integers(0, 10**6)),
    st.text(alphabet="acgnpsxACGNPSX0123456789_-+/=.:@ \t", max_size=60),
)  # fmt: skip
_VALUES = st.lists(st.lists(_PIECES, max_size=5).map("".join), max_size=12)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_VALUES, st.sampled_from(["", "'", '"']))
def test_accelerated_candidates_are_the_regexes_candidates(values, quote):
    _same([f"{quote}{value}{quote}" for value in values])


@settings(max_examples=300, deadline=None)
@given(_VALUES, st.integers(0, 11))
def test_values_repeated_or_next_to_each_other(values, cut):
    # adjacent values that would make a prefix or a near-miss token if the "\n" between them were not there
    joined = "".join(values)
    _same([joined[:cut], joined[cut:], *values, *values])


@pytest.mark.parametrize("prefix", _PREFIXES)
def test_every_prefix_where_it_counts_and_where_it_does_not(prefix):
    body = "A1b2C3d4E5f6G7h8J9k0" * 3
    values = [
        prefix, prefix + body, "x" + prefix + body, "1" + prefix + body, "-" + prefix + body, f"a {prefix}{body}",
        f"'{prefix}{body}'", body + prefix, "", prefix[:-1], "." + prefix, "é" + prefix,
    ]  # fmt: skip
    _same(values)
    for index in range(len(values)):
        _same(values[index:] + values[:index])


def test_near_miss_windows_at_their_edges():
    values = []
    for letter, (low, _) in PREFILTER._near_windows.items():
        for length in (low - 2, low - 1, low, low + 5):
            for lead in ("", " ", "\t", "'", '"', "' ", "\x1c", "x", "''"):
                values += [lead + letter + "Q" * length, lead + letter.upper() + "Q" * length]
                values.append(lead + letter + "Q" * (length // 2) + " " + "Q" * length)
                values.append(lead + letter + "Q" * (length // 2) + "\x1f" + "Q" * length)
    _same(values)


def test_long_prose_and_empty_values():
    rng = random.Random(5)
    words = ["path", "skip", "pat", "sk", "the", "akia", "ghost", "xoxo", "https://example.org", "C:\\dir", "eyJ"]
    prose = [" ".join(rng.choice(words) for _ in range(rng.randrange(0, 400))) for _ in range(300)]
    _same(prose + [""] * 20 + prose)
    _same([""] * 50)
    _same([])


@pytest.mark.parametrize("seed", range(3))
def test_generated_config_blocks(seed):
    rng = random.Random(seed)
    for text in (
        workloads.dotenv_file(rng, 3000, 7),
        workloads.yaml_file(rng, 3000, 7),
        workloads.toml_file(rng, 3000, 7),
        workloads.crd_schema(rng, 2000),
    ):
        lines = text.split("\n")
        _same(lines)
        _same([line.partition("=")[2] or line.partition(":")[2].strip() for line in lines])


def test_a_non_ascii_block_and_a_multi_line_value_take_the_regexes():
    _same(["ghp_" + "a" * 36, "é", "x"])
    _same(["a\nb", "ghp_"])


def test_not_accelerated_when_switched_off_or_not_installed(monkeypatch):
    monkeypatch.setenv("KEYLINT_NO_ACCELERATOR", "1")
    off = ValueCandidates(PREFILTER)
    off.accelerate()
    assert off._accelerator is None
    monkeypatch.delenv("KEYLINT_NO_ACCELERATOR")
    monkeypatch.setitem(sys.modules, "hyperscan", None)  # import fails
    missing = ValueCandidates(PREFILTER)
    missing.accelerate()
    assert missing._accelerator is None
    assert missing.possible(["ghp_" + "a" * 36, "x"]) == [0]


def test_accelerated_once_enough_text_was_searched(monkeypatch):
    monkeypatch.setattr(candidates, "_ACCELERATE_AFTER", 100)
    lazy = ValueCandidates(PREFILTER)
    lazy.possible(["x" * 50])
    assert lazy._accelerator is None
    lazy.possible(["x" * 60])
    assert lazy._accelerator is not None


def test_a_pattern_hyperscan_cannot_take_leaves_the_regexes():
    assert accelerated.build(["sk_"], [""], []) is None  # an empty literal matches everywhere


def test_the_database_is_kept_between_runs_and_a_damaged_one_compiled_again(monkeypatch):
    table: dict = {}
    monkeypatch.setitem(recache._state, "table", table)
    monkeypatch.setitem(recache._state, "used", set())
    values = ["ghp_" + "a" * 36, "x", "a://b", "PRIVATE KEY"]
    first = ValueCandidates(PREFILTER)
    first.accelerate()
    assert len(table) == 1
    key, (blob, digest) = next(iter(table.items()))
    assert key[0] == "hyperscan-database"
    kept = ValueCandidates(PREFILTER)
    kept.accelerate()
    assert kept.possible(values) == PURE.possible(values) == [0, 2, 3]
    table[key] = (blob[:-8] + b"\x00" * 8, digest)  # damaged: refused, compiled again
    damaged = ValueCandidates(PREFILTER)
    damaged.accelerate()
    assert damaged.possible(values) == [0, 2, 3]
    assert table[key] == (blob, digest)


def _findings(root: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> tuple[list, list]:
    if fast:
        monkeypatch.delenv("KEYLINT_NO_ACCELERATOR", raising=False)
    else:
        monkeypatch.setenv("KEYLINT_NO_ACCELERATOR", "1")
    monkeypatch.setattr(prefilter, "_PREFILTERS", {})  # a fresh ValueCandidates, accelerated from its first block
    monkeypatch.setattr(candidates, "_ACCELERATE_AFTER", 0)
    report = engine.run_scan([str(root)], Settings(jobs=1).with_options(git=False))
    built = [p._derived[candidates.ValueCandidates] for p in prefilter._PREFILTERS.values()
             if candidates.ValueCandidates in p._derived]
    assert built and all((candidate._accelerator is not None) is fast for candidate in built)
    return report.findings, [s.secrets for s in report.files]


@pytest.mark.parametrize("seed", range(2))
def test_whole_scans_find_the_same_with_and_without_the_accelerator(tmp_path, monkeypatch, seed):
    tree = workloads.tree(tmp_path / "tree", 0.3, secret_every=9, seed=seed, crd_share=0.2)
    rng = random.Random(seed)
    (tree / "more.env").write_text(workloads.dotenv_file(rng, 1500, 5))
    (tree / "more.yaml").write_text(workloads.yaml_file(rng, 1500, 5))
    (tree / "more.toml").write_text(workloads.toml_file(rng, 1500, 5))
    plain = _findings(tree, monkeypatch, fast=False)
    fast = _findings(tree, monkeypatch, fast=True)
    assert len(plain[0]) > 100
    assert fast == plain


def test_the_cli_reports_the_same_with_and_without_the_accelerator(tmp_path, monkeypatch, cli, key):
    tree = workloads.tree(tmp_path / "tree", 0.2, secret_every=9, seed=3, crd_share=0.2)
    # Keys under names that ask for nothing: found only because the value search finds their prefixes.
    keys = [key(provider, seed=seed) for seed in range(3) for provider in ("openai", "github", "stripe", "slack")]
    (tree / "neutral.env").write_text("".join(f"SETTING_{i}={k}\n" for i, k in enumerate(keys)))
    (tree / "neutral.yaml").write_text("".join(f"setting_{i}: {k}\n" for i, k in enumerate(keys)))
    monkeypatch.setattr(candidates, "_ACCELERATE_AFTER", 0)
    reports = {}
    for fast in (False, True):
        if fast:
            monkeypatch.delenv("KEYLINT_NO_ACCELERATOR", raising=False)
        else:
            monkeypatch.setenv("KEYLINT_NO_ACCELERATOR", "1")
        monkeypatch.setattr(prefilter, "_PREFILTERS", {})
        run = cli("scan", str(tree), "--jobs", "1", "--no-git", "--exit-zero", "-f", "json")
        assert run.code == 0, run.err
        report = run.json()
        report["summary"].pop("duration_seconds")
        reports[fast] = report
        built = [p._derived[candidates.ValueCandidates] for p in prefilter._PREFILTERS.values()
                 if candidates.ValueCandidates in p._derived]
        assert built and all((candidate._accelerator is not None) is fast for candidate in built)
    neutral = [f for f in reports[True]["findings"] if f["path"].endswith(("neutral.env", "neutral.yaml"))]
    assert len(neutral) >= 2 * len(keys)
    assert reports[True] == reports[False]
