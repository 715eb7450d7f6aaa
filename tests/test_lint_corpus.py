"""Quality bars of the lint catalogue, measured on a corpus generated at test time (tests/lintcorpus.py).

* Valid keys of every registered format, written the way each file format expects, draw no
  format, hygiene or placeholder finding (0 false positives), in .env, YAML, JSON and TOML.
* Each rule detects at least 95% of at least 30 damaged examples of its kind.
"""

from __future__ import annotations

import pytest

from lintcorpus import DAMAGE, FORMATS, LINT_CATEGORIES, Example, lint, valid_files, valid_keys

MIN_EXAMPLES = 30
MIN_DETECTION = 0.95


def test_every_registered_format_takes_part():
    placed = {(p.id, f.template) for p, f, _, _ in valid_keys(0)}
    missing = [f"{p.id}:{f.template}" for p, f in FORMATS if (p.id, f.template) not in placed]
    assert not missing, f"no variable recognises a valid key of: {missing}"


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("file_name", [".env", "config.yaml", "config.json", "config.toml"])
def test_valid_keys_draw_no_lint_finding(seed, file_name):
    text = valid_files(seed)[file_name]
    findings = lint(file_name, text)
    lint_findings = [f for f in findings if f.category in LINT_CATEGORIES]
    assert not lint_findings, "\n".join(f"{f.rule} {f.key}: {f.message}" for f in lint_findings[:20])
    # ... and every key is found, valid (KL101) or as a documented example (KL105).
    found = [f for f in findings if f.rule in ("KL101", "KL105")]
    publishable = sum(1 for _, fmt, _, _ in valid_keys(seed) if not fmt.secret)
    assert len(found) + publishable >= len(list(valid_keys(seed)))


def _detects(example: Example) -> bool:
    return any(f.rule == example.rule for f in lint(example.name, example.text))


@pytest.mark.parametrize("code", sorted(DAMAGE))
def test_each_rule_detects_at_least_95_percent_of_its_damage(code):
    examples = list(DAMAGE[code]())
    assert len(examples) >= MIN_EXAMPLES, f"{code}: only {len(examples)} examples"
    missed = [e for e in examples if not _detects(e)]
    rate = 1 - len(missed) / len(examples)
    assert rate >= MIN_DETECTION, f"{code}: {rate:.0%} detected; missed: " + "; ".join(e.label for e in missed[:10])


def test_damaged_examples_are_not_reported_as_valid_keys():
    """A damaged key never passes as a valid one (KL101) on the line of its damage, for the format rules."""
    for code in ("KL201", "KL202", "KL203", "KL204", "KL206"):
        for example in DAMAGE[code]():
            findings = lint(example.name, example.text)
            assert not any(f.rule == "KL101" for f in findings), (code, example.label)


def test_placeholders_in_templates_are_not_reported():
    for example in DAMAGE["KL401"]():
        template = {".env": ".env.example", ".env.production": ".env.production.sample"}.get(
            example.name, "config.example.yaml"
        )
        assert not [f for f in lint(template, example.text) if f.category == "placeholder"], example.label
