"""The shortcuts of the work before a scan's files are read (is_template, family): the same answers as plainly
written versions, on generated file names."""

from __future__ import annotations

import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.engine import ENVIRONMENT_WORDS, TEMPLATE_MARKERS, is_template
from keylint.rules.stale import family


def plain_is_template(name: str) -> bool:
    lower = name.rsplit("/", 1)[-1].lower()
    return any(lower.endswith(m) or (m + ".") in lower for m in TEMPLATE_MARKERS) or lower.startswith(
        ("example.", "sample.", "template.")
    )


def plain_family(display: str) -> tuple[str, str]:
    directory, name = os.path.split(display.replace("\\", "/"))
    words = {word for _env, names in ENVIRONMENT_WORDS for word in names}
    return directory, ".".join(p for p in re.split(r"[._-]", name.lower()) if p and p not in words)


# Names built from the words that matter (markers, environments, separators) and a few others.
_PIECES = [
    *TEMPLATE_MARKERS,
    *(m.upper() for m in TEMPLATE_MARKERS),
    ".",
    "-",
    "_",
    "/",
    "\\",
    "\n",
    "example",
    "Sample",
    "template",
    "env",
    "values",
    "prod",
    "Dev",
    "staging",
    "config",
    "yaml",
    "json",
    "x",
    "İ",
    "K",
]
names = st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=8).map("".join)


@settings(max_examples=2000, deadline=None)
@given(names)
def test_is_template_equals_plain_version(name):
    assert is_template(name) == plain_is_template(name)


@settings(max_examples=2000, deadline=None)
@given(names)
def test_family_equals_plain_version(display):
    assert family(display) == family(display) == plain_family(display)
