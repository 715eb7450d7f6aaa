"""Command line: ``keylint [scan] PATH...``, ``keylint rules [CODE]``, and the other subcommands.

Each subcommand lives in ``keylint.commands.<name>`` with ``add_parser(subparsers)``
and ``run(args) -> int``. Errors a user can cause end here, in one place, as a
one-line message and exit code 2; nothing else prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module

from keylint import TYPE_CHECKING, __version__

if TYPE_CHECKING:
    from typing import Any

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# Subcommand name -> module in keylint.commands
COMMANDS = {
    "scan": "scan",
    "rules": "rules",
    "providers": "providers",
    "baseline": "baseline",
    "history": "history",
    "install-hook": "install_hook",
    "fix": "fix",
}


class UsageError(Exception):
    """A mistake in the command line or its inputs: one line, exit code 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, measuring the terminal as shutil.get_terminal_size() does but without
    importing shutil (and bz2, lzma ...): argparse builds a formatter for every option it adds."""

    def __init__(self, prog: str, *args: Any, width: int | None = None, **kwargs: Any) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, *args, width=width, **kwargs)


def _terminal_columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UsageError(message)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command``, only that subcommand is built, so a run imports one command
    module instead of all of them (and makes no parsers for the others: argparse looks for translations of
    its messages on disk for every parser it makes)."""
    parser = _Parser(
        prog="keylint",
        description="Find, lint and verify API keys in config files (.env, YAML, TOML, JSON, INI, .properties).",
        epilog="Run `keylint COMMAND --help` for a command's options; `keylint PATH` is short for `keylint scan PATH`.",
    )
    parser.add_argument("--version", action="version", version=f"keylint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        if command is None or name == command:
            import_module(f"keylint.commands.{module}").add_parser(sub)
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    if not argv:
        return ["scan"]
    first = argv[0]
    if first in COMMANDS or first in {"-h", "--help", "--version"}:
        return argv
    return ["scan", *argv]


def _collect_rarely() -> None:
    """Garbage collection tuned for one short process.

    Nearly everything a run makes lives until it ends (modules, classes, the registry, compiled tables,
    findings), and scanning makes little cyclic garbage: at Python's default of a pass every 700 new objects,
    the collector walks the same survivors over and over and finds next to nothing, a tenth of a pre-commit
    run's time. A pass every 50,000 new objects still bounds what a long scan could leave behind. At exit,
    whatever is alive is frozen, so that the interpreter's final passes do not walk it all once more (the
    process ends; nothing keylint writes depends on a finalizer: its files are closed when written).
    """
    import atexit
    import gc

    gc.set_threshold(50_000, 10, 10)
    atexit.register(gc.freeze)


def _end_program(code: int) -> None:
    """End the program now, as the interpreter would, less freeing every object it made one by one.

    A dense tree's report is ~70k findings: releasing them and then the modules takes a tenth of a second after
    the report is written, all of it on one core. The exit handlers still run (the regex cache is saved there)
    and the standard streams are flushed; where that fails, or a thread is still running, the program ends the
    ordinary way instead, which reports it as it always has.
    """
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the program itself (console script, python -m keylint), not a caller in-process
        _collect_rarely()
        code = _main(list(sys.argv[1:]))
        _end_program(code)
        return code
    return _main(list(argv))


def _main(args_list: list[str]) -> int:
    debug = "--debug" in args_list
    from keylint import recache

    recache.install()  # before the imports below compile their regular expressions
    from keylint.config import ConfigError

    try:
        argv = _with_default_command(args_list)
        parser = build_parser(argv[0] if argv[0] in COMMANDS else None)
        args = parser.parse_args(argv)
        module = import_module(f"keylint.commands.{COMMANDS[args.command]}")
        return int(module.run(args))
    except (UsageError, ConfigError) as error:
        print(f"keylint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("keylint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # a listing (rules, providers) whose reader stopped early: it had what it wanted
        from keylint.commands.scan import stop_writing_stdout

        stop_writing_stdout()
        return 0
    except Exception as error:  # a bug: say so without dumping scanned content
        if debug:
            from keylint import crash

            # The traceback, with every exception message scrubbed of the secrets this run has seen.
            in_file = isinstance(error, crash.FileCrash)
            sys.stderr.write(error.safe_traceback if in_file else crash.safe_traceback(error))
            where = f" while scanning {error.display}" if in_file else ""  # type: ignore[attr-defined]
            print(f"keylint: internal error{where}; please report it with the traceback above", file=sys.stderr)
            return EXIT_ERROR
        print(
            f"keylint: internal error ({type(error).__name__}); please report it. Run with --debug for a traceback.",
            file=sys.stderr,
        )
        return EXIT_ERROR
