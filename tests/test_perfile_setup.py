"""What the engine works out once and reuses across files equals what it would work out for each file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keylint import engine
from keylint.config import Settings
from keylint.rules import all_rules

CODES = sorted(all_rules())
_PATTERNS = st.sampled_from(
    ["*.env", ".env*", "config/", "**/secrets.yaml", "deploy/*", "*.json", "team?/*", "values-prod.yaml", "x"]
)
_CODE_SETS = st.frozensets(st.sampled_from([*CODES[:12], "KL101", "KL612", "ALL"]), max_size=4)
_PATHS = st.builds(
    "/".join,
    st.lists(
        st.sampled_from(["config", "deploy", "team1", ".env", ".env.prod", "secrets.yaml", "app.json", "values.yaml"]),
        min_size=1,
        max_size=4,
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    ignore=_CODE_SETS,
    per_file=st.lists(st.tuples(_PATTERNS, _CODE_SETS), max_size=3).map(tuple),
    paths=st.lists(_PATHS, min_size=1, max_size=6),
)
def test_the_rules_of_a_file_are_those_its_settings_enable(ignore, per_file, paths):
    chosen = Settings(ignore=ignore, per_file_ignores=per_file)
    for display in paths:
        expected = [r for r in all_rules().values() if chosen.enabled(r.code, display)]
        assert engine.enabled_rules(chosen, display) == expected
        assert engine.enabled_rules(Settings(), display) == list(all_rules().values())


def test_settings_holding_sets_are_answered_without_being_remembered():
    loose = Settings(ignore={"KL101"}, per_file_ignores=[("*.env", {"KL102"})])  # type: ignore[arg-type]
    rules = engine.enabled_rules(loose, "app/.env")
    assert [r.code for r in rules] == [c for c in CODES if c not in {"KL101", "KL102"}]


_NAME_PARTS = st.sampled_from(
    [".env", "env", ".example", "example.", "prod", "PROD", "dev", "values", "-", "_", ".", "/", "\\", "qa", "x"]
)


@settings(max_examples=500, deadline=None)
@given(display=st.lists(_NAME_PARTS, max_size=8).map("".join))
def test_the_name_facts_of_a_file_are_those_of_its_display_path(display):
    assert engine._name_facts(display) == (engine.is_template(display), engine.environment_of(display))
    assert engine._name_facts(display) == (engine.is_template(display), engine.environment_of(display))  # remembered


class _Git:
    def __init__(self, state: str) -> None:
        self.state = state


@settings(max_examples=100, deadline=None)
@given(
    ignore=_CODE_SETS,
    display=_PATHS,
    fmt=st.sampled_from(["dotenv", "yaml", "json", "toml", "lines"]),
    template=st.booleans(),
    git=st.sampled_from([None, "tracked", "ignored", "untracked", "staged"]),
    enabled=st.booleans(),
)
def test_a_rule_group_starts_the_rules_a_file_of_its_own_would(ignore, display, fmt, template, git, enabled):
    from keylint.model import Entry, Match
    from keylint.rules import EntryGates, file_facts

    chosen = Settings(ignore=ignore)
    state = _Git(git) if git is not None else None
    group = engine._rule_group(chosen, display)
    expected = [r for r in all_rules().values() if chosen.enabled(r.code, display)]
    assert group.rules == expected
    assert group.file_rules == [r for r in expected if r.scope == "file"]
    examples = {"AKIAIOSFODNN7EXAMPLE": None}
    shared = group.gates(fmt, template, state, examples, enabled)
    assert engine._rule_group(chosen, display).gates(fmt, template, state, examples, enabled) is shared
    own = EntryGates(expected, file_facts(fmt, template, state), examples, enabled=enabled)
    match = Match("aws", "access-key-id", 0, 20, "AKIAIOSFODNN7EXAMPLE", True)
    for value, matches in (("x", []), ("", []), ("AKIAIOSFODNN7EXAMPLE", [match]), ("eyJhbGc ://a", [])):
        entry = Entry("KEY", value, value, 1, 1)
        assert shared.rules_for(entry, matches) == own.rules_for(entry, matches)
