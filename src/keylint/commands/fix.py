"""``keylint fix [PATH ...]``: apply the safe fixes in place (``--diff``: show them, write nothing).

Safe means unambiguous: whitespace and invisible characters stripped from keys, smart
quotes replaced, `.env` values with `` #`` or ``$`` single-quoted, YAML scalars that a
loader would coerce quoted, a duplicated paste removed. Checksum and length errors are
never "fixed": the missing or wrong characters cannot be guessed.

Exit codes follow pre-commit's fixers: 0 nothing to fix, 1 files were changed (or, with
``--diff``, would be), 2 a usage error or a file that could not be fixed safely.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterable

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TextIO

EXIT_CLEAN, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2

# The line-by-line fallback guesses at structure; it is good enough to find keys, not to edit them.
_UNFIXABLE_FORMATS = frozenset({"lines"})


def add_parser(sub: argparse._SubParsersAction) -> None:
    from keylint.commands.scan import add_selection_options

    parser = sub.add_parser(
        "fix",
        help="apply safe fixes to keys and config pitfalls (whitespace, invisible characters, smart quotes, quoting)",
        description="Apply the fixes that are safe and unambiguous, preserving every other byte of each file. "
        "Checksum and length errors are never fixed: copy the key again.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--diff", action="store_true", help="show what would change as a unified diff; write nothing")
    add_selection_options(parser)
    out = parser.add_argument_group("output")
    out.add_argument("--show-secrets", action="store_true", help="show secrets in full in --diff (masked by default)")
    out.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    out.add_argument("--debug", action="store_true", help="show a traceback on internal errors")


def run(args: argparse.Namespace) -> int:
    from keylint.commands.scan import settings_from_args

    settings = settings_from_args(args)
    summary = apply_fixes(
        args.paths or ["."],
        settings,
        write=not args.diff,
        diff_stream=sys.stdout if args.diff else None,
        log=None if args.quiet else (sys.stderr if args.diff else sys.stdout),
        errors=sys.stderr,
        show_secrets=args.show_secrets,
    )
    if summary.errors:
        return EXIT_ERROR
    return EXIT_CHANGED if summary.files_changed else EXIT_CLEAN


class Summary:
    def __init__(self) -> None:
        self.files_changed = 0
        self.fixes = 0
        self.errors = 0


def apply_fixes(
    paths: list[str],
    settings: object,
    *,
    write: bool = True,
    diff_stream: TextIO | None = None,
    log: TextIO | None = None,
    errors: TextIO = sys.stderr,
    show_secrets: bool = False,
) -> Summary:
    """Fix every config file under ``paths``; used by ``keylint fix`` and ``keylint scan --fix``."""
    from keylint.discover import discover
    from keylint.fix import fix_file, unified_diff
    from keylint.model import Notice
    from keylint.redact import escape

    summary = Summary()
    for target in discover(paths, settings):  # type: ignore[arg-type]
        if isinstance(target, Notice):
            if target.kind != "skipped":
                print(f"keylint: {escape(target.message)}", file=errors)
            continue
        if target.fmt in _UNFIXABLE_FORMATS:
            continue
        data = _read(target.path, settings, errors, target.display)
        if data is None:
            summary.errors += 1
            continue
        result = fix_file(target.path, target.display, target.fmt, data, settings)  # type: ignore[arg-type]
        if result.error:
            print(f"keylint: {escape(result.error)}", file=errors)
            summary.errors += 1
            continue
        if not result.changed:
            continue
        summary.files_changed += 1
        summary.fixes += len(result.fixed)
        if diff_stream is not None:
            diff_stream.write(unified_diff(result, show_secrets=show_secrets))
        if write and not _write(target.path, result.after, errors, target.display):
            summary.errors += 1
            continue
        if log is not None:
            _log_fixes(log, target.display, result.fixed, applied=write)
    if log is not None:
        _log_summary(log, summary, applied=write)
    return summary


def _read(path: str, settings: object, errors: TextIO, display: str) -> bytes | None:
    from keylint.read import ReadError, read_regular

    limit = getattr(settings, "max_file_size", None)
    try:
        data = read_regular(path, display, sys.maxsize if limit is None else limit)
    except ReadError:
        data = None
    except OSError as error:
        print(f"keylint: {display}: cannot read ({error.strerror or error}); not fixed", file=errors)
        return None
    if data is None or (limit is not None and len(data) > limit):
        print(f"keylint: {display}: over the size limit; not fixed", file=errors)
        return None
    return data


def _write(path: str, data: bytes, errors: TextIO, display: str) -> bool:
    """Replace the file's content atomically, keeping its permissions (and a symlink pointing at it)."""
    real = os.path.realpath(path)
    temporary = f"{real}.keylint-fix.{os.getpid()}"
    try:
        mode = os.stat(real).st_mode & 0o7777
        with open(temporary, "xb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        print(f"keylint: {display}: cannot write ({error.strerror or error}); not fixed", file=errors)
        return False
    return True


def _log_fixes(log: TextIO, display: str, fixed: Iterable[tuple[str, int, str]], *, applied: bool) -> None:
    from keylint.redact import escape
    from keylint.rules import all_rules

    rules = all_rules()
    verb = "fixed" if applied else "would fix"
    for code, line, _message in sorted(set(fixed), key=lambda item: (item[1], item[0])):
        name = rules[code].name if code in rules else ""
        log.write(f"{escape(display)}:{line}: {verb} {code} {name}\n")


def _log_summary(log: TextIO, summary: Summary, *, applied: bool) -> None:
    if not summary.files_changed:
        log.write("nothing to fix\n")
        return
    files = f"{summary.files_changed} file{'s' if summary.files_changed != 1 else ''}"
    problems = f"{summary.fixes} problem{'s' if summary.fixes != 1 else ''}"
    log.write(f"{'fixed' if applied else 'would fix'} {problems} in {files}\n")
