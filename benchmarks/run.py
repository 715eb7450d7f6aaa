"""Benchmarks: generate the workloads, time keylint (and any peer scanners found), print one table.

    python benchmarks/run.py [--quick] [--workdir DIR] [--runs N] [--only NAME ...]

Wall time is the median of whole-process runs (interpreter start included);
peak RSS comes from the kernel's accounting of each finished child (wait4).
Peers are looked up on PATH or in --peer-venvs (created by benchmarks/setup_peers.sh);
they are measurement baselines only, never runtime dependencies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402


@dataclass
class Sample:
    wall: float
    rss_mb: float
    code: int


def run_once(cmd: list[str], cwd: Path) -> Sample:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_maxrss / 1024, proc.returncode)


def measure(cmd: list[str], cwd: Path, runs: int, warmup: int = 1) -> tuple[float, float, int]:
    for _ in range(warmup):
        run_once(cmd, cwd)
    samples = [run_once(cmd, cwd) for _ in range(runs)]
    return statistics.median(s.wall for s in samples), max(s.rss_mb for s in samples), samples[-1].code


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def keylint_cmd() -> list[str]:
    exe = shutil.which("keylint", path=str(Path(sys.executable).parent)) or shutil.which("keylint")
    return [exe] if exe else [sys.executable, "-m", "keylint"]


def peer_commands(target: str, files: list[str] | None, venvs: Path) -> dict[str, list[str]]:
    """Peers we know how to run on a path (or file list); only those installed are returned."""

    def find(name: str, venv: str) -> str | None:
        candidate = venvs / venv / "bin" / name
        return str(candidate) if candidate.exists() else shutil.which(name)

    peers: dict[str, list[str]] = {}
    if exe := find("gitleaks", "gitleaks"):
        peers["gitleaks"] = [exe, "dir", target, "--no-banner", "--exit-code", "0", "--report-path", os.devnull]
    if exe := find("betterleaks", "betterleaks"):
        peers["betterleaks"] = [exe, "dir", target, "--no-banner", "--exit-code", "0", "--report-path", os.devnull]
    if exe := find("kingfisher", "kingfisher"):
        peers["kingfisher"] = [exe, "scan", target, "--no-validate", "--no-update-check"]
    if files is not None:
        if exe := find("detect-secrets-hook", "detect-secrets"):
            peers["detect-secrets-hook"] = [exe, *files]
    elif exe := find("detect-secrets", "detect-secrets"):
        peers["detect-secrets"] = [exe, "scan", "--all-files", target]
    return peers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=HERE / "work")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller trees (10 MB / 5 MB) for a fast check")
    parser.add_argument("--peers", action="store_true", help="also time the peer scanners that are installed")
    parser.add_argument("--peer-venvs", type=Path, default=HERE / "work" / "peers")
    parser.add_argument(
        "--only", nargs="*", default=None, help="workloads: precommit sparse dense large-yaml large-env"
    )
    args = parser.parse_args()

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    scale = 0.1 if args.quick else 1.0
    only = set(args.only or ["precommit", "sparse", "dense", "large-yaml", "large-env"])
    rows: list[tuple[str, str, float, float, float, str]] = []
    kl = keylint_cmd()

    def bench(workload: str, target: Path, cmd_tail: list[str], files: list[str] | None, runs: int) -> None:
        size = (
            tree_size(target)
            if target.is_dir()
            else (sum(Path(f).stat().st_size for f in files) if files else target.stat().st_size)
        )
        wall, rss, _code = measure([*kl, "scan", *cmd_tail, "--exit-zero", "-f", "json", "-o", os.devnull], work, runs)
        rows.append((workload, "keylint", wall, size / wall / 1e6, rss, ""))
        if args.peers:
            for name, cmd in peer_commands(str(target), files, args.peer_venvs).items():
                peer_wall, peer_rss, _ = measure(cmd, work, max(1, runs // 2))
                rows.append(
                    (
                        workload,
                        name,
                        peer_wall,
                        size / peer_wall / 1e6,
                        peer_rss,
                        f"keylint is {peer_wall / wall:.1f}x faster"
                        if peer_wall > wall
                        else f"keylint is {wall / peer_wall:.1f}x slower",
                    )
                )

    if "precommit" in only:
        files = [str(p) for p in workloads.precommit_files(work / "precommit")]
        bench("pre-commit (10 files)", work / "precommit", files, files, max(args.runs, 15))
    if "sparse" in only:
        root = work / "sparse"
        if not root.exists():
            workloads.tree(root, 100 * scale, secret_every=0, crd_share=0.15)
            workloads.tree(root / "with-secrets", 1 * scale, secret_every=400, seed=5)
        bench(f"sparse tree ({tree_size(root) / 1e6:.0f} MB)", root, [str(root)], None, args.runs)
    if "dense" in only:
        root = work / "dense"
        if not root.exists():
            workloads.tree(root, 50 * scale, secret_every=20, seed=4)
        bench(f"dense tree ({tree_size(root) / 1e6:.0f} MB)", root, [str(root)], None, args.runs)
    for kind, name in (("yaml", "large-yaml"), ("dotenv", "large-env")):
        if name in only:
            path = work / "large" / ("big.yaml" if kind == "yaml" else "big.env")
            if not path.exists():
                workloads.large_file(path, 50 * scale, kind)
            bench(
                f"single {path.name} ({path.stat().st_size / 1e6:.0f} MB)",
                path,
                [str(path)],
                None,
                max(1, args.runs // 2),
            )

    print(f"{'workload':<28} {'tool':<20} {'wall s':>8} {'MB/s':>8} {'peak MB':>8}  comparison")
    for workload, tool, wall, mbps, rss, note in rows:
        print(f"{workload:<28} {tool:<20} {wall:>8.3f} {mbps:>8.1f} {rss:>8.0f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
