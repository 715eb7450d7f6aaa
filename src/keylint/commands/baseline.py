"""``keylint baseline [PATH ...]``: record the current findings so that later scans report only new ones."""

from __future__ import annotations

import argparse
import os
import sys

from keylint.config import ConfigError


def add_parser(sub: argparse._SubParsersAction) -> None:
    from keylint.commands.scan import add_git_options, add_selection_options

    parser = sub.add_parser(
        "baseline",
        help="record the current findings in .keylint-baseline.json; scans then report only new ones",
        description="Scan like `keylint scan` and record every finding by fingerprint (no secrets) in a baseline "
        "file. `keylint scan` picks up .keylint-baseline.json at the repository or config root by itself.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="baseline file (default: .keylint-baseline.json at the repository root, else here)",
    )
    parser.add_argument(
        "--update", action="store_true", help="only drop entries that are fixed; never add new findings"
    )
    add_selection_options(parser)
    add_git_options(parser, baseline=False)


def run(args: argparse.Namespace) -> int:
    from keylint import __version__, baseline
    from keylint.cli import build_parser
    from keylint.commands.scan import run_post_stages, settings_from_args
    from keylint.discover import display_path
    from keylint.engine import run_scan
    from keylint.gitinfo import staged_targets

    # Every scan option at its default, so the post stages see the namespace a scan would give them.
    scan_args = build_parser().parse_args(["scan"])
    for name, value in vars(args).items():
        setattr(scan_args, name, value)
    scan_args.output, scan_args.no_baseline, scan_args.show_secrets = None, True, False
    settings = settings_from_args(scan_args)
    target_file = args.output or baseline.default_location(args.paths, settings)
    targets = staged_targets(args.paths, settings) if args.staged else None
    report = run_scan(args.paths or ["."], settings, targets=targets)
    run_post_stages(report, scan_args)
    for notice in report.errors:  # a baseline of a partial scan would hide what could not be read
        print(f"keylint: {notice.kind}: {notice.message}", file=sys.stderr)
    current = baseline.entries_for(report.findings, target_file)
    shown = display_path(target_file)
    if args.update:
        if not os.path.isfile(target_file):
            raise ConfigError(f"--update needs an existing baseline, and {target_file} does not exist")
        still = {e["id"] for e in current}
        old = baseline.load(target_file).entries
        entries = [e for e in old if e["id"] in still]
        baseline.write(target_file, entries, __version__)
        print(f"{shown}: kept {len(entries)} of {len(old)} entries ({len(old) - len(entries)} fixed)")
    else:
        baseline.write(target_file, current, __version__)
        print(f"{shown}: recorded {len(current)} finding{'s' if len(current) != 1 else ''}")
    return 0
