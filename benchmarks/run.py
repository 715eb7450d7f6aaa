"""Benchmarks: generate the workloads, time keylint and the peer scanners side by side, print one table.

    python benchmarks/run.py [--quick] [--runs N] [--only NAME ...] [--peers] [--markdown]

Workloads (deterministic, benchmarks/workloads.py; written once under --workdir):
  precommit   10 config files of 1-5 KB (.env, YAML, TOML), as one commit touches
  sparse      ~100 MB repository-shaped tree: settings, large generated CRD schemas, few secrets
  dense       ~50 MB tree with a secret or key-like value every ~20 lines
  large-yaml  one 50 MB YAML file        large-env  one 50 MB .env file

Wall time is the median of whole-process runs (interpreter start included); peak RSS comes
from the kernel's accounting of each finished child (wait4). With --peers, every tool found
in --peer-venvs (benchmarks/setup_peers.sh) runs on the same files, alternating with keylint
run by run, and the table gives keylint's ratio to each. keylint runs as an installed
package would: its bytecode compiled, its regex cache warm (one untimed run first).
Peers are measurement baselines only, never runtime dependencies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402


@dataclass
class Sample:
    wall: float
    rss_mb: float
    code: int


@dataclass
class Result:
    tool: str
    walls: list[float] = field(default_factory=list)
    rss: float = 0.0
    codes: set[int] = field(default_factory=set)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    env.pop("KEYLINT_NO_PREFILTER", None)
    env.pop("KEYLINT_REGEX_CACHE", None)
    return env


def run_once(cmd: list[str], cwd: Path) -> Sample:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_maxrss / 1024, proc.returncode)


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def keylint_cmd() -> list[str]:
    exe = shutil.which("keylint", path=str(Path(sys.executable).parent)) or shutil.which("keylint")
    return [exe] if exe else [sys.executable, "-m", "keylint"]


def prepare_keylint() -> None:
    """Compile keylint's bytecode, as `pip install` does (editable installs and PYTHONDONTWRITEBYTECODE skip it)."""
    import keylint

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(keylint.__file__).parent)], check=False, env=child_env()
    )


def peer_commands(target: str, files: list[str] | None, venvs: Path) -> dict[str, list[str]]:
    """Peers we know how to run on a path (or file list), offline and quiet; only those installed are returned."""

    def find(name: str, venv: str) -> str | None:
        candidate = venvs / venv / "bin" / name
        return str(candidate) if candidate.exists() else None

    # A throwaway file, not os.devnull: run as root, a tool that writes its report by replacing the
    # target file would turn /dev/null into a regular file.
    null = os.path.join(tempfile.gettempdir(), "keylint-bench-peer-report.json")
    peers: dict[str, list[str]] = {}
    if exe := find("gitleaks", "gitleaks"):
        peers["gitleaks"] = [exe, "dir", target, "--no-banner", "--exit-code", "0", "-f", "json", "-r", null]
    if exe := find("betterleaks", "betterleaks"):
        peers["betterleaks"] = [exe, target, "--no-banner", "--silent", "--exit-code", "0"]
    if exe := find("kingfisher", "kingfisher"):
        offline = ["--no-validate", "--no-update-check", "--git-history", "none"]
        peers["kingfisher"] = [exe, "scan", target, *offline, "-f", "json", "-o", null]
    if files is not None:
        if exe := find("detect-secrets-hook", "detect-secrets"):
            peers["detect-secrets-hook"] = [exe, *files]
    else:
        if exe := find("detect-secrets", "detect-secrets"):
            peers["detect-secrets"] = [exe, "scan", "--all-files", target]
        if exe := find("credsweeper", "credsweeper"):
            peers["credsweeper"] = [exe, "--path", target, "--jobs", str(os.cpu_count() or 1), "--save-json", null]
    return peers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=HERE / "work")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool and workload (pre-commit: 4x)")
    parser.add_argument("--quick", action="store_true", help="smaller trees (10 MB / 5 MB) for a fast check")
    parser.add_argument("--peers", action="store_true", help="also time the peer scanners that are installed")
    parser.add_argument("--peer-venvs", type=Path, default=HERE / "work" / "peers")
    parser.add_argument("--skip-peer", action="append", default=[], metavar="NAME", help="leave this peer out")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument(
        "--slow-seconds", type=float, default=60.0, help="a tool whose warm-up run takes longer is timed once"
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="workloads: precommit sparse dense large-yaml large-env"
    )
    args = parser.parse_args()

    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    scale = 0.1 if args.quick else 1.0
    only = set(args.only or ["precommit", "sparse", "dense", "large-yaml", "large-env"])
    kl = keylint_cmd()
    prepare_keylint()
    table: list[tuple[str, int, list[Result]]] = []

    def bench(workload: str, target: Path, keylint_args: list[str], files: list[str] | None, runs: int) -> None:
        size = sum(Path(f).stat().st_size for f in files) if files else tree_size(target) if target.is_dir() else (
            target.stat().st_size
        )
        tools = {"keylint": [*kl, "scan", *keylint_args, "--exit-zero", "-f", "json", "-o", os.devnull]}
        if args.peers:
            tools.update(
                (name, cmd)
                for name, cmd in peer_commands(str(target), files, args.peer_venvs).items()
                if name not in args.skip_peer
            )
        results = {name: Result(name) for name in tools}
        slow: set[str] = set()
        for name, cmd in tools.items():  # warm-up: file cache, keylint's regex cache
            sample = run_once(cmd, work)
            if sample.wall > args.slow_seconds:  # minutes per run (detect-secrets on 50 MB): one run is enough
                slow.add(name)
                results[name].walls.append(sample.wall)
                results[name].rss = sample.rss_mb
                results[name].codes.add(sample.code)
        for _ in range(runs):  # pair by pair: every tool once per round, so drift in load hits all alike
            for name, cmd in tools.items():
                if name in slow:
                    continue
                sample = run_once(cmd, work)
                result = results[name]
                result.walls.append(sample.wall)
                result.rss = max(result.rss, sample.rss_mb)
                result.codes.add(sample.code)
        table.append((workload, size, list(results.values())))
        print(f"  {workload}: " + ", ".join(f"{r.tool} {r.wall:.3f}s" for r in results.values()), file=sys.stderr)

    if "precommit" in only:
        files = [str(p) for p in workloads.precommit_files(work / "precommit")]
        bench("pre-commit, 10 files", work / "precommit", files, files, max(args.runs * 4, 15))
    if "sparse" in only:
        root = work / ("sparse-quick" if args.quick else "sparse")
        if not root.exists():
            workloads.tree(root, 100 * scale, secret_every=0, crd_share=0.15)
            workloads.tree(root / "with-secrets", 1 * scale, secret_every=400, seed=5)
        bench("sparse tree", root, [str(root)], None, args.runs)
    if "dense" in only:
        root = work / ("dense-quick" if args.quick else "dense")
        if not root.exists():
            workloads.tree(root, 50 * scale, secret_every=20, seed=4)
        bench("dense tree", root, [str(root)], None, args.runs)
    for kind, name in (("yaml", "large-yaml"), ("dotenv", "large-env")):
        if name in only:
            path = work / ("large-quick" if args.quick else "large") / ("big.yaml" if kind == "yaml" else "big.env")
            if not path.exists():
                workloads.large_file(path, 50 * scale, kind)
            bench(f"one {path.suffix or path.name} file", path, [str(path)], None, max(1, args.runs // 2))

    print_table(table, args.markdown)
    return 0


def print_table(table: list[tuple[str, int, list[Result]]], markdown: bool) -> None:
    header = ("workload", "size", "tool", "wall (median)", "MB/s", "peak RSS", "keylint vs this tool")
    rows = []
    for workload, size, results in table:
        ours = results[0]
        for result in results:
            if result is ours:
                ratio = ""
            elif result.wall >= ours.wall:
                ratio = f"keylint {result.wall / ours.wall:.1f}x faster"
            else:
                ratio = f"keylint {ours.wall / result.wall:.1f}x slower"
            wall = f"{result.wall * 1000:.0f} ms" if result.wall < 1 else f"{result.wall:.2f} s"
            # Exit codes that say "findings" differ by tool (Kingfisher: 200); 126/127 and signals mean it did not run.
            bad = sorted(c for c in result.codes if c in (126, 127) or c < 0)
            failed = f" (exit {','.join(map(str, bad))})" if bad else ""
            size_text = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"
            rows.append(
                (workload, size_text, result.tool + failed, wall, f"{size / result.wall / 1e6:.1f}",
                 f"{result.rss:.0f} MB", ratio)
            )  # fmt: skip
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
