"""Properties of the checksum rule, end to end (parse -> detect -> rules), over every checksummed format:

* a valid key generated from the format passes: no format finding at all;
* every single-character substitution inside it (a different character of the same alphabet, at any
  position the template leaves free) fails the checksum: KL201 reports it and KL101 no longer does.

The checksum functions themselves are tested in test_checksums.py; this is about the rule.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from lintcorpus import CHECKSUMMED, dotenv_line, lint, slots, variable_for

UNCHECKED_TAIL = {"github-pat-sha256": 8}


@st.composite
def substituted_keys(draw):
    provider, fmt = draw(st.sampled_from(CHECKSUMMED))
    token = fmt.generate(random.Random(draw(st.integers(0, 2**32 - 1))))
    # A fine-grained PAT's checksum covers all but its last 8 characters (see keylint.checksums).
    covered = len(token) - UNCHECKED_TAIL.get(fmt.checksum, 0)
    offset, alphabet = draw(st.sampled_from([s for s in slots(fmt, token) if s[0] < covered]))
    replacement = draw(st.sampled_from(sorted(set(alphabet) - {token[offset]})))
    return provider, fmt, token, token[:offset] + replacement + token[offset + 1 :]


@settings(max_examples=250, deadline=None)
@given(substituted_keys())
def test_valid_key_passes_and_every_substitution_fails_the_checksum(case):
    provider, fmt, token, damaged = case
    name = variable_for(provider, fmt, token)
    assert name is not None, f"{provider.id}: no variable recognises {fmt.template}"

    findings = lint(".env", dotenv_line(name, token) + "\n")
    assert not [f for f in findings if f.category == "format"], [f.message for f in findings]
    assert [f.rule for f in findings if f.provider == provider.id][:1] == ["KL101"]

    findings = lint(".env", dotenv_line(name, damaged) + "\n")
    rules = {f.rule for f in findings}
    assert "KL201" in rules, (fmt.template, [f.message for f in findings])
    assert "KL101" not in rules
    (checksum,) = [f for f in findings if f.rule == "KL201"]
    assert checksum.provider == provider.id and checksum.secret == damaged
