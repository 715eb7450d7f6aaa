"""The work before a scan's files are read: its shortcuts (is_template, family) give the same answers as plainly
written versions on generated file names, and what the workers share is built while git answers."""

from __future__ import annotations

import os
import re

import pytest
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


@pytest.mark.parametrize("threshold", [0, 1 << 40])
def test_what_the_workers_share_is_built_while_git_answers(tmp_path, monkeypatch, threshold):
    # A scan that will go parallel builds the workers' shared state (the Hyperscan database too) in annotate's
    # wait for git; one that stays serial builds only what it needs.
    from gitutil import Repo
    from keylint import engine, gitinfo
    from keylint.config import Settings

    repo = Repo(tmp_path / "repo")
    for name in ("a.yaml", "b/.env"):
        repo.write(name, "A: 1\n")
    built: list[str] = []
    real_annotate = gitinfo.annotate
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD_BYTES", threshold)
    monkeypatch.setattr(engine, "_build_once", lambda settings: built.append("once"))
    monkeypatch.setattr(engine, "_build_for_workers", lambda settings: built.append("workers"))

    def annotate(items, meanwhile):
        yield from real_annotate(items, meanwhile=lambda: (built.append("git running"), meanwhile()))

    monkeypatch.setattr(gitinfo, "annotate", annotate)
    report = engine.run_scan([str(repo.path)], Settings(jobs=2))
    assert report.files_scanned == 2
    expected = ["git running", "workers", "workers"] if threshold == 0 else ["git running", "once"]
    assert built == expected
