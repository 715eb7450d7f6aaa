"""INI files (``.ini``, ``.cfg``, ``setup.cfg``, ``tox.ini``, ``.pypirc``, ``.npmrc``), line by line.

Two readers share the format, and a file tells which one it is written for:

* A file whose first statement is a ``[section]`` header is read as Python's
  ``configparser`` does (defaults of ``RawConfigParser``): ``=`` or ``:`` delimits,
  whole-line ``#``/``;`` comments, no inline comments (``key = abc ; note`` gives
  ``abc ; note``; ``Entry.comment`` still holds ``note`` so rules can point that
  out), indented lines continue a value (joined with newlines, blank lines kept
  inside), ``[DEFAULT]`` is a section like the others. No ``%(interpolation)s``.
* A file that starts with options outside any section, like ``.npmrc``, is read
  as npm's ``ini`` package does (configparser would refuse it): the key is
  everything before the first ``=`` (``//registry.npmjs.org/:_authToken``),
  values are trimmed, quoted values are unquoted (``"..."`` JSON-decoded), and an
  unquoted value ends at ``;`` or ``#`` (``\\;``, ``\\#`` escape them).

Key paths are ``section.key`` (just ``key`` before any section); keys keep their
case (configparser lowercases them, npm does not). Duplicate sections and options
are ``duplicate-key`` problems (configparser refuses the file, npm keeps the last),
lines configparser cannot read are ``invalid-line`` problems.

Positions: lines are separated by ``\\n``, ``\\r\\n`` or ``\\r``; columns count code points.
"""

from __future__ import annotations

import json
import re

from keylint.model import Entry, ParseProblem, ParseResult

_NEWLINE = re.compile(r"\r\n?|\n")
# configparser's own expressions (RawConfigParser.SECTCRE, OPTCRE, NONSPACECRE)
_SECTION = re.compile(r"\[(?P<header>.+)\]")
_OPTION = re.compile(r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$")
_NONSPACE = re.compile(r"\S")
# a would-be inline comment, which configparser keeps in the value
_INLINE_COMMENT = re.compile(r"\s[#;](.*)$")
# npm ini's line expression
_NPM_LINE = re.compile(r"^\[([^\]]*)\]\s*$|^([^=]+)(=(.*))?$")
_NPM_SKIP = re.compile(r"^\s*[;#]|^\s*$")


class _Value:
    """A configparser value being read: its lines and where they are."""

    __slots__ = ("end", "key", "key_line", "parts", "start", "start_column", "start_line")

    def __init__(self, key: str, key_line: int, text: str, start: int, line: int, column: int) -> None:
        self.key = key
        self.key_line = key_line
        self.parts = [text]
        self.start = start  # offset of the first character of the content
        self.end = start + len(text)  # offset after the last non-blank part
        self.start_line, self.start_column = line, column


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, text) of every line."""
    starts = [0]
    starts.extend(m.end() for m in _NEWLINE.finditer(text))
    ends = [m.start() for m in _NEWLINE.finditer(text)]
    ends.append(len(text))
    return [(start, text[start:end]) for start, end in zip(starts, ends, strict=True)]


def _configparser(text: str, lines: list[tuple[int, str]], result: ParseResult) -> None:
    section: str | None = None
    current: _Value | None = None
    indent_level = 0
    sections: dict[str, int] = {}
    options: dict[tuple[str, str], int] = {}

    def finish() -> None:
        if current is None:
            return
        value = "\n".join(current.parts).rstrip()
        comment = _INLINE_COMMENT.search(value) if "\n" not in value else None
        start, line, column = current.start, current.start_line, current.start_column
        if not current.parts[0] and value:
            # `key =` then indented lines: point at the first of them
            content = _NONSPACE.search(text, start)
            if content is not None:
                start = content.start()
                line, column = _position(lines, start)
        result.entries.append(
            Entry(
                key=current.key,
                value=value,
                raw=text[start : current.end],
                line=line,
                column=column,
                key_line=current.key_line,
                comment=comment.group(1).strip() if comment else None,
            )
        )

    for number, (offset, line) in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith(("#", ";")):
            continue  # a comment line neither ends nor extends a value
        if not stripped:
            if current is not None:
                current.parts.append("")
            continue
        first = _NONSPACE.search(line)
        indent = first.start() if first else 0
        if current is not None and indent > indent_level:
            current.parts.append(stripped)
            current.end = offset + indent + len(stripped)
            continue
        indent_level = indent
        finish()
        current = None
        header = _SECTION.match(stripped)
        if header is not None:
            section = header.group("header")
            if section in sections:
                result.problems.append(
                    ParseProblem(
                        kind="duplicate-key",
                        message=f"section [{section}] is defined on line {sections[section]} and again on line"
                        f" {number}; configparser refuses the file",
                        line=number,
                        column=indent + 1,
                        key=section,
                    )
                )
            sections.setdefault(section, number)
            continue
        option = _OPTION.match(stripped)
        if option is None or not option.group("option"):
            result.problems.append(
                ParseProblem(
                    kind="invalid-line",
                    message=f"configparser cannot read line {number} (no `=` or `:` after a key); it refuses the file",
                    line=number,
                    column=indent + 1,
                )
            )
            continue
        name = option.group("option").rstrip()
        key = f"{section}.{name}"
        identity = (section or "", name.lower())
        if identity in options:
            result.problems.append(
                ParseProblem(
                    kind="duplicate-key",
                    message=f"{key} is set on line {options[identity]} and again on line {number};"
                    " configparser refuses the file",
                    line=number,
                    column=indent + 1,
                    key=key,
                )
            )
        options[identity] = number
        value = option.group("value").strip()
        column = indent + option.start("value")
        current = _Value(key, number, value, offset + column, number, column + 1)
    finish()


def _position(lines: list[tuple[int, str]], offset: int) -> tuple[int, int]:
    low, high = 0, len(lines) - 1
    while low < high:  # the last line starting at or before offset
        middle = (low + high + 1) // 2
        if lines[middle][0] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1, offset - lines[low][0] + 1


def _npm_unquote(raw: str) -> tuple[str, str, str | None, int]:
    """npm ini's ``unsafe()``: (value, quote, inline comment, length of the value's source)."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1] if raw[0] == "'" else raw
        try:
            decoded = json.loads(inner)
        except ValueError:
            decoded = None
        if isinstance(decoded, str):
            return decoded, raw[0], None, len(raw)
        return (inner, "'", None, len(raw)) if raw[0] == "'" else (raw, "", None, len(raw))
    value: list[str] = []
    escaped = False
    for index, char in enumerate(raw):
        if escaped:
            value.append(char if char in "\\;#" else "\\" + char)
            escaped = False
        elif char in ";#":
            return "".join(value).strip(), "", raw[index + 1 :].strip(), len(raw[:index].rstrip())
        elif char == "\\":
            escaped = True
        else:
            value.append(char)
    if escaped:
        value.append("\\")
    return "".join(value).strip(), "", None, len(raw)


def _npm(lines: list[tuple[int, str]], result: ParseResult) -> None:
    section = ""
    seen: dict[str, int] = {}
    for number, (_, line) in enumerate(lines, start=1):
        if _NPM_SKIP.match(line):
            continue
        match = _NPM_LINE.match(line)
        if match is None:
            continue
        if match.group(1) is not None:
            section = match.group(1).strip()
            continue
        name = match.group(2).strip()
        if match.group(3) is None or not name:
            continue  # a bare `flag` is `true` to npm: no value to check
        value_start = match.start(4) + len(match.group(4)) - len(match.group(4).lstrip())
        raw = match.group(4).strip()
        value, quote, comment, length = _npm_unquote(raw)
        raw = raw[:length]
        key = f"{section}.{name}" if section else name
        if key in seen and not key.endswith("[]"):
            result.problems.append(
                ParseProblem(
                    kind="duplicate-key",
                    message=f"{key} is set on line {seen[key]} and again on line {number};"
                    f" npm uses the last one (line {number})",
                    line=number,
                    column=len(line) - len(line.lstrip()) + 1,
                    key=key,
                )
            )
        seen[key] = number
        result.entries.append(
            Entry(
                key=key,
                value=value,
                raw=raw,
                line=number,
                column=value_start + (2 if quote else 1),
                quote=quote,
                key_line=number,
                comment=comment,
            )
        )


def _parse(text: str) -> ParseResult:
    result = ParseResult()
    lines = _lines(text)
    first = next((s for _, line in lines if (s := line.strip()) and not s.startswith(("#", ";"))), "")
    if _SECTION.match(first):
        _configparser(text, lines, result)
    else:
        _npm(lines, result)
    return result


def parse(text: str) -> ParseResult:
    try:
        return _parse(text)
    except Exception as error:  # a parser must never take the run down
        problem = ParseProblem(kind="syntax", message=str(error) or repr(error), line=1)
        return ParseResult(problems=[problem], failed=True)
