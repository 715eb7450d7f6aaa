"""``keylint scan [PATH ...]``: find, lint (and optionally verify) keys, report, set the exit code."""

from __future__ import annotations

import argparse
import os
import sys

from keylint import TYPE_CHECKING, __version__, suppress
from keylint.config import ConfigError, Settings, load_settings, parse_fail_on, parse_size
from keylint.model import Severity
from keylint.records import replace

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO

    from keylint.progress import ProgressBar
    from keylint.report import ReportOptions

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Notices of files that were not (fully) scanned; "skipped" files are skipped by policy (binary, not a file).
UNSCANNED_KINDS = ("error", "limit")

# Stages that run on the finished report before it is rendered (verification, baseline ...):
# "module:function" names, imported only when a scan runs; each takes (report, args)
# and changes the report in place. A stage may add and drop findings; one that changes a finding
# must be left out of the early start on the report in run() (as verification is).
POST_STAGES: list[str] = [
    # Verification stages belong before the two below, which read their results.
    "keylint.verify:run_stage",  # --verify (keylint.verify.stage): KL7xx, Finding.extra["verification"]
    "keylint.rules.stale:rotation_age_stage",  # KL605 (--max-age, git blame)
    "keylint.rules.stale:stale_copy_stage",  # KL614, reads Finding.extra["verification"]
    "keylint.rules:supersede_stage",  # one finding per key: after the stages above read every KL101
    "keylint.baseline:apply_stage",  # keep last: it filters what every stage produced
]


def add_common_output_options(parser: argparse.ArgumentParser) -> None:
    from keylint.report import FORMATS

    out = parser.add_argument_group("output")
    out.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    out.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    out.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour text output (default: auto)"
    )
    out.add_argument("--show-secrets", action="store_true", help="print secrets in full (they are masked by default)")
    out.add_argument("--verbose", "-v", action="store_true", help="more detail in the text report")
    out.add_argument("--quiet", "-q", action="store_true", help="text report: only errors and the summary")
    out.add_argument("--debug", action="store_true", help="show a traceback on internal errors")


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    sel = parser.add_argument_group("selection")
    sel.add_argument("--config", metavar="FILE", help="read settings from FILE instead of searching upward")
    sel.add_argument("--isolated", action="store_true", help="ignore all config files")
    sel.add_argument("--include", action="append", default=[], metavar="GLOB", help="also scan files named GLOB")
    sel.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB")
    sel.add_argument("--ignore", action="append", default=[], metavar="CODES", help="disable rules (comma list)")
    sel.add_argument("--max-file-size", metavar="SIZE", help="skip files larger than SIZE (default 64MB)")
    sel.add_argument(
        "--parse-timeout", metavar="SECONDS", help="stop analysing a file after SECONDS (default 60; 0: no limit)"
    )
    sel.add_argument("--max-depth", metavar="N", help="deepest nesting read in YAML, JSON, TOML (default 1000)")
    sel.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links while walking")
    sel.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="worker processes for large scans")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scan",
        help="scan config files for API keys and key problems",
        description="Scan config files (.env*, YAML, TOML, JSON, INI, .properties) for API keys and their problems.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    gate = parser.add_argument_group("exit status")
    gate.add_argument(
        "--fail-on",
        metavar="LEVEL",
        help="exit 1 when a finding is at or above LEVEL: error (default), warning, info, never",
    )
    gate.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    gate.add_argument(
        "--fix", action="store_true", help="apply the safe fixes first (as `keylint fix`), then report what is left"
    )
    add_selection_options(parser)
    add_git_options(parser)
    from keylint.verify.options import add_options as add_verify_options

    add_verify_options(parser)
    add_common_output_options(parser)


def add_git_options(parser: argparse.ArgumentParser, baseline: bool = True) -> None:
    git = parser.add_argument_group("git, leaks and stale keys")
    git.add_argument(
        "--staged",
        action="store_true",
        help="scan the staged (index) content of staged config files, not the working tree (for git hooks)",
    )
    git.add_argument(
        "--no-git", action="store_true", help="do not ask git which files are tracked, staged or ignored"
    )
    if baseline:
        git.add_argument(
            "--baseline",
            metavar="FILE",
            help="report only findings not recorded in FILE (default: .keylint-baseline.json at the repository "
            "or config root, when it exists)",
        )
        git.add_argument("--no-baseline", action="store_true", help="ignore any baseline file")
    git.add_argument(
        "--expiry-warning", metavar="DAYS", help="warn about tokens that expire within DAYS days (default 14)"
    )
    git.add_argument(
        "--max-age",
        metavar="DURATION",
        help="flag keys whose line was last changed longer ago than DURATION (e.g. 90d, 6mo), via git blame",
    )


def _checked(parse: Callable[[Any, str], Any], value: Any, option: str) -> Any:
    return None if value is None else parse(value, option)


def settings_from_args(args: argparse.Namespace) -> Settings:
    from keylint import limits

    paths = getattr(args, "paths", None) or ["."]
    settings = load_settings(paths[0], args.config, args.isolated)
    changes: dict[str, object] = {}
    if args.include:
        changes["include"] = settings.include + tuple(args.include)
    if args.exclude:
        changes["exclude"] = settings.exclude + tuple(args.exclude)
    if args.ignore:
        from keylint.config import _codes

        codes = [c for group in args.ignore for c in group.split(",") if c.strip()]
        changes["ignore"] = settings.ignore | _codes(codes, "--ignore")
    if args.max_file_size:
        changes["max_file_size"] = parse_size(args.max_file_size)
    if args.follow_symlinks:
        changes["follow_symlinks"] = True
    if args.jobs is not None:
        if args.jobs < 1:
            raise ConfigError("--jobs must be at least 1")
        changes["jobs"] = args.jobs
    if getattr(args, "fail_on", None):
        changes["fail_on"] = parse_fail_on(args.fail_on)
    if args.show_secrets:
        changes["show_secrets"] = True
    options = {
        name: value
        for name, value in (
            ("git", False if getattr(args, "no_git", False) else None),
            ("expiry-warning", getattr(args, "expiry_warning", None)),
            ("max-age", getattr(args, "max_age", None)),
            ("parse-timeout", _checked(limits.parse_timeout, getattr(args, "parse_timeout", None), "--parse-timeout")),
            ("max-depth", _checked(limits.parse_max_depth, getattr(args, "max_depth", None), "--max-depth")),
            ("debug", True if getattr(args, "debug", False) else None),
            # Masked source lines of findings: only the HTML report shows them (memory and time otherwise).
            ("context", False if getattr(args, "format", "html") != "html" else None),
        )
        if value is not None
    }
    if options:
        changes["options"] = {**settings.options, **options}
    settings = replace(settings, **changes) if changes else settings
    from keylint.rules.stale import validate_options
    from keylint.verify.options import apply_args as apply_verify_args

    validate_options(settings)
    limits.from_settings(settings)  # a bad parse-timeout or max-depth in the config file: exit 2 now
    return apply_verify_args(settings, args)


def use_color(choice: str, stream: object) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def write_report(write: Callable[[TextIO], None], output: str | None) -> None:
    """Call ``write`` with the report's destination: standard output, or the file ``output``."""
    if output is None:
        try:
            write(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped early (`keylint scan . | head`): the rest goes nowhere
            stop_writing_stdout()
        return
    from keylint.report import Utf8Writer

    # The report is streamed: into a file beside a regular-file destination, renamed over it once whole, so a
    # failure half-way never leaves a truncated report for CI to read. Devices and pipes (/dev/null,
    # /dev/stdout, a FIFO) are written directly, never replaced.
    atomic = not os.path.exists(output) or os.path.isfile(output)
    partial = f"{output}.{os.getpid()}.keylint-partial" if atomic else output
    try:
        try:
            with Utf8Writer(open(partial, "wb")) as handle:
                write(handle)
            if atomic:
                os.replace(partial, output)
        finally:
            if atomic and os.path.exists(partial):
                os.unlink(partial)
    except OSError as error:
        raise ConfigError(f"cannot write {output}: {error.strerror or error}") from None


def stop_writing_stdout() -> None:
    """Send the rest of standard output to /dev/null: its reader is gone, and the interpreter's flush at exit
    would otherwise fail again and print a warning."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def exit_code(report: object, settings: Settings, exit_zero: bool) -> int:
    if exit_zero or settings.fail_on is None:
        return EXIT_CLEAN
    worst = report.max_severity()  # type: ignore[attr-defined]
    if worst is not None and worst >= settings.fail_on:
        return EXIT_FINDINGS
    # A file that could not be scanned (unreadable, over a limit, a crash) may hold anything: never a pass.
    if any(n.kind in UNSCANNED_KINDS for n in report.notices):  # type: ignore[attr-defined]
        return EXIT_FINDINGS
    return EXIT_CLEAN


def run_post_stages(report: object, args: argparse.Namespace) -> None:
    from importlib import import_module

    for spec in POST_STAGES:
        module, function = spec.split(":")
        getattr(import_module(module), function)(report, args)


def report_options(args: argparse.Namespace, settings: Settings) -> ReportOptions:
    from keylint.report import ReportOptions

    return ReportOptions(
        show_secrets=settings.show_secrets,
        color=args.format == "text" and args.output is None and use_color(args.color, sys.stdout),
        verbose=args.verbose,
        tool_version=__version__,
        command=args.command or "scan",
    )


def emit(report: object, args: argparse.Namespace, settings: Settings, options: ReportOptions | None = None) -> int:
    """Write the report; ``options``: as :func:`report_options` makes them, with what was prepared of it."""
    from keylint.report import write
    if args.quiet and args.format == "text":
        report.findings = [f for f in report.findings if f.severity >= Severity.ERROR]  # type: ignore[attr-defined]
    if options is None:
        options = report_options(args, settings)
    # Written as it is made: a large scan's report never exists as one string.
    write_report(lambda out: write(args.format, report, options, out), args.output)  # type: ignore[arg-type]
    return exit_code(report, settings, getattr(args, "exit_zero", False))


def start_progress(args: argparse.Namespace) -> ProgressBar | None:
    """A progress bar on stderr when a person is watching (see keylint.progress.wanted)."""
    from keylint import progress

    return progress.ProgressBar(sys.stderr) if progress.wanted(args.format, sys.stderr) else None


def run(args: argparse.Namespace) -> int:
    from keylint.engine import run_scan
    from keylint.report import prepare

    settings = settings_from_args(args)
    if getattr(args, "fix", False):
        from keylint.commands.fix import apply_fixes

        if getattr(args, "staged", False):
            raise ConfigError("--fix cannot be combined with --staged (it edits the working tree, not the index)")
        apply_fixes(args.paths or ["."], settings, log=None if args.quiet else sys.stderr, errors=sys.stderr)
    targets = None
    if getattr(args, "staged", False):
        from keylint.gitinfo import staged_targets

        targets = staged_targets(args.paths, settings)
    options = report_options(args, settings)
    # The report's findings laid out as the worker processes return them (see keylint.report.prepare); not when
    # a post stage changes findings after the scan (verification adds its result to them).
    prepared = None if settings.options.get("verify") else prepare(args.format, options)
    progress = start_progress(args)
    try:
        report = run_scan(
            args.paths or ["."],
            settings,
            targets=targets,
            progress=progress,
            returned=prepared.add if prepared is not None else None,
        )
    finally:
        if progress is not None:
            progress.close()
    run_post_stages(report, args)
    suppress.apply_late(report)
    _last_report[:] = [report]
    return emit(report, args, settings, replace(options, prepared=prepared))


# The last scan's report, kept past run(): the program ends without freeing it (keylint.cli._end_program), as
# releasing a large report's findings one by one would take longer than the rest of its tail.
_last_report: list[object] = []
