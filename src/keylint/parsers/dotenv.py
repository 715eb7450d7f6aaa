""".env files, read the way python-dotenv reads them (``dotenv_values(interpolate=False)``).

The statement grammar mirrors ``dotenv/parser.py`` regex for regex (``export``
prefix, single-quoted keys, ``'...'`` with ``\\'``/``\\\\`` escapes, ``"..."`` with
``\\n``-style escapes, values spanning lines inside quotes, unquoted values cut at
`` #``) so that ``Entry.value`` is what the application receives. ``${VAR}`` is never
expanded: a reference is reported as written.

Where we knowingly differ from python-dotenv, it is to avoid hiding a key:

* A quote that is not closed on its line, when the rest of the file does not close
  it sensibly (never closed, or junk follows the closing quote, or an intervening
  line looks like ``KEY=value`` although the value started on the quote's line), is
  reported as ``unbalanced-quote`` and the value is taken to end at the end of the
  line. python-dotenv would swallow the following lines into the value or drop the
  statement.
* A line python-dotenv cannot parse (it logs a warning and skips it) is reported as
  ``invalid-line`` and still yields an entry from a lenient ``KEY=value`` split, so
  the detectors see the value.
* Backticks are not quotes for python-dotenv: KEY=`abc` gives the value `abc` with
  its backticks, and so does ``Entry.value``; ``Entry.quote`` is then a backtick and
  ``column`` points inside the backticks, so rules can flag it.

Positions: lines are separated by ``\\n``, ``\\r\\n`` or ``\\r``; columns count code points.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from keylint.model import Entry, ParseProblem, ParseResult
from keylint.records import replace

# python-dotenv's own expressions (dotenv/parser.py), compiled once.
_MULTILINE_WHITESPACE = re.compile(r"\s*")
_EXPORT = re.compile(r"(?:export[^\S\r\n]+)?")
_SINGLE_QUOTED_KEY = re.compile(r"'([^']+)'")
_UNQUOTED_KEY = re.compile(r"([^=\#\s]+)")
_WHITESPACE = re.compile(r"[^\S\r\n]*")
_EQUAL_SIGN = re.compile(r"=[^\S\r\n]*")
_SINGLE_QUOTED_VALUE = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
_DOUBLE_QUOTED_VALUE = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_UNQUOTED_VALUE = re.compile(r"[^\r\n]*")
_UNQUOTED_COMMENT = re.compile(r"\s+#")  # python-dotenv's; searched through _comment_cut
_SPACE_HASH = re.compile(r"\s#")
_COMMENT = re.compile(r"(?:[^\S\r\n]*#([^\r\n]*))?")
_END_OF_LINE = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
_REST_OF_LINE = re.compile(r"[^\r\n]*(?:\r|\n|\r\n)?")
_DOUBLE_QUOTE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_SINGLE_QUOTE_ESCAPES = re.compile(r"\\[\\']")
# Ours: the usual statement at once (key, `=`, a plain value or a one-line quoted value without
# backslashes, an optional comment, the end of the line); anything else takes the general path.
_SIMPLE = re.compile(
    r"(?P<key>[^=\#\s'][^=\#\s]*)[^\S\r\n]*=[^\S\r\n]*"
    r"""(?:(?P<quote>["'])(?P<inner>[^"'\\\r\n]*)(?P=quote)[^\S\r\n]*(?:\#(?P<comment>[^\r\n]*))?"""
    r"""|(?P<plain>[^\s"'\#`][^\r\n]*))"""
    r"(?:\r\n|\n|\r|$)"
)
_ESCAPES = {
    "\\\\": "\\",
    "\\'": "'",
    '\\"': '"',
    "\\a": "\a",
    "\\b": "\b",
    "\\f": "\f",
    "\\n": "\n",
    "\\r": "\r",
    "\\t": "\t",
    "\\v": "\v",
}

# Ours: line structure, and what "looks like the next statement" inside a quoted value.
_NEWLINE = re.compile(r"\r\n?|\n")
_LINE_REST = re.compile(r"[^\r\n]*")
# `=` followed by something other than `=`/end of line, so base64 padding in a PEM body is not an assignment.
_ASSIGNMENT = re.compile(r"^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.\-]*[ \t]*=[ \t]*[^=\s]", re.MULTILINE)
_LENIENT = re.compile(
    r"[^\S\r\n]*(?:export[^\S\r\n]+)?(?P<key>[^=:\r\n]*?)[^\S\r\n]*[=:][^\S\r\n]*(?P<value>[^\r\n]*?)[^\S\r\n]*$",
    re.MULTILINE,
)


def _comment_cut(part: str) -> tuple[int, int] | None:
    """Where ``_UNQUOTED_COMMENT.search(part)`` matches, as (start, end), in linear time.

    The regex retries ``\\s+`` from every position of a run of spaces that no ``#`` follows:
    quadratic, minutes on one long line. The match is the whole run of whitespace before the first
    ``#`` that follows whitespace, which is found directly.
    """
    found = _SPACE_HASH.search(part)
    if found is None:
        return None
    start = found.start()
    while start > 0 and part[start - 1].isspace():  # str.isspace() is the regex's \s
        start -= 1
    return start, found.end()


def _lenient(text: str, start: int) -> tuple[str | None, str, int] | None:
    """What ``_LENIENT.match(text, start)`` finds, in linear time: (key or None when empty, value, value offset).

    The regex's lazy key and value groups, each followed by optional whitespace, make it quadratic
    on a line with long runs of spaces; the same answer is read off the line directly: the key is
    the text before the first ``=`` or ``:`` (after an ``export`` prefix), the value the rest,
    without surrounding whitespace. Neither group nor ``$`` (MULTILINE) gets past a lone CR.
    """
    end = text.find("\n", start)
    line = text[start:] if end < 0 else text[start:end]
    if "\r" in line:
        return None
    body = line.lstrip()
    offset = start + len(line) - len(body)
    if body.startswith("export") and body[6:7].isspace():
        rest = body[6:].lstrip()
        if "=" in rest or ":" in rest:
            offset += len(body) - len(rest)
            body = rest
    cut = min((i for i in (body.find("="), body.find(":")) if i >= 0), default=-1)
    if cut < 0:
        return None
    after = body[cut + 1 :]
    value = after.lstrip()
    value_pos = offset + cut + 1 + len(after) - len(value)
    return body[:cut].rstrip() or None, value.rstrip(), value_pos


class _Invalid(Exception):
    """python-dotenv's reader gave up at ``pos``."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


def _decode(regex: re.Pattern[str], value: str) -> str:
    if "\\" not in value:
        return value
    return regex.sub(lambda m: _ESCAPES[m.group(0)], value)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self.result = ParseResult()

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def run(self) -> ParseResult:
        text = self.text
        size = len(text)
        seen: dict[str, int] = {}
        pos = 1 if text.startswith("\ufeff") else 0
        while True:
            pos = _MULTILINE_WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= size:
                break
            start = pos
            fast = self.simple(pos)
            try:
                pos, entry, bare = fast if fast is not None else self.binding(pos)
            except _Invalid as invalid:
                pos = _REST_OF_LINE.match(text, invalid.pos).end()  # type: ignore[union-attr]
                self.invalid(start, invalid.pos)
                continue
            if bare is not None and bare in seen:
                line, column = self.position(start)
                self.result.problems.append(
                    ParseProblem(
                        kind="duplicate-key",
                        message=f"{bare} is set on line {seen.pop(bare)} and named again without a value on line"
                        f" {line}; python-dotenv then drops the value",
                        line=line,
                        column=column,
                        key=bare,
                    )
                )
            if entry is None:
                continue
            previous = seen.get(entry.key)
            if previous is not None:
                self.result.problems.append(
                    ParseProblem(
                        kind="duplicate-key",
                        message=f"{entry.key} is set on line {previous} and again on line {entry.key_line};"
                        f" python-dotenv uses the last one (line {entry.key_line})",
                        line=entry.key_line,
                        column=self.position(start)[1],
                        key=entry.key,
                    )
                )
            seen[entry.key] = entry.key_line
            self.result.entries.append(entry)
        return self.result

    def simple(self, pos: int) -> tuple[int, Entry, None] | None:
        """The common one-line statement in one regex match (None: take the general path).

        Same result as ``binding``; the differential tests against python-dotenv hold both to it."""
        text = self.text
        key_pos = _EXPORT.match(text, pos).end()  # type: ignore[union-attr]
        match = _SIMPLE.match(text, key_pos)
        if match is None:
            return None
        key = match.group("key")
        quote = match.group("quote")
        if quote is not None:
            value_pos = match.start("inner")
            inner = match.group("inner")
            entry = self.entry(key, key_pos, inner, quote + inner + quote, value_pos, quote)
            comment = match.group("comment")
        else:
            value_pos = match.start("plain")
            part = match.group("plain")
            cut = _comment_cut(part)
            comment = None
            if cut is not None:
                comment = part[cut[1] :]
                part = part[: cut[0]]
            value = part.rstrip()
            entry = self.entry(key, key_pos, value, value, value_pos, "")
        return match.end(), _with_comment(entry, comment) if comment is not None else entry, None

    def binding(self, pos: int) -> tuple[int, Entry | None, str | None]:
        """One statement, as python-dotenv's ``parse_binding``.

        Returns the position after it, its entry, and the key of a bare ``KEY`` (no ``=``)."""
        text = self.text
        pos = _EXPORT.match(text, pos).end()  # type: ignore[union-attr]
        key_pos = pos
        char = text[pos : pos + 1]
        key: str | None = None
        if char == "'":
            match = _SINGLE_QUOTED_KEY.match(text, pos)
            if match is None:
                raise _Invalid(pos)
            key, pos = match.group(1), match.end()
        elif char != "#":
            match = _UNQUOTED_KEY.match(text, pos)
            if match is None:
                raise _Invalid(pos)
            key, pos = match.group(1), match.end()
        pos = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
        entry: Entry | None = None
        if key is not None and text.startswith("=", pos):
            equal = _EQUAL_SIGN.match(text, pos)
            assert equal is not None
            pos = equal.end()
            if equal.end() - equal.start() > 1 and text.startswith("#", pos):
                # `KEY= # comment`: an empty value, the rest is a comment
                entry = self.entry(key, key_pos, "", "", pos, "")
            else:
                pos, entry = self.value(key, key_pos, pos)
        comment = _COMMENT.match(text, pos)
        assert comment is not None
        if comment.group(1) is not None and entry is not None and entry.comment is None:
            entry = _with_comment(entry, comment.group(1))
        end = _END_OF_LINE.match(text, comment.end())
        if end is None:
            raise _Invalid(comment.end())
        return end.end(), entry, key if entry is None else None

    def value(self, key: str, key_pos: int, pos: int) -> tuple[int, Entry]:
        text = self.text
        char = text[pos : pos + 1]
        if char in ("'", '"'):
            regex = _SINGLE_QUOTED_VALUE if char == "'" else _DOUBLE_QUOTED_VALUE
            escapes = _SINGLE_QUOTE_ESCAPES if char == "'" else _DOUBLE_QUOTE_ESCAPES
            match = regex.match(text, pos)
            line_end = _LINE_REST.match(text, pos).end()  # type: ignore[union-attr]
            if match is None or (match.end() > line_end and not self.closes_sensibly(pos, match.end(), line_end)):
                self.unbalanced(key, char, pos, line_end, match.end() if match else None)
                raw = text[pos:line_end].rstrip()
                return line_end, self.entry(key, key_pos, _decode(escapes, raw[1:]), raw, pos + 1, char)
            value = _decode(escapes, match.group(1))
            return match.end(), self.entry(key, key_pos, value, match.group(0), pos + 1, char)
        if char in ("", "\n", "\r"):
            return pos, self.entry(key, key_pos, "", "", pos, "")
        match = _UNQUOTED_VALUE.match(text, pos)
        assert match is not None
        part = match.group(0)
        cut = _comment_cut(part)
        comment = None
        if cut is not None:
            comment = part[cut[1] :].strip()
            part = part[: cut[0]]
        value = part.rstrip()
        start = pos + 1 if len(value) >= 2 and value[0] == value[-1] == "`" else pos
        entry = self.entry(key, key_pos, value, value, start, "`" if start > pos else "")
        return match.end(), _with_comment(entry, comment) if comment is not None else entry

    def closes_sensibly(self, open_pos: int, close_end: int, line_end: int) -> bool:
        """Whether a quote closed on a later line is a real multi-line value, not a forgotten quote.

        A quote alone at the end of its line (``CONFIG="``) opens a multi-line value on purpose,
        which may hold ``key=value`` lines; otherwise such a line means the quote was forgotten."""
        deliberate = not self.text[open_pos + 1 : line_end].strip()
        if not deliberate and _ASSIGNMENT.search(self.text, line_end, close_end) is not None:
            return False
        comment = _COMMENT.match(self.text, close_end)
        assert comment is not None
        return _END_OF_LINE.match(self.text, comment.end()) is not None

    def unbalanced(self, key: str, quote: str, pos: int, line_end: int, close_end: int | None) -> None:
        line, column = self.position(pos)
        if close_end is None:
            consequence = "python-dotenv skips this line"
        else:
            close_line = self.position(close_end - 1)[0]
            swallowed = [
                m.group(0).split("=", 1)[0].strip() for m in _ASSIGNMENT.finditer(self.text, line_end, close_end)
            ]
            consequence = f"python-dotenv reads on to the quote on line {close_line}"
            if swallowed:
                names = ", ".join(n.removeprefix("export").strip() for n in swallowed[:3])
                more = ", ..." if len(swallowed) > 3 else ""
                consequence += f", swallowing {names}{more}"
        self.result.problems.append(
            ParseProblem(
                kind="unbalanced-quote",
                message=f"the {quote} quote opening the value of {key} is not closed on line {line}; {consequence}",
                line=line,
                column=column,
                key=key,
            )
        )

    def invalid(self, start: int, stop: int) -> None:
        line, column = self.position(stop)
        key_line = self.position(start)[0]
        lenient = _lenient(self.text, start)
        key = lenient[0] if lenient else None
        self.result.problems.append(
            ParseProblem(
                kind="invalid-line",
                message=f"python-dotenv cannot parse the statement on line {key_line} and ignores it",
                line=line,
                column=column,
                key=key,
            )
        )
        if lenient is None or not key or not lenient[1]:
            return
        raw, value_pos = lenient[1], lenient[2]
        quote = raw[0] if raw[0] in "'\"`" else ""
        value = raw
        if quote:
            close = raw.find(quote, 1)
            value = raw[1:close] if close > 0 else raw[1:]
            value_pos += 1
        self.result.entries.append(self.entry(key, start, value, raw, value_pos, quote))

    def entry(self, key: str, key_pos: int, value: str, raw: str, value_pos: int, quote: str) -> Entry:
        line, column = self.position(value_pos)
        return Entry(
            key=key,
            value=value,
            raw=raw,
            line=line,
            column=column,
            quote=quote,
            key_line=self.position(key_pos)[0],
        )


def _with_comment(entry: Entry, comment: str) -> Entry:
    return replace(entry, comment=comment.strip())


def parse(text: str) -> ParseResult:
    try:
        return _Scanner(text).run()
    except Exception as error:  # a parser must never take the run down
        problem = ParseProblem(kind="syntax", message=str(error) or repr(error), line=1)
        return ParseResult(problems=[problem], failed=True)
