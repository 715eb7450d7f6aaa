"""JSON files in which nothing matters, read by json.loads (in C)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keylint.fastpath.reading import Reading

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter


class _Matters(Exception):
    """A JSON value or member name that matters: the file is parsed in full for its positions."""


def read(text: str, prefilter: Prefilter) -> Reading | None:
    """A JSON file in which nothing matters: no entries, once json.loads (in C) has read every value.

    Without backslashes, every string json.loads returns is its source text, and numbers and
    constants come back as their source text too (parse_* hooks): exactly the ``Entry.value``
    parsers/json gives them. Anything that matters, a duplicate key or invalid JSON: full parse.
    """
    import json

    from keylint import limits
    from keylint.parsers.json import MAX_DEPTH

    if "\\" in text or text.count("{") + text.count("[") >= min(MAX_DEPTH, limits.max_depth()):
        return None
    name_matters = prefilter.name_matters
    value_matters = prefilter.value_matters
    if any(value_matters(constant) for constant in ("true", "false", "null")):
        return None  # json.loads gives these as True/False/None, which check() lets pass

    def check(value: object) -> None:
        if isinstance(value, str):
            if value_matters(value):
                raise _Matters
        elif isinstance(value, list):
            for item in value:
                check(item)
        elif value is not None and not isinstance(value, (bool, dict)):
            raise _Matters  # not produced with the hooks below: be safe

    def members(pairs: list[tuple[str, object]]) -> dict:
        names = set()
        for name, value in pairs:
            if name in names or name_matters(name):
                raise _Matters  # a duplicate (reported by the full parser) or a name that matters
            names.add(name)
            check(value)
        return {}  # nothing of the object is needed any more

    try:
        root = json.loads(text, object_pairs_hook=members, parse_int=str, parse_float=str, parse_constant=str)
        check(root)
    except (_Matters, ValueError, RecursionError):
        return None
    return Reading([])
