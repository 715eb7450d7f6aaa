"""YAML block mappings and sequences of one-line scalars, read a block of lines at a time.

One regex (in C) cuts a block into rows; the common ``key: value`` and ``key:`` rows are read inline and
any other line by :meth:`_YamlReader.line`. Which rows matter is decided a block at a time: the values
through ``ValueCandidates`` (searched in C), the keys once per distinct key of the block. Whatever the
reader accepts is valid YAML (tests/test_fastpath.py checks it against libyaml): every line must take one
of the shapes read here, and what libyaml alone refuses (control characters, long keys, deep nesting) is
refused too.
"""

from __future__ import annotations

import re
from itertools import compress, count

from keylint import TYPE_CHECKING
from keylint.fastpath.candidates import value_candidates
from keylint.fastpath.reading import Reading, _blocks
from keylint.model import Entry
from keylint.parsers import yamlcore

if TYPE_CHECKING:
    from keylint.prefilter import Prefilter

# A mapping key we read ourselves: plain, no spaces, not a YAML indicator, not a merge key, and short enough for
# libyaml (a key must end within 1024 characters of its start).
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-/]{0,999}):(?: +|$)")
# Every line as a row (spaces, key, value, other): the common `key: value` or `key:` (with an optional comment)
# gives its key and its value as _YamlReader.line() would read them: a plain scalar that does not start with an
# indicator (for speed, without any ":" or "#" in it; its trailing spaces given back by a lookbehind, cheaper for the
# regex engine than an optional group), or a scalar in quotes without escapes, quotes and all (a single-quoted one
# without its '' escape); any other line is `other`, after its spaces. (The value and the comment are optional as
# an empty alternative, `(?:...|)`, not as `(?:...)?`: the same matches, and sre runs a branch faster than a repeat
# of a group: findall takes ~1/7 less time.) Where no other match could follow, a repeat is possessive (`*+`): the
# same matches, without the regex engine keeping a way back; and a plain value's characters are the printable ones
# but ":" and "#" (what a stream read() accepts holds no others, see _not_printable), a set of characters to be in
# rather than not: one test each, not two. Together ~13% less time cutting the dense tree's YAML into rows.
_ROW = re.compile(
    r"""^([ ]*+)(?:([A-Za-z0-9_][A-Za-z0-9_.\-/]{0,999}+):"""
    r"""(?:[ ]++([^ \n:#\-?,\[\]{}&*!|>'"%@`][ -"$-9;-~\xa0-\U0010ffff]*(?<![ ])|"[^"\\\n]*+"|'[^'\n]*+')|)"""
    r"""(?:[ ]++(?:\#[^\n]*+|)|)"""
    r"""|([^\n]*+))$""",
    re.MULTILINE,
)
_BLOCK = 1 << 20  # characters read at a time
# First characters of a plain scalar that would make it something else (or need care).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What YAML does not allow in a stream (its printable set, as libyaml and PyYAML check it).
_NOT_PRINTABLE = re.compile("[^\\x09\\x0a\\x0d\\x20-\\x7e\\x85\\xa0-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010ffff]")
# The same for ASCII text, as the bytes that are printable (bytes.translate deletes them in C far faster than the
# regex engine scans the text).
_PRINTABLE_ASCII = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])
_SECRET_KIND = re.compile(r"^[ -]*kind: *['\"]?Secret\b", re.MULTILINE)
_TRAILING_COMMENT = re.compile(r"[ \t]+#([^\r\n]*)")


class _Fallback(Exception):
    """The file leaves the shapes this module reads: parse it in full."""


class _Frame:
    """An open mapping or sequence. Its key path is made only for an entry (most frames have none): from its
    parent's and its own segment (the key or index it is the value of)."""

    __slots__ = ("indent", "index", "is_map", "key", "keys", "parent", "segment")

    def __init__(self, indent: int, is_map: bool, parent: _Frame | None = None, segment: str = "") -> None:
        self.indent = indent
        self.is_map = is_map
        self.parent = parent  # None at the top of a document
        self.segment = segment
        self.keys: set[str] = set()
        self.index = 0
        self.key = ""  # a mapping's key whose value is still to come

    def path(self) -> str | None:
        """The key path of this collection (None for a document's top)."""
        parent = self.parent
        return None if parent is None else _join(parent.path(), self.segment)


def _join(path: str | None, segment: str) -> str:
    return segment if path is None else f"{path}.{segment}"


def read(text: str, prefilter: Prefilter) -> Reading | None:
    # Kubernetes Secret data is base64-decoded by the full parser. (The word alone is found far faster than the
    # pattern, which the regex engine tries at every position.)
    if "Secret" in text and _SECRET_KIND.search(text):
        return None
    if _not_printable(text):
        return None  # libyaml refuses the file: the full parser reports why
    from keylint import limits

    if not yamlcore.libyaml_installed():
        return None  # PyYAML's own parser reads some corners differently: leave them to the full parser
    try:
        return _YamlReader(text, prefilter, min(yamlcore.MAX_DEPTH, limits.max_depth())).run()
    except _Fallback:
        return None


def _not_printable(text: str) -> bool:
    """Has ``text`` a character a YAML stream may not hold (or a byte order mark past its start)?"""
    if text.isascii():  # a megabyte at a time: a large file is not copied whole
        return any(
            text[start : start + _BLOCK].encode("ascii").translate(None, _PRINTABLE_ASCII)
            for start in range(0, len(text), _BLOCK)
        )
    return _NOT_PRINTABLE.search(text) is not None or "\ufeff" in text


class _YamlReader:
    def __init__(self, text: str, prefilter: Prefilter, max_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth  # deeper nesting is a problem the full parser reports
        self.name_matters = prefilter.name_matters
        self.names = prefilter.name_answers()
        self.value_matters = prefilter.value_matters
        self.candidates = value_candidates(prefilter)
        self.resolve = yamlcore.resolve
        self.short_tag = yamlcore.short_tag
        self.entries: list[Entry] = []
        self.max_entries = yamlcore.MAX_ENTRIES
        # Scalars read (the full parser stops past MAX_ENTRIES: then so does this), one more per document
        # for the empty value an empty document holds.
        self.values = 1
        self.stack: list[_Frame] = []
        self.pending: _Frame | None = None  # a mapping whose last key has its value still to come

    def run(self) -> Reading:
        # The loop body runs for every line of large files: a block's lines are cut into rows by one regex (in C),
        # the common `key: value` and `key:` rows are handled inline (a row indented like the row before it goes in
        # the same mapping, found without a look at the stack; one indented further opens the pending key's value),
        # comments and blank lines skipped, and every other line goes to line() whole. Which rows make entries is
        # known beforehand for the whole block.
        stack = self.stack
        max_depth = self.max_depth
        first_line = 1
        scalars = 0  # scalars read inline (the others count in self.values)
        pending = self.pending
        # The mapping a row indented by frame_spaces goes in, and its keys (None: the stack says where a row goes).
        frame_spaces: str | None = None
        frame: _Frame | None = None
        keys: set[str] = set()
        for block in _blocks(self.text, _BLOCK):
            # re.split, not findall: the rows' groups come as one flat list (before, spaces, key, value, other,
            # between, spaces, ...) cut into columns in C, without a tuple per row; a group a row lacks is None.
            parts = _ROW.split(block)
            # Every line a row: nothing but a line break between two rows (a list's items counted, the same as
            # counting the block's line breaks, in a fraction of the time).
            if parts[0] or parts[-1] or parts[5:-1:5].count("\n") != len(parts) // 5 - 1:
                raise _Fallback  # cannot happen (every line is a row); never guess
            row_keys = parts[2::5]
            values = parts[3::5]
            scalars += len(values) - values.count(None)  # every row with a value is read inline
            wanted = self.wanted(row_keys, values)
            lines: list[str] | None = None
            columns = zip(parts[1::5], row_keys, values, parts[4::5], strict=True)
            for index, (spaces, key, value, other) in enumerate(columns):
                if not key:
                    if other and other[0] != "#":  # not a blank line, not a comment
                        if lines is None:
                            lines = block.split("\n")
                        self.pending = pending
                        self.line(lines[index], first_line + index)
                        pending = self.pending
                        frame_spaces = None
                    continue
                if pending is not None:
                    indent = len(spaces)
                    if indent > pending.indent:  # the pending key's value: a mapping
                        frame = _Frame(indent, True, pending, pending.key)
                        stack.append(frame)
                        if len(stack) > max_depth:
                            raise _Fallback
                    else:
                        self.close(pending)
                        frame = self.enter(indent)
                    frame_spaces = spaces
                    keys = frame.keys
                    pending = None
                elif spaces != frame_spaces:
                    frame = self.enter(len(spaces))
                    frame_spaces = spaces
                    keys = frame.keys
                if key in keys:
                    raise _Fallback  # a duplicate: the full parser reports it
                keys.add(key)
                if not value:
                    frame.key = key
                    pending = frame
                    continue
                if index in wanted:
                    if lines is None:
                        lines = block.split("\n")
                    line = lines[index]
                    column = line.index(value, len(spaces) + len(key) + 1)
                    quote = value[0]
                    if quote == "'" or quote == '"':
                        self.add(frame, key, value[1:-1], value, quote, line, column + 1, first_line + index)
                    else:
                        self.add(frame, key, value, value, "", line, column, first_line + index)
            first_line += len(values)
        self.close(pending)
        if scalars + self.values > self.max_entries:
            raise _Fallback  # the full parser stops there and says so
        return Reading(self.entries)

    def wanted(self, keys: list[str | None], values: list[str | None]) -> set[int]:
        """Indices of the rows with a key and a value where either matters (and of some rows without a value);
        a row without a key or a value has None (or "") there."""
        # Only the keys with a value on their row are asked about (section names, often numbered, rarely repeat),
        # each looked up in C among the run's answers: the indices of the rows with a value, kept where the answer
        # for the row's key is yes (no set of the block's keys made, compared and searched again for the loud ones).
        wanted = set(compress(compress(count(), values), map(self.names.__getitem__, compress(keys, values))))
        if wanted:
            # The keys first: a row kept for its key needs no answer about its value. Those are the long values
            # (keys, tokens) the prefilter does not remember and weighs again each time, under names that ask for
            # a secret: every one the dense tree's YAML asked about (8.3k a pass, ~5% of reading it).
            values = values.copy()
            for index in wanted:
                values[index] = None
        # The values left are asked about as they come (ValueCandidates.kept_all: once Hyperscan searches, it goes
        # over a repeated value in less time than finding the repeats takes), without the Nones, and the answers'
        # indices mapped back to rows only when there are any (most blocks have none): no set of the block's
        # distinct values made and mapped back (~0.5% fewer instructions reading the dense tree's YAML, ~1.2%
        # sparse/team3's CRDs, as the .env reader reads its values).
        asked = self.candidates.kept_all(list(compress(values, values)))
        if asked:
            rows = list(compress(count(), values))
            wanted.update(map(rows.__getitem__, asked))
        return wanted

    def enter(self, indent: int) -> _Frame:
        """The open mapping a ``key: ...`` row at ``indent`` belongs to, or a new one at the top of a document."""
        stack = self.stack
        while stack and stack[-1].indent > indent:
            stack.pop()
        if not stack:
            if indent:
                raise _Fallback
            self.push(_Frame(0, True))
        frame = stack[-1]
        if not frame.is_map or frame.indent != indent:
            raise _Fallback
        return frame

    def line(self, line: str, number: int) -> None:
        """Any line but a comment, a blank line or a ``key: value`` / ``key:`` line that run() reads."""
        stack = self.stack
        content = line.lstrip(" ")
        first = content[0]
        indent = len(line) - len(content)
        if (first == "-" or first == "." or first == "%") and content.startswith(("---", "...", "%")):
            if content.rstrip(" ") != "---" or indent:
                raise _Fallback
            self.close(self.pending)
            self.pending = None
            stack.clear()
            self.values += 1
            return
        dash = first == "-" and (len(content) == 1 or content[1] == " ")
        pending = self.pending
        if pending is not None:
            self.pending = None
            if indent > pending.indent or (dash and indent == pending.indent):
                if pending.key in ("env", "environment") and dash:
                    raise _Fallback  # named list items (Kubernetes env, compose environment)
                self.push(_Frame(indent, not dash, pending, pending.key))
            else:
                self.close(pending)
        while stack and stack[-1].indent > indent:
            stack.pop()
        if dash:
            self.pending = self.item(content, line, indent, number)
            return
        frame = self.enter(indent)
        found = _KEY.match(content)
        if found is None:
            raise _Fallback  # a multi-line scalar, a complex key, a quoted key ...
        self.pending = self.key(frame, found, content, line, indent, number)

    def push(self, frame: _Frame) -> None:
        """A mapping or sequence opens (the full parser reports nesting deeper than max-depth)."""
        self.stack.append(frame)
        if len(self.stack) > self.max_depth:
            raise _Fallback

    def item(self, content: str, line: str, indent: int, number: int) -> _Frame | None:
        """A ``- item`` line; returns the mapping of a ``- key:`` item, whose key's value is still to come."""
        stack = self.stack
        if not stack:
            if indent:
                raise _Fallback
            self.push(_Frame(indent, False))
        frame = stack[-1]
        if frame.is_map or frame.indent != indent:
            raise _Fallback
        item = content[1:].lstrip(" ")
        if not item or item[0] == "#":
            raise _Fallback  # the item's content starts on the next line
        column = indent + len(content) - len(item)
        segment = str(frame.index)
        frame.index += 1
        found = _KEY.match(item)
        if found is None:
            self.scalar(frame, segment, item, line, column, number)
            return None
        child = _Frame(column, True, frame, segment)
        self.push(child)
        return self.key(child, found, item, line, column, number)

    def key(
        self, frame: _Frame, found: re.Match[str], content: str, line: str, column: int, number: int
    ) -> _Frame | None:
        """A ``key: value`` at ``column`` of ``line`` (``content``: the line from there on), in ``frame``;
        returns the frame when the key's value is on later lines."""
        key = found.group(1)
        if key in frame.keys:
            raise _Fallback  # a duplicate: the full parser reports it
        frame.keys.add(key)
        frame.key = key
        rest = content[found.end() :]
        if not rest or rest[0] == "#":
            return frame
        self.scalar(frame, key, rest, line, column + found.end(), number)
        return None

    def close(self, pending: _Frame | None) -> None:
        """A key whose value never came: YAML's null, an empty plain scalar."""
        if pending is None:
            return
        self.values += 1
        if self.name_matters(pending.key):
            raise _Fallback  # where libyaml places an empty value is the full parser's business

    def scalar(self, parent: _Frame, segment: str, rest: str, line: str, column: int, number: int) -> None:
        """A one-line scalar at ``segment`` of ``parent``, starting at ``column`` of ``line`` (``rest``: the line
        from there on)."""
        self.values += 1
        first = rest[0]
        if first == "'" or first == '"':
            close = rest.find(first, 1)
            while first == "'" and close > 0 and rest.startswith("''", close):
                close = rest.find("'", close + 2)
            if close < 0 or (first == '"' and "\\" in rest[:close]):
                raise _Fallback
            after = rest[close + 1 :]
            if after.strip(" ") and not (after[0] == " " and after.lstrip(" ")[0] == "#"):
                raise _Fallback
            raw = rest[: close + 1]
            value = raw[1:-1].replace("''", "'") if first == "'" else raw[1:-1]
            quote = first
            value_column = column + 1
        else:
            if first in _INDICATORS and not (first == "-" and rest[1:2].isdigit()):
                raise _Fallback
            cut = rest.find(" #")
            value = (rest if cut < 0 else rest[:cut]).rstrip(" ")
            if ": " in value or value.endswith(":"):
                raise _Fallback
            raw = value
            quote = ""
            value_column = column
        # The last key component is the segment's (name_matters reads only that): no path for most values.
        if self.value_matters(value) or self.name_matters(segment):
            self.add(parent, segment, value, raw, quote, line, value_column, number)

    def add(
        self, parent: _Frame, segment: str, value: str, raw: str, quote: str, line: str, value_column: int, number: int
    ) -> None:
        """The entry parsers/yaml makes of this scalar (``value_column``: where its value starts in ``line``, inside
        any quote)."""
        end = value_column - (1 if quote else 0) + len(raw)
        comment = _TRAILING_COMMENT.match(line, end)
        tag = None if quote else self.short_tag(self.resolve(value))
        # Entry's fields by position (key, value, raw, line, column, quote, key_line, comment, tag): keyword
        # arguments cost ~1 us more per entry; tests/test_fastpath.py compares the entries with the full parser's.
        self.entries.append(
            Entry(
                _join(parent.path(), segment),
                value,
                raw,
                number,
                value_column + 1,
                quote,
                number,
                comment.group(1).strip() if comment else None,
                tag,
            )
        )
