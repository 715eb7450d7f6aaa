"""``keylint install-hook [--force]``: install the plain git pre-commit hook.

For repositories that do not use the pre-commit framework. The hook runs
``keylint scan --staged`` (the staged content, not the working tree) before each
commit. It is written to the repository's hooks directory as git reports it
(``git rev-parse --git-path hooks``), which honours ``core.hooksPath`` and
worktrees. A hook keylint did not write is never overwritten without ``--force``,
and even then it is kept as ``pre-commit.keylint-backup``.

The script is the same as ``hooks/pre-commit`` in the keylint repository, except
that the installed copy remembers the Python that ran ``install-hook``, so the hook
finds keylint even when it lives in a virtualenv that is not on ``PATH`` (commits
made from an editor).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys

from keylint.config import ConfigError

MARKER = "# keylint-hook: installed by `keylint install-hook`"
PYTHON_LINE = 'KEYLINT_PYTHON=""'

HOOK_TEMPLATE = f"""#!/bin/sh
{MARKER}
# keylint: check the staged config files for API keys before each commit.
# Install with `keylint install-hook`, or copy this file to .git/hooks/pre-commit
# and make it executable. Skip it once with `git commit --no-verify`.
# Settings come from [tool.keylint] in pyproject.toml or .keylint.toml as usual.

# The Python that has keylint installed ("" = find `keylint` on PATH).
{PYTHON_LINE}

if [ -n "$KEYLINT_PYTHON" ] && [ -x "$KEYLINT_PYTHON" ]; then
    exec "$KEYLINT_PYTHON" -m keylint scan --staged "$@"
fi
if command -v keylint >/dev/null 2>&1; then
    exec keylint scan --staged "$@"
fi
echo "keylint pre-commit hook: keylint is not installed (pip install keylint);" >&2
echo "install it, or commit with --no-verify to skip the check once." >&2
exit 1
"""


def hook_script(python: str | None = None) -> str:
    """The hook's text; ``python`` is the interpreter the installed copy should use."""
    if not python:
        return HOOK_TEMPLATE
    import shlex
    return HOOK_TEMPLATE.replace(PYTHON_LINE, f"KEYLINT_PYTHON={shlex.quote(python)}", 1)


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "install-hook",
        help="install a git pre-commit hook that runs `keylint scan --staged`",
        description="Install keylint as the git pre-commit hook of the repository in the current directory "
        "(for repositories that do not use the pre-commit framework).",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing hook that keylint did not install")
    parser.add_argument(
        "--path", default=".", metavar="DIR", help="a directory inside the repository (default: the current one)"
    )


def hooks_dir(where: str) -> str:
    """The repository's hooks directory, as git itself resolves it (core.hooksPath, worktrees)."""
    import subprocess  # only this command runs git; keep it out of every other command's start-up
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--git-path", "hooks"],
            cwd=where,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError("git is not installed or not on PATH") from None
    except NotADirectoryError:
        raise ConfigError(f"{where}: not a directory") from None
    if result.returncode != 0:
        reason = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "not a git repository"
        raise ConfigError(f"{os.path.abspath(where)}: {reason.removeprefix('fatal: ')}")
    # Relative to `where` unless core.hooksPath is absolute; join() keeps an absolute one as is.
    return os.path.normpath(os.path.join(os.path.abspath(where), result.stdout.strip()))


def _backup_name(path: str) -> str:
    candidate = f"{path}.keylint-backup"
    number = 1
    while os.path.exists(candidate):
        number += 1
        candidate = f"{path}.keylint-backup{number}"
    return candidate


def run(args: argparse.Namespace) -> int:
    if not os.path.isdir(args.path):
        raise ConfigError(f"{args.path}: not a directory")
    directory = hooks_dir(args.path)
    target = os.path.join(directory, "pre-commit")
    script = hook_script(sys.executable)
    message = f"installed keylint pre-commit hook: {target}"
    if os.path.lexists(target):
        try:
            with open(target, encoding="utf-8", errors="replace") as handle:
                existing = handle.read()
        except OSError:
            existing = ""
        if MARKER in existing:
            message = f"updated keylint pre-commit hook: {target}"
        elif not args.force:
            framework = "pre-commit.com" in existing or "pre_commit" in existing
            hint = (
                " It is the pre-commit framework's hook: add keylint to .pre-commit-config.yaml instead (see README)."
                if framework
                else ""
            )
            raise ConfigError(
                f"{target} already exists and was not installed by keylint; not overwriting it "
                f"(use --force to replace it; the old hook is then kept as a backup).{hint}"
            )
        else:
            backup = _backup_name(target)
            os.replace(target, backup)
            message += f" (the previous hook is kept as {backup})"
    try:
        os.makedirs(directory, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(script)
        mode = os.stat(target).st_mode
        os.chmod(target, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRUSR)
    except OSError as error:
        raise ConfigError(f"cannot write {target}: {error.strerror or error}") from None
    print(message)
    return 0
