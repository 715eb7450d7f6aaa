"""JSON files without backslashes: json.loads (in C) checks them, regexes find what matters, one walk places it."""

from __future__ import annotations

import re

from keylint import TYPE_CHECKING
from keylint.fastpath.reading import Reading
from keylint.model import Entry
from keylint.parsers.json import _CONSTANTS, MAX_DEPTH

if TYPE_CHECKING:
    from collections.abc import Callable

    from keylint.prefilter import Prefilter

# Without backslashes a string is its source text between two quotes, and a string followed by a colon can
# only be a member name in valid JSON.
_STRING = re.compile(r'"([^"]*)"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_CONTAINER = re.compile(r"\[\]|\{\}")
# One step of the walk: a value with the member name before it, if any, or a closing bracket. What lies
# between steps (whitespace, commas) is skipped by finditer.
_STEP = re.compile(r'(?:"([^"]*)"[ \n]*:[ \n]*)?(?:"([^"]*)"|([\[{])|([^\s,\]}]+))|[\]}]')


class _Duplicate(ValueError):
    """A member name twice in one object: parsers/json reports it."""


class _Matters(Exception):
    """A value or member name that matters: the file is walked for the positions of all that do."""


def _distinct(pairs: list[tuple[str, object]]) -> None:
    if len(dict(pairs)) != len(pairs):
        raise _Duplicate
    # nothing of the object is needed: the walk reads the text itself


def read(text: str, prefilter: Prefilter) -> Reading | None:
    """The entries parsers/json gives ``text`` that the prefilter keeps, or None to parse it in full.

    json.loads decides validity and finds duplicate member names; while it reads, its hooks ask the
    prefilter about every value and member name. Most files have nothing that matters and are done
    then. Otherwise a walk over the text follows the nesting for key paths and works out positions
    just for the values that matter.
    """
    import json

    from keylint import limits

    if "\\" in text:
        return None  # escapes: values differ from their source text
    max_depth = min(MAX_DEPTH, limits.max_depth())
    if text.count("[") + text.count("{") > max_depth and _too_deep(_STRING.sub('""', text), max_depth):
        return None  # parsers/json reports how deep
    value_matters, name_matters = prefilter.value_matters, prefilter.name_matters
    constants_matter = any(value_matters(constant) for constant in ("true", "false", "null"))

    def check(value: object) -> None:
        if isinstance(value, str):
            if value_matters(value):
                raise _Matters
        elif isinstance(value, list):
            if value and _indices_matter(prefilter, len(value)):
                raise _Matters  # an element could matter by its name
            for item in value:
                check(item)
        elif value is None or isinstance(value, bool):
            if constants_matter:
                raise _Matters
        elif not isinstance(value, dict):
            raise _Matters  # not produced with the hooks below: be safe

    def members(pairs: list[tuple[str, object]]) -> dict:
        _distinct(pairs)
        for name, value in pairs:
            if name_matters(name):
                raise _Matters
            check(value)
        return {}  # checked: nothing of the object is needed any more

    try:
        root = json.loads(text, object_pairs_hook=members, parse_int=str, parse_float=str, parse_constant=str)
        if not isinstance(root, (dict, list)) and name_matters(""):
            raise _Matters  # a lone value's key path is empty
        check(root)
    except _Matters:
        try:
            json.loads(text, object_pairs_hook=_distinct)  # the rest of the file still needs checking
        except (ValueError, RecursionError):
            return None
        return Reading(_walk(text, value_matters, name_matters))
    except (ValueError, RecursionError):
        return None
    return Reading([])


def _too_deep(skeleton: str, max_depth: int) -> bool:
    """Whether containers nest deeper than ``max_depth`` (empty ones counted too: parsers/json does not,
    so this may decline a file it reads whole, never the reverse). Each pass takes out the innermost."""
    if skeleton.count("[") + skeleton.count("{") <= max_depth:
        return False
    brackets = _NOT_A_BRACKET.sub("", skeleton)
    for _ in range(max_depth):
        brackets = _EMPTY_CONTAINER.sub("", brackets)
        if not brackets:
            return False
    return True


def _walk(text: str, value_matters: Callable[[str], bool], name_matters: Callable[[str], bool]) -> list[Entry]:
    """The entries of the values that matter, with their key paths and positions, in file order.

    Key paths are parsers/json's: member names and array indices joined by dots; a value's last
    segment alone decides whether its name matters (``Prefilter.name_matters`` reads only that)."""
    entries: list[Entry] = []
    # Per open container: None for an object, the index of the current element for an array.
    frames: list[int | None] = []
    path: list[str] = []  # the segments of the open containers' key paths (the root container has none)
    line, counted = 1, 0  # newlines are counted up to `counted` only when a value matters

    def line_at(offset: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, offset)
        counted = offset
        return line

    for step in _STEP.finditer(text):
        if step.lastindex is None:  # a closing bracket
            frames.pop()
            if frames:
                path.pop()
            continue
        name, string, opener, bare = step.groups()
        segment = name
        if segment is None and frames:
            index = frames[-1]
            assert index is not None  # an object's values all have names
            frames[-1] = index = index + 1
            segment = str(index)
        if opener is not None:
            if frames:
                path.append(segment)  # type: ignore[arg-type]
            frames.append(None if opener == "{" else -1)
            continue
        value = string if string is not None else bare
        if not (value_matters(value) or name_matters(segment or "")):
            continue
        group = 2 if string is not None else 4
        start, end = step.span(group)
        value_line = line_at(start)
        entries.append(
            Entry(
                key=".".join([*path, segment]) if segment is not None else "",
                value=value,
                raw=text[start - 1 : end + 1] if string is not None else bare,
                line=value_line,
                column=start - text.rfind("\n", 0, start),
                quote='"' if string is not None else "",
                key_line=value_line - text.count("\n", step.start(), start) if name is not None else value_line,
                tag=None if string is not None else _bare_tag(bare),
            )
        )
    return entries


# Per prefilter: how many array indices, from 0, are known not to matter as names; up to a bound, past
# which a file is walked instead (where each element's index is asked about).
_QUIET_INDICES: dict[int, int] = {}
_INDICES_CHECKED = 1 << 16


def _indices_matter(prefilter: Prefilter, count: int) -> bool:
    """Whether any index below ``count`` may matter as a name (an array's scalar elements are named by index)."""
    if count > _INDICES_CHECKED:
        return True
    known = _QUIET_INDICES.get(id(prefilter), 0)
    while known < count:
        if prefilter.name_matters(str(known)):
            return True
        known += 1
        _QUIET_INDICES[id(prefilter)] = known
    return False


# The tags parsers/json gives bare values: its constants, -Infinity, and numbers (int, or float with a fraction
# or an exponent).
_CONSTANT_TAGS = {**dict(_CONSTANTS), "-Infinity": "float"}


def _bare_tag(bare: str) -> str:
    tag = _CONSTANT_TAGS.get(bare)
    if tag is not None:
        return tag
    return "float" if "." in bare or "e" in bare or "E" in bare else "int"
