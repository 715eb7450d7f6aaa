"""Which files to scan, in a stable order.

Directories are walked iteratively (no recursion limit, one open directory
at a time), skipping VCS, dependency, virtualenv and build folders. Symlinks
are not followed unless asked; when they are, each real directory is entered
once, so a link loop cannot hang the walk. Files named on the command line are
always scanned, whatever their name: that is how pre-commit passes them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from operator import attrgetter

from keylint import TYPE_CHECKING
from keylint.config import Settings, path_matches
from keylint.model import Notice
from keylint.parsers import format_for, matches_any
from keylint.records import dataclass

if TYPE_CHECKING:
    from typing import Any

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "node_modules",
        "bower_components",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        "site-packages",
        "build",
        "dist",
        ".next",
        ".nuxt",
        ".terraform",
        ".gradle",
        ".idea",
        ".cache",
        ".hypothesis",
        ".direnv",
    }
)


@dataclass(frozen=True)
class Target:
    path: str  # filesystem path (or the path in the repository for staged content)
    display: str  # relative to the current directory when below it
    fmt: str
    size: int
    data: bytes | None = None  # content supplied by the caller (staged blobs), instead of reading `path`
    git: Any = None


def display_path(path: str) -> str:
    """Relative to the current directory when the file lies below it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def _relative_dir(directory: str) -> str | None:
    """``directory`` relative to the current directory (``/``-separated) when it lies there, else None."""
    try:
        rel = os.path.relpath(directory)
    except ValueError:  # another drive on Windows
        return None
    return None if rel.startswith("..") else rel.replace(os.sep, "/")


def _child_relative(parent: str, name: str) -> str | None:
    """_relative_dir of the entry ``name`` of a directory whose relative form is ``parent``: relpath is lexical,
    so it is the parent's plus the name (relpath asks for the current directory twice a call)."""
    rel = name if parent == "." else f"{parent}/{name}"
    return None if rel.startswith("..") else rel


def _child_display(parent: str | None, path: str, name: str) -> str:
    """display_path(path) for the entry ``name`` of a directory whose relative form is ``parent``: below the
    current directory it is the parent's plus the name (a call of relpath per file was half of discovery);
    elsewhere it is asked."""
    if parent is None:
        return display_path(path)
    rel = _child_relative(parent, name)
    return path if rel is None else rel


def _outside(directory: str) -> bool:
    """Does every entry below ``directory`` lie outside the current directory, so that display_path gives its path
    back unchanged? So it is when the directory's relative form starts with ".." and it holds no part of the current
    directory's own path (relpath is lexical: below such a directory, an entry's form is the directory's plus its
    name). A directory walked outside the current directory asks once, not once an entry."""
    try:
        rel = os.path.relpath(directory)
    except ValueError:  # another drive on Windows: so is everything below it
        return True
    return rel.startswith("..") and any(part != os.pardir for part in rel.split(os.sep))


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _lists_virtualenv(path: str, entries: list[os.DirEntry[str]]) -> bool:
    """_is_virtualenv(path) for a directory whose listing is ``entries``: only a listed pyvenv.cfg can make it
    one (lower-cased for case-insensitive file systems), so the file is looked at only then, not in every
    directory."""
    return any(entry.name.lower() == "pyvenv.cfg" for entry in entries) and _is_virtualenv(path)


def _format(name: str, settings: Settings, explicit: bool) -> str | None:
    fmt = format_for(name)
    if fmt is None and (explicit or matches_any(name, settings.include)):
        fmt = "lines"
    return fmt


def discover(paths: list[str], settings: Settings) -> Iterator[Target | Notice]:
    seen_files: set[tuple[int, int]] = set()
    for given in paths or ["."]:
        try:
            info = os.stat(given) if settings.follow_symlinks or not os.path.islink(given) else os.lstat(given)
        except FileNotFoundError:
            yield Notice(given, f"{given}: no such file or directory", "error")
            continue
        except OSError as error:
            yield Notice(given, f"{given}: cannot access ({error.strerror or error})", "error")
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(given, settings, seen_files)
        elif os.path.islink(given) and not settings.follow_symlinks and not os.path.exists(given):
            yield Notice(given, f"{given}: broken symbolic link", "error")
        else:
            # Named explicitly: scanned even when its name is not a known config name, or it is a link.
            real = os.stat(given) if os.path.exists(given) else info
            if not stat.S_ISREG(real.st_mode):
                yield Notice(given, f"{given}: not a regular file, skipped", "skipped")
                continue
            display = display_path(given)
            if settings.exclude and any(path_matches(display, p) for p in settings.exclude):
                continue
            fmt = _format(os.path.basename(given), settings, explicit=True) or "lines"
            yield Target(given, display, fmt, real.st_size)


_entry_name = attrgetter("name")


def _walk(root: str, settings: Settings, seen_files: set[tuple[int, int]]) -> Iterator[Target | Notice]:
    # Each directory on the stack comes with its form relative to the current directory (None when it lies
    # elsewhere), worked out from its parent's, and whether it may be a virtualenv: a subdirectory is told to be
    # one from its own listing when it is walked, rather than by a stat in its parent (a root is always walked).
    stack: list[tuple[str, str | None, bool]] = [(root, _relative_dir(root), False)]
    visited_dirs: set[tuple[int, int]] = set()
    while stack:
        directory, relative, maybe_virtualenv = stack.pop()
        try:
            info = os.stat(directory)
        except OSError as error:
            if not (maybe_virtualenv and _is_virtualenv(directory)):
                yield Notice(directory, f"{directory}: cannot access ({error.strerror or error})", "error")
            continue
        ident = (info.st_dev, info.st_ino)
        if ident in visited_dirs:
            continue  # a symlink loop, or two links to one place
        visited_dirs.add(ident)
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=_entry_name)
        except OSError as error:
            # A virtualenv is skipped silently even when it cannot be listed (searched only), as it was when
            # its pyvenv.cfg was looked for from the parent.
            if not (maybe_virtualenv and _is_virtualenv(directory)):
                yield Notice(directory, f"{directory}: cannot list directory ({error.strerror or error})", "error")
            continue
        if maybe_virtualenv and _lists_virtualenv(directory, entries):
            continue
        subdirs: list[tuple[str, str | None, bool]] = []
        outside = relative is None and _outside(directory)
        for entry in entries:
            path = entry.path
            display = path if outside else _child_display(relative, path, entry.name)
            try:
                is_link = entry.is_symlink()
                if is_link and not settings.follow_symlinks:
                    continue
                is_dir = entry.is_dir(follow_symlinks=settings.follow_symlinks)
                is_file = not is_dir and entry.is_file(follow_symlinks=settings.follow_symlinks)
            except OSError:
                continue
            if settings.exclude and any(path_matches(display, p) for p in settings.exclude):
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info"):
                    continue
                subdirs.append((path, None if relative is None else _child_relative(relative, entry.name), True))
            elif is_file:
                fmt = _format(entry.name, settings, explicit=False)
                if fmt is None:
                    continue
                try:
                    st = entry.stat(follow_symlinks=settings.follow_symlinks)
                except OSError as error:
                    yield Notice(display, f"{display}: cannot access ({error.strerror or error})", "error")
                    continue
                ident_file = (st.st_dev, st.st_ino)
                if ident_file in seen_files:
                    continue
                seen_files.add(ident_file)
                yield Target(path, display, fmt, st.st_size)
            elif _format(entry.name, settings, explicit=False) is not None:
                # A named pipe, socket or device under a config file's name: reading it could block or never
                # end, so it is skipped, and said so rather than silently missing from the scan.
                yield Notice(display, f"{display}: not a regular file, skipped", "skipped")
        stack.extend(reversed(subdirs))
