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
