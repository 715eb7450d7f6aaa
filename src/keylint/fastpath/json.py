"""JSON files without backslashes: json.loads (in C) reads them, its hooks keep what matters, the text says where.

The hooks ask the prefilter about each distinct member name once, and about a value only where its
name does not already make it matter (each distinct value once); they keep just the values that
matter, with their key paths. Without backslashes every string is its source text between two
quotes (and every quote of a valid file opens or closes one), so afterwards ``str.find`` finds each
kept value in the text, counting quotes to skip what lies inside strings. An object is dropped as
soon as its hook has read it (an array once its container has), so a large file is never held as a tree.
"""

from __future__ import annotations

import re

from keylint import TYPE_CHECKING
from keylint.fastpath.reading import Reading
from keylint.model import Entry
from keylint.parsers.json import _CONSTANTS, MAX_DEPTH

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

_STRING = re.compile(r'"([^"]*)"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_CONTAINER = re.compile(r"\[\]|\{\}")
_SPACE = " \t\n\r"
_BEFORE_BARE = ":,[" + _SPACE
_AFTER_BARE = ",]}" + _SPACE
_COLON = re.compile(r"[ \t\n\r]*:")
_COLON_AND_SPACE = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_CONSTANT_TEXT = {True: "true", False: "false", None: "null"}
# What may follow a string's closing quote in valid JSON (or its end, which no needle reaches).
_AFTER_STRING = frozenset(",:]}" + _SPACE)


class _Bare(str):
    """A number, NaN or ±Infinity as written (json.loads hands its parse hooks the source text)."""

    __slots__ = ()


class _Duplicate(ValueError):
    """A member name twice in one object: parsers/json reports it."""


class _Declined(ValueError):
    """What this reader does not place (an element that matters by its index) or cannot find (never expected)."""


class _Hit:
    """A value that matters, as the hooks see it from its container outwards."""

    __slots__ = ("bare", "named", "segments", "value")

    def __init__(self, segment: str | None, value: str, bare: bool, named: bool) -> None:
        self.segments = [] if segment is None else [segment]  # its key path, innermost segment first
        self.value = value  # as written (without its quotes)
        self.bare = bare  # a number or constant, not a string
        self.named = named  # a member that matters by its name; else it matters by its value


class _Hits(list):
    """The hits of a container, in file order."""


_QUIET = object()  # what the hooks make of a container without hits
# What json.loads gives for a scalar with the hooks below (bare values as _Bare; true, false and null as constants).
_SCALAR_TYPES = frozenset({str, _Bare, bool, type(None)})


class _Memory:
    """A prefilter's answers about values for the JSON reader, kept for the run as long as the prefilter is
    (Prefilter.derived), not per file: a tree's short values repeat from file to file (name, port, true, info ...),
    and a lookup in C replaces a call to the prefilter for each distinct text of each file (the dense tree's JSON
    asked 212k times, 55k now). Values past the length the prefilter remembers are asked again each time."""

    def __init__(self, prefilter: Prefilter) -> None:
        from keylint.prefilter import _REMEMBERED_LENGTH, Answers

        self.values = Answers(prefilter.value_matters, _REMEMBERED_LENGTH, prefilter.digits_turned_away)
        self.constants = {constant: prefilter.value_matters(word) for constant, word in _CONSTANT_TEXT.items()}
        self.values.update(self.constants)  # type: ignore[arg-type]  # json.loads gives true, false and null so

    def bound(self) -> None:
        """Ready for another file: memory stays bounded (forgotten whole past a bound, as the prefilter's own)."""
        if len(self.values) > _REMEMBERED:
            self.values.clear()
            self.values.update(self.constants)  # type: ignore[arg-type]


_REMEMBERED = 1 << 16  # answers about values a _Memory keeps


def read(text: str, prefilter: Prefilter) -> Reading | None:
    """The entries parsers/json gives ``text`` that the prefilter keeps, or None to parse it in full.

    json.loads decides validity and finds duplicate member names; its hooks keep the values that
    matter. Most files have none and are done when json.loads is.
    """
    import json

    from keylint import limits

    if "\\" in text:
        return None  # escapes: values differ from their source text
    keeper = _Keeper(prefilter)
    try:
        root = json.loads(
            text, object_pairs_hook=keeper.members, parse_int=_Bare, parse_float=_Bare, parse_constant=_Bare
        )
        hits = keeper.root(root)
        # No deeper than the containers the hooks met (most files have fewer than max-depth: the text's brackets
        # are not counted first).
        max_depth = min(MAX_DEPTH, limits.max_depth())
        if keeper.containers > max_depth and _too_deep(_STRING.sub('""', text), max_depth):
            return None  # parsers/json reports how deep
        return Reading(_place(text, hits) if hits else [])
    except (ValueError, RecursionError):
        return None


class _Keeper:
    """json.loads' object hook, and the same for arrays and the root: a container's _Hits, or _QUIET."""

    def __init__(self, prefilter: Prefilter) -> None:
        self.prefilter = prefilter
        memory = prefilter.derived(_Memory)
        memory.bound()
        self.names, self.values = prefilter.name_answers(), memory.values
        self.containers = 0  # objects and arrays met

    def members(self, pairs: list[tuple[str, object]]) -> object:
        self.containers += 1
        if len(pairs) > 1 and len(dict(pairs)) != len(pairs):
            raise _Duplicate
        names, values = self.names, self.values
        hits: _Hits | None = None
        for name, value in pairs:
            if type(value) in _SCALAR_TYPES:
                if names[name] or values[value]:
                    hits = hits or _Hits()
                    hits.append(_Hit(name, _text(value), type(value) is not str, names[name]))
            elif value is not _QUIET:
                hits = self._nest(hits, value, name)
        return hits or _QUIET

    def elements(self, items: list[object]) -> object:
        self.containers += 1
        if items and _indices_matter(self.prefilter, len(items)):
            raise _Declined  # an element would matter by its index, which its text does not show
        values = self.values
        hits: _Hits | None = None
        for index, value in enumerate(items):
            if type(value) in _SCALAR_TYPES:
                if values[value]:
                    hits = hits or _Hits()
                    hits.append(_Hit(str(index), _text(value), type(value) is not str, False))
            elif value is not _QUIET:
                hits = self._nest(hits, value, str(index))
        return hits or _QUIET

    def _nest(self, hits: _Hits | None, child: object, segment: str) -> _Hits | None:
        """``hits`` followed by those of a child container at ``segment`` (an array, or an object's _Hits)."""
        if type(child) is list:
            child = self.elements(child)  # type: ignore[arg-type]
        if child is _QUIET:
            return hits
        for hit in child:  # type: ignore[attr-defined]
            hit.segments.append(segment)
        if hits is None:
            return child  # type: ignore[return-value]
        hits.extend(child)  # type: ignore[arg-type]
        return hits

    def root(self, root: object) -> list[_Hit]:
        if type(root) is list:
            root = self.elements(root)  # type: ignore[arg-type]
        if type(root) is _Hits:
            return root  # type: ignore[return-value]
        if root is not _QUIET and (self.values[root] or self.prefilter.name_matters("")):  # a lone value: key ""
            return [_Hit(None, _text(root), type(root) is not str, False)]
        return []


def _text(value: object) -> str:
    """A scalar as written, as a plain str: a string or bare value is its text; true, false and null are constants."""
    if type(value) is str:
        return value
    if type(value) is _Bare:
        return str(value)
    return _CONSTANT_TEXT[value]  # type: ignore[index]


class _Finder:
    """Finds hits in the text in file order: each search starts after the last value found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.start = 0  # where the next search starts
        self.counted, self.quotes = 0, 0  # how many quotes lie before offset ``counted``

    def by_value(self, hit: _Hit) -> tuple[int, int]:
        """The offsets of ``hit``'s value (its opening quote, for a string) and of its member name's opening
        quote (-1 for an array element): the first occurrence of its text as a value. Every value with that text
        matters, so none lies between the last hit and this one."""
        text, value = self.text, hit.value
        needle = value if hit.bare else f'"{value}"'
        counted = hit.bare or value[:1] in _AFTER_STRING
        start = self.start
        while (found := text.find(needle, start)) >= 0:
            start = found + 1
            end = found + len(needle)
            if counted and not self._outside_strings(found):
                continue
            if hit.bare:
                if (found and text[found - 1] not in _BEFORE_BARE) or not _ends_bare(text, end):
                    continue  # part of a longer bare value
            elif _COLON.match(text, end):
                continue  # a member name
            name = self._name_before(found)
            if name >= 0 and not text.startswith(f'"{hit.segments[0]}"', name):
                raise _Declined  # never expected: every value with this text matters, so this one was a hit
            self.start = end
            return found, name
        raise _Declined

    def by_name(self, hit: _Hit) -> tuple[int, int]:
        """The same for a member that matters by its name: the first member of that name whose value is scalar.
        Every scalar member of that name matters, so none lies between the last hit and this one."""
        text, name = self.text, hit.segments[0]
        needle = f'"{name}"'
        value = hit.value if hit.bare else f'"{hit.value}"'
        counted = name[:1] in _AFTER_STRING
        start = self.start
        while (found := text.find(needle, start)) >= 0:
            start = found + 1
            colon = _COLON_AND_SPACE.match(text, found + len(needle))
            if colon is None or (counted and not self._outside_strings(found)):
                continue
            at = colon.end()
            if text[at : at + 1] in ("{", "["):
                continue  # its value is a container
            end = at + len(value)
            if not text.startswith(value, at) or (hit.bare and not _ends_bare(text, end)):
                raise _Declined  # never expected: this scalar member of the name would have been a hit before
            self.start = end
            return at, found
        raise _Declined

    def _outside_strings(self, offset: int) -> bool:
        """Whether ``offset`` (at or past the last one asked about) lies outside strings, or opens one. Asked only
        of a quoted needle whose text starts with what may follow a string (_AFTER_STRING): any other needle's first
        quote cannot close a string, so it opens one, and the quotes before it need not be counted (nor are they
        for most: the counting was a tenth of placing the dense tree's values)."""
        self.quotes += self.text.count('"', self.counted, offset)
        self.counted = offset
        return self.quotes % 2 == 0

    def _name_before(self, offset: int) -> int:
        """The offset of the opening quote of the member name whose value starts at ``offset``, or -1."""
        text, at = self.text, offset
        while at and text[at - 1] in _SPACE:
            at -= 1
        if not at or text[at - 1] != ":":
            return -1
        at -= 1
        while at and text[at - 1] in _SPACE:
            at -= 1
        return text.rfind('"', 0, at - 1)  # text[at - 1] is the name's closing quote


def _ends_bare(text: str, end: int) -> bool:
    """Whether a bare value may end at ``end`` (it is not the start of a longer one)."""
    return end == len(text) or text[end] in _AFTER_BARE


def _place(text: str, hits: list[_Hit]) -> list[Entry]:
    """The entries of the ``hits`` (in file order), with their positions in ``text``."""
    entries: list[Entry] = []
    finder = _Finder(text)
    # Lines are counted from one kept value to the next (a minified file is one long line: never back to its start).
    line, counted, line_start = 1, 0, 0

    for hit in hits:
        value = hit.value
        if hit.named:
            found, name = finder.by_name(hit)
        else:
            found, name = finder.by_value(hit)
        start = found if hit.bare else found + 1
        newlines = text.count("\n", counted, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, start) + 1
        counted = start
        # Entry's fields by position (key, value, raw, line, column, quote, key_line, comment, tag): keyword
        # arguments cost ~1 us more per entry (as in fastpath/yaml).
        entries.append(
            Entry(
                ".".join(reversed(hit.segments)),
                value,
                value if hit.bare else text[found : start + len(value) + 1],
                line,
                start - line_start + 1,
                "" if hit.bare else '"',
                line - text.count("\n", name, start) if name >= 0 else line,
                None,
                _bare_tag(value) if hit.bare else None,
            )
        )
    return entries


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


# Per prefilter: how many array indices, from 0, are known not to matter as names; up to a bound, past
# which every element's index is asked about.
_QUIET_INDICES: dict[Prefilter, int] = {}
_INDICES_CHECKED = 1 << 16


def _indices_matter(prefilter: Prefilter, count: int) -> bool:
    """Whether any index below ``count`` may matter as a name (an array's elements are named by index)."""
    if count > _INDICES_CHECKED:
        return True
    known = _QUIET_INDICES.get(prefilter, 0)
    while known < count:
        if prefilter.name_matters(str(known)):
            return True
        known += 1
        _QUIET_INDICES[prefilter] = known
    return False


# The tags parsers/json gives bare values: its constants, -Infinity, and numbers (int, or float with a fraction
# or an exponent).
_CONSTANT_TAGS = {**dict(_CONSTANTS), "-Infinity": "float"}


def _bare_tag(bare: str) -> str:
    tag = _CONSTANT_TAGS.get(bare)
    if tag is not None:
        return tag
    return "float" if "." in bare or "e" in bare or "E" in bare else "int"
