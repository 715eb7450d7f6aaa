"""TOML files: values from tomllib (tomli on Python 3.10), positions from a small scanner.

tomllib decides validity and every value; the scanner below only runs over text
tomllib accepted, so it can be small: it tracks ``[table]`` and ``[[array]]``
headers (with the index of the current element of each array of tables), dotted
and quoted keys, arrays, inline tables and the four string forms, and records
where each scalar is written. Key paths are dotted, array elements use their index
(``servers.0.token``, ``tool.poetry.source.1.url``).

Strings give the decoded text; other scalars (integers, floats, booleans, dates)
give their source text, with ``Entry.tag`` naming the type (``int``, ``float``,
``bool``, ``timestamp``, ``date``, ``time``). ``Entry.quote`` is ``"`` / ``'`` or, for multi-line strings,
``\"\"\"`` / ``'''``; ``line``/``column`` point at the first character of the content
(after the newline TOML trims right after an opening ``\"\"\"``).

A duplicate key or table is an error in TOML: tomllib's message and position are
reported as a ``syntax`` problem and the file fails.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right

from keylint import TYPE_CHECKING, limits
from keylint.model import Entry, ParseProblem, ParseResult

if TYPE_CHECKING:
    from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_NEWLINE = re.compile(r"\r\n?|\n")
_BLANK = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")  # whitespace, newlines and comments
_SPACE = re.compile(r"[ \t]*")
_KEY_PART = re.compile(r"""[A-Za-z0-9_\-]+|"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'""")
_DOT = re.compile(r"[ \t]*\.[ \t]*")
_EQUALS = re.compile(r"[ \t]*=[ \t]*")
_ML_BASIC = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""(?:"{0,2})', re.DOTALL)
_ML_LITERAL = re.compile(r"'''(?:[^']|'(?!''))*'''(?:'{0,2})")
_BASIC = re.compile(r'"(?:[^"\\\r\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\r\n]*'")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
)
_BARE_VALUE = re.compile(r"[^\s,\]\}#]+")
_COMMENT = re.compile(r"[ \t]*,?[ \t]*#([^\r\n]*)")
_ERROR_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")

# the type tomllib loads a non-string scalar as, named like YAML's tags
_TAGS = {"bool": "bool", "int": "int", "float": "float", "datetime": "timestamp", "date": "date", "time": "time"}

Path = tuple[str | int, ...]


class _Scanner:
    """Where each scalar of an already validated TOML document is written."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))
        # path, key line, token start, content start, end, quote
        self.found: list[tuple[Path, int, int, int, int, str]] = []
        self.arrays_of_tables: dict[Path, int] = {}

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def run(self) -> None:
        text = self.text
        size = len(text)
        table: Path = ()
        pos = _BLANK.match(text, 0).end()  # type: ignore[union-attr]
        while pos < size:
            if text.startswith("[[", pos):
                keys, pos = self.key(_SPACE.match(text, pos + 2).end())  # type: ignore[union-attr]
                table = self.header(keys, array=True)
                pos = _SPACE.match(text, pos).end() + 2  # type: ignore[union-attr]
            elif text[pos] == "[":
                keys, pos = self.key(_SPACE.match(text, pos + 1).end())  # type: ignore[union-attr]
                table = self.header(keys, array=False)
                pos = _SPACE.match(text, pos).end() + 1  # type: ignore[union-attr]
            else:
                key_pos = pos
                keys, pos = self.key(pos)
                pos = _EQUALS.match(text, pos).end()  # type: ignore[union-attr]
                pos = self.value(pos, table + keys, key_pos)
            pos = _BLANK.match(text, pos).end()  # type: ignore[union-attr]

    def header(self, keys: Path, array: bool) -> Path:
        """The path a ``[table]`` / ``[[array]]`` header opens, with the current index of
        every array of tables on the way."""
        resolved: list[str | int] = []
        for number, key in enumerate(keys):
            resolved.append(key)
            so_far = tuple(resolved)
            if array and number == len(keys) - 1:
                index = self.arrays_of_tables.get(so_far, 0)
                self.arrays_of_tables[so_far] = index + 1
                resolved.append(index)
            elif so_far in self.arrays_of_tables:
                resolved.append(self.arrays_of_tables[so_far] - 1)
        return tuple(resolved)

    def key(self, pos: int) -> tuple[Path, int]:
        text = self.text
        parts: list[str | int] = []
        while True:
            match = _KEY_PART.match(text, pos)
            if match is None:
                raise ValueError(f"scanner lost at offset {pos}")
            part = match.group(0)
            if part[0] == "'":
                parts.append(part[1:-1])
            elif part[0] == '"':
                parts.append(tomllib.loads(f"k = {part}")["k"] if "\\" in part else part[1:-1])
            else:
                parts.append(part)
            pos = match.end()
            dot = _DOT.match(text, pos)
            if dot is None:
                return tuple(parts), pos
            pos = dot.end()

    def value(self, pos: int, path: Path, key_pos: int) -> int:
        """Scan one value (arrays and inline tables iteratively) starting at ``pos``.

        ``key_pos`` is where the value's key is written, -1 for array elements (their own line)."""
        text = self.text
        stack: list[list[Any]] = []  # ["[", path, index] or ["{", path]
        while True:
            char = text[pos]
            if char == "[":
                stack.append(["[", path, 0])
                pos = _BLANK.match(text, pos + 1).end()  # type: ignore[union-attr]
                if text[pos] != "]":
                    path, key_pos = (*path, 0), -1
                    continue
                pos += 1
                stack.pop()
            elif char == "{":
                stack.append(["{", path])
                pos = _BLANK.match(text, pos + 1).end()  # type: ignore[union-attr]
                if text[pos] != "}":
                    key_pos = pos
                    keys, pos = self.key(pos)
                    pos = _EQUALS.match(text, pos).end()  # type: ignore[union-attr]
                    path = stack[-1][1] + keys
                    continue
                pos += 1
                stack.pop()
            else:
                pos = self.scalar(pos, path, key_pos if key_pos >= 0 else pos)
            # after a complete value: close containers until one has another element
            while stack:
                frame = stack[-1]
                pos = _BLANK.match(text, pos).end()  # type: ignore[union-attr]
                if text[pos] == ",":
                    pos = _BLANK.match(text, pos + 1).end()  # type: ignore[union-attr]
                    if frame[0] == "[" and text[pos] != "]":
                        frame[2] += 1
                        path, key_pos = (*frame[1], frame[2]), -1
                        break
                    if frame[0] == "{" and text[pos] != "}":
                        key_pos = pos
                        keys, pos = self.key(pos)
                        pos = _EQUALS.match(text, pos).end()  # type: ignore[union-attr]
                        path = frame[1] + keys
                        break
                pos += 1  # the closing bracket or brace
                stack.pop()
            else:
                return pos

    def scalar(self, pos: int, path: Path, key_pos: int) -> int:
        text = self.text
        char = text[pos]
        key_line = self.position(key_pos)[0]
        if text.startswith('"""', pos) or text.startswith("'''", pos):
            match = (_ML_BASIC if char == '"' else _ML_LITERAL).match(text, pos)
            if match is None:
                raise ValueError(f"scanner lost in a string at offset {pos}")
            content = pos + 3
            if text.startswith("\n", content):
                content += 1
            elif text.startswith("\r\n", content):
                content += 2
            self.found.append((path, key_line, pos, content, match.end(), char * 3))
            return match.end()
        if char == '"' or char == "'":
            match = (_BASIC if char == '"' else _LITERAL).match(text, pos)
            if match is None:
                raise ValueError(f"scanner lost in a string at offset {pos}")
            self.found.append((path, key_line, pos, pos + 1, match.end(), char))
            return match.end()
        match = _DATETIME.match(text, pos) or _BARE_VALUE.match(text, pos)
        if match is None:
            raise ValueError(f"scanner lost at offset {pos}")
        self.found.append((path, key_line, pos, pos, match.end(), ""))
        return match.end()


def _depth(document: Any) -> int:
    """How deeply tables and arrays nest in a loaded document (iteratively: tomllib already bounds it)."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _lookup(document: Any, path: Path) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


def _error(error: Exception, text: str) -> ParseProblem:
    message = str(error)
    match = _ERROR_POSITION.search(message)
    line, column = 1, 1
    if match is not None:
        message = message[: match.start()]
        if match.group(1):
            line, column = int(match.group(1)), int(match.group(2))
        else:  # "at end of document"
            lines = _NEWLINE.split(text)
            line, column = len(lines), len(lines[-1]) + 1
    return ParseProblem(kind="syntax", message=message, line=line, column=column)


def _parse(text: str) -> ParseResult:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return ParseResult(problems=[_error(error, text)], failed=True)
    except RecursionError:
        problem = ParseProblem(kind="limit", message="nesting too deep for tomllib", line=1)
        return ParseResult(problems=[problem], failed=True)
    depth = _depth(document)
    if depth > limits.max_depth():
        message = f"nesting deeper than {limits.max_depth()} levels (max-depth)"
        return ParseResult(problems=[ParseProblem(kind="limit", message=message, line=1)], failed=True)
    scanner = _Scanner(text)
    scanner.run()
    result = ParseResult()
    for path, key_line, token_start, content_start, end, quote in scanner.found:
        raw = text[token_start:end]
        try:
            loaded = _lookup(document, path)
        except (KeyError, IndexError, TypeError):
            loaded = None
        value = loaded if isinstance(loaded, str) else raw
        tag = None if isinstance(loaded, str) else _TAGS.get(type(loaded).__name__)
        line, column = scanner.position(content_start)
        comment = _COMMENT.match(text, end)
        result.entries.append(
            Entry(
                key=".".join(str(p) for p in path),
                value=value,
                raw=raw,
                line=line,
                column=column,
                quote=quote,
                key_line=key_line,
                comment=comment.group(1).strip() if comment else None,
                tag=tag,
            )
        )
    return result


def parse(text: str) -> ParseResult:
    try:
        return _parse(text)
    except Exception as error:  # a parser must never take the run down
        problem = ParseProblem(kind="syntax", message=str(error) or repr(error), line=1)
        return ParseResult(problems=[problem], failed=True)
