"""Compiled regular expressions kept between runs, the way Python keeps compiled bytecode.

Compiling keylint's regular expressions (the provider formats, value classifiers, the parsers'
and the YAML library's own) is pure-Python work in :mod:`re` and costs a pre-commit run about
30 ms, a third of its time, every time. :func:`install` makes :mod:`re` look each pattern up
in a table of already compiled code first: the code that ``re``'s compiler produces for a
pattern depends only on the pattern, its flags and the interpreter, so the table is keyed by
those and the interpreter's regex-engine version is part of the file name. Patterns that are
not in the table are compiled as usual and added; the table is written back at exit when it
grew (atomically, to a temporary file then renamed, so parallel runs never corrupt it).

- Where: ``regex-<interpreter>-<engine version>.marshal`` in the user cache directory
  (``KEYLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/keylint`` or ``~/.cache/keylint``); the
  directory is made 0700 and the file 0600, and a file that another user owns or others can
  write is ignored, like the verification cache. It holds regular expressions only: keylint's
  own, and the templates of providers defined in a config file; never scanned content.
- Safety: the regex engine validates compiled code before using it, so a damaged table entry
  fails to load and that pattern is compiled from source instead.
- Only on CPython 3.10-3.13, whose ``re`` internals this follows; elsewhere, or with
  ``KEYLINT_REGEX_CACHE=0``, nothing changes.

The table keeps two other things that every run would otherwise derive again: the ``__init__`` that
:mod:`keylint.records` generates for each record class, compiled (see :func:`compile_source`), as Python
keeps the bytecode of a module; and values computed from keylint's own data by keylint's own code, under a
key that includes the version of that code (see :func:`kept`). Like ``.pyc`` files, these entries are
trusted because the file is private to the user.
"""

from __future__ import annotations

import atexit
import contextlib
import marshal
import os
import re
import stat
import sys
from array import array
from types import CodeType

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    T = TypeVar("T")


# A table past this size is cut back, when written, to what the run that wrote it used: entries of older
# keylint versions and forgotten configs go, what runs keep using stays.
_MAX_ENTRIES = 4096
_state: dict[str, object] = {}


def _supported() -> bool:
    return sys.implementation.name == "cpython" and (3, 10) <= sys.version_info[:2] <= (3, 13)


def cache_directory() -> str:
    override = os.environ.get("KEYLINT_CACHE_DIR")
    if override:
        return override
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(local, "keylint", "Cache")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "keylint")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "keylint")


def cache_file() -> str:
    import _sre

    version = f"{sys.implementation.cache_tag}-{_sre.MAGIC}"
    return os.path.join(cache_directory(), f"regex-{version}.marshal")


def _trustworthy(info: os.stat_result) -> bool:
    if os.name != "posix":
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _load(path: str) -> dict:
    try:
        with open(path, "rb") as handle:
            if not _trustworthy(os.fstat(handle.fileno())):
                return {}
            data = handle.read()
        table = marshal.loads(data)  # (marshal.load reads a file a few bytes at a time: 20x slower)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return table if isinstance(table, dict) else {}


def _pack(code: list[int]) -> bytes | list[int]:
    """The engine's code units as bytes (a list of ints costs marshal ten times more to load)."""
    import _sre

    units = array("I")
    if units.itemsize != _sre.CODESIZE:
        return code
    units.extend(code)
    return units.tobytes()


def _unpack(packed: bytes | list[int]) -> list[int]:
    if isinstance(packed, bytes):
        units = array("I")
        units.frombytes(packed)
        return units.tolist()
    return list(packed)


def install() -> None:
    """Route :func:`re.compile` (and everything built on it) through the table; idempotent."""
    if _state or os.environ.get("KEYLINT_REGEX_CACHE") == "0" or not _supported():
        return
    import _sre

    compiler = getattr(re, "_compiler", None)
    if compiler is None:  # Python 3.10
        import sre_compile as compiler  # type: ignore[no-redef]
    parser = compiler._parser if hasattr(compiler, "_parser") else compiler.sre_parse
    original = compiler.compile
    path = cache_file()
    table = _load(path)
    used: set[object] = set()
    _state.update(path=path, table=table, size=len(table), original=original, used=used)

    def compile_cached(pattern: object, flags: int = 0) -> object:
        if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG:
            return original(pattern, flags)
        try:
            flags = int(flags)
            key = (type(pattern) is bytes, pattern, flags)
            used.add(key)
            entry = table.get(key)
            if entry is not None:
                try:
                    packed_flags, packed, groups, groupindex, indexgroup = entry
                    return _sre.compile(pattern, packed_flags, _unpack(packed), groups, groupindex, indexgroup)
                except Exception:  # a damaged entry: compile from source below
                    del table[key]
            # What re's own compile() does, keeping the arguments of its last step.
            parsed = parser.parse(pattern, flags)
            code = [int(op) for op in compiler._code(parsed, flags)]  # opcodes are int subclasses: plain ints
            groupindex = dict(parsed.state.groupdict)
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for name, index in groupindex.items():
                indexgroup[index] = name
            final_flags, groups = flags | parsed.state.flags, parsed.state.groups - 1
            compiled = _sre.compile(pattern, final_flags, code, groups, groupindex, tuple(indexgroup))
        except Exception:  # an invalid pattern (re.error as usual), or internals this does not know
            return original(pattern, flags)
        table[key] = (final_flags, _pack(code), groups, groupindex, tuple(indexgroup))
        return compiled

    compiler.compile = compile_cached
    atexit.register(save)


def compile_source(source: str, filename: str) -> CodeType:
    """``compile(source, filename, "exec")``, kept in the table between runs when it is installed."""
    table = _state.get("table")
    if not isinstance(table, dict):
        return compile(source, filename, "exec")
    key = (filename, source)  # (regular expressions have three-part keys)
    _state["used"].add(key)  # type: ignore[attr-defined]
    code = table.get(key)
    if not isinstance(code, CodeType):
        code = table[key] = compile(source, filename, "exec")
    return code


def kept(key: tuple[Any, ...], compute: Callable[[], T], check: Callable[[Any], bool]) -> T:
    """``compute()``, kept in the table between runs when it is installed.

    ``key`` starts with a string naming the caller and holds everything the value depends on, the version of
    the code that computes it included; the value is made of what marshal stores, and a kept value that
    ``check`` refuses is computed again."""
    table = _state.get("table")
    if not isinstance(table, dict):
        return compute()
    _state["used"].add(key)  # type: ignore[attr-defined]
    value = table.get(key)
    if value is None or not check(value):
        value = table[key] = compute()
    return value


def source_stamp(path: str) -> tuple[int, int] | None:
    """The modification time and size of a source file, as Python keys a module's bytecode: the version of the
    code for :func:`kept` keys (None when it cannot be read: do not keep then)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def save() -> None:
    """Write the table back when this run compiled new patterns (best effort: a cache, never an error)."""
    table = _state.get("table")
    if not isinstance(table, dict) or len(table) == _state.get("size"):
        return
    entries = table
    if len(table) > _MAX_ENTRIES:
        used = _state["used"]
        entries = {key: entry for key, entry in table.items() if key in used}  # type: ignore[operator]
    path = str(_state["path"])
    directory = os.path.dirname(path)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            marshal.dump(entries, handle)
        os.replace(temporary, path)
        _state["size"] = len(table)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
