"""History benchmark: a generated repository of 5,000 commits, then `keylint history` timed.

    python benchmarks/history_bench.py [--commits N] [--workdir DIR] [--runs N] [--keep]

The repository is written in one `git fast-import` stream (seconds, not minutes):
commits touch 1-3 of ~40 config files (.env*, YAML, JSON, TOML in several
services) and some source files; every 8th commit adds a format-valid provider key
(generated now, never stored in this repository), some commits delete keys again,
files are renamed now and then, and a side branch is merged every 250 commits.
Target: `keylint history` over 5,000 commits in at most 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402

SERVICES = ["api", "web", "worker", "billing", "auth", "search", "mailer", "gateway"]
CONFIG_NAMES = [".env", ".env.production", "config.yaml", "settings.json", "app.toml"]


def _line(rng: random.Random, name: str, key: str, value: str) -> str:
    if name.endswith(".yaml"):
        return f"{key.lower()}: {value}"
    if name.endswith(".json"):
        return f'  "{key.lower()}": "{value}",'
    if name.endswith(".toml"):
        return f'{key.lower()} = "{value}"'
    return f"{key}={value}"


def _render(name: str, lines: list[str]) -> bytes:
    if name.endswith(".json"):
        body = "\n".join(lines).rstrip(",")
        return ("{\n" + body + '\n  "end": true\n}\n').encode()
    return ("\n".join(lines) + "\n").encode()


def generate(path: Path, commits: int, seed: int = 11) -> int:
    """Create the repository; returns the number of distinct keys added."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    files: dict[str, list[str]] = {}
    for service in SERVICES:
        for name in CONFIG_NAMES:
            files[f"services/{service}/{name}"] = [
                _line(rng, name, f"{workloads._word(rng).upper()}_{i}", workloads._word(rng)) for i in range(30)
            ]
    sources = [f"src/module_{i}.py" for i in range(30)]
    keys_added = 0
    start = 1_500_000_000
    out = bytearray()

    def data(blob: bytes) -> None:
        out.extend(b"data %d\n" % len(blob))
        out.extend(blob)
        out.extend(b"\n")

    main_head: int | None = None
    side_head: int | None = None
    side_touched: set[str] = set()
    for number in range(commits):
        on_side = number % 250 in range(200, 240)  # a feature branch for 40 commits...
        merge = number % 250 == 240 and side_head is not None  # ...merged back
        changes: list[tuple[str, bytes | None]] = []
        for _ in range(rng.randint(1, 3)):
            target = rng.choice(list(files))
            lines = files[target]
            name = target.rsplit("/", 1)[-1]
            if number % 8 == 0:
                variable, value = workloads._provider_key(rng)
                lines.insert(rng.randrange(len(lines) + 1), _line(rng, name, variable, value))
                keys_added += 1
            elif number % 23 == 0 and len(lines) > 5:
                del lines[rng.randrange(len(lines))]
            else:
                index = rng.randrange(len(lines))
                lines[index] = _line(rng, name, f"{workloads._word(rng).upper()}_{number}", workloads._word(rng))
            changes.append((target, _render(name, lines)))
        if number % 500 == 499:  # a rename now and then
            old = rng.choice([f for f in files if f.endswith(".yaml")])
            new = old.replace(".yaml", f"-{number}.yaml")
            files[new] = files.pop(old)
            changes.append((old, None))
            changes.append((new, _render(new, files[new])))
        if merge:  # the merge brings the side branch's versions of the files it changed
            changes.extend((f, _render(f, files[f])) for f in sorted(side_touched) if f in files)
            side_touched.clear()
        elif on_side:
            side_touched.update(t for t, c in changes if c is not None)
        source = rng.choice(sources)
        changes.append((source, f"# revision {number}\nVALUE = {rng.random()!r}\n".encode()))
        mark = number + 1  # fast-import marks start at 1
        ref = "refs/heads/side" if on_side else "refs/heads/main"
        out.extend(f"commit {ref}\nmark :{mark}\n".encode())
        when = start + number * 3600
        out.extend(f"author Bench <bench@example.com> {when} +0000\n".encode())
        out.extend(f"committer Bench <bench@example.com> {when} +0000\n".encode())
        data(f"change {number}".encode())
        parent = side_head if on_side and side_head is not None else main_head
        if parent is not None:
            out.extend(f"from :{parent}\n".encode())
        if merge:
            out.extend(f"merge :{side_head}\n".encode())
        for target, content in changes:
            if content is None:
                out.extend(f"D {target}\n".encode())
            else:
                out.extend(f"M 100644 inline {target}\n".encode())
                data(content)
        out.extend(b"\n")
        if on_side:
            side_head = mark
        else:
            main_head = mark
            if merge:
                side_head = None
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=bytes(out), check=True)
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True)
    return keys_added


def keylint_cmd() -> list[str]:
    exe = shutil.which("keylint", path=str(Path(sys.executable).parent)) or shutil.which("keylint")
    return [exe] if exe else [sys.executable, "-m", "keylint"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, default=None, help="where to build the repository (default: temp)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args()

    base = args.workdir or Path(tempfile.mkdtemp(prefix="keylint-history-bench-"))
    repo = base / f"repo-{args.commits}"
    started = time.perf_counter()
    if repo.exists():
        shutil.rmtree(repo)
    added = generate(repo, args.commits)
    built = time.perf_counter() - started
    count = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True, text=True)
    print(f"generated {count.stdout.strip()} commits ({added} key insertions) in {built:.1f}s at {repo}")

    walls = []
    findings = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [*keylint_cmd(), "history", "--format", "json", "--exit-zero"], cwd=repo, capture_output=True, text=True
        )
        walls.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        report = json.loads(proc.stdout)
        findings = len(report["findings"])
    median = statistics.median(walls)
    print(
        f"keylint history: {findings} distinct secrets, median {median:.2f}s over {args.runs} runs "
        f"(min {min(walls):.2f}s, max {max(walls):.2f}s); target <= 30s: {'OK' if median <= 30 else 'MISSED'}"
    )
    if not args.keep and args.workdir is None:
        shutil.rmtree(base)
    return 0 if median <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
