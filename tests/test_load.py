"""Load: 100,000 small files and a directory 200 levels deep, scanned in a child process whose file
descriptors are capped at 64 and whose recursion limit is Python's default; its peak memory is measured."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_key

FILES, PER_DIRECTORY, DEPTH = 100_000, 100, 200
KEY = make_key("github", "personal-access-token", seed=95)


def _cap_descriptors() -> None:  # in the child, before exec: leaking one descriptor per file would fail at once
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


@pytest.mark.slow
def test_a_hundred_thousand_files_and_a_200_level_tree_scan_within_bounds(tmp_path):
    started = time.perf_counter()
    root = tmp_path / "tree"
    for d in range(FILES // PER_DIRECTORY):
        directory = root / f"d{d:04d}"
        directory.mkdir(parents=True)
        for f in range(PER_DIRECTORY):
            (directory / f"f{f:03d}.env").write_text(f"APP_NAME=app{d}\nPORT={f}\n")
    deep = Path(root, "deep", *(f"l{i}" for i in range(DEPTH)))
    deep.mkdir(parents=True)
    (deep / ".env").write_text(f"GITHUB_TOKEN={KEY}\n")
    (root / "d0042" / "f007.env").write_text(f"APP_NAME=x\nGH_TOKEN={KEY}\n")
    made = time.perf_counter() - started

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "keylint", "scan", str(root), "--isolated", "--no-git", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=240,
        preexec_fn=_cap_descriptors,
        env={**os.environ, "KEYLINT_REGEX_CACHE": "0"},
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc.returncode == 0 and "Traceback" not in proc.stderr  # outside git the keys are info, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["summary"]["files"] == FILES + 1 and report["errors"] == [], report["summary"]
    found = {f["path"] for f in report["findings"] if f["rule"] == "KL101"}
    assert len(found) == 2 and any(p.count("/l") == DEPTH for p in found), found
    # The peak of any child so far: only meaningful when this scan is the largest, hence the check on `before`.
    assert peak_mb < 400 or before / 1024 >= 400, peak_mb
    print(f"\n100,001 files, {DEPTH} levels: made in {made:.1f}s, scanned in {seconds:.1f}s, peak RSS {peak_mb:.0f} MB")
