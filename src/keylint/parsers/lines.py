"""Line-by-line fallback for files that fail to parse (and for unknown formats).

Finds ``KEY=value``, ``KEY: value`` and ``"key": "value"`` pairs on each line
with no knowledge of the file's structure, so that a syntax error never hides
a key: the value detectors still see every value. Quoted pairs are found anywhere
on a line, not only at its start: minified JSON, or a file past the max-depth
limit, is often one line.
"""

from __future__ import annotations

import re

from keylint.model import Entry, ParseResult

# The value is the rest of the line without trailing blanks: taken by rstrip(), not by a lazy group
# followed by `[ \t]*$`, which is quadratic on a line with long runs of spaces.
_PAIR = re.compile(r"""^[ \t]*(?:export[ \t]+)?["']?(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)["']?[ \t]*[:=][ \t]*""")
# Linear: each attempt starts at a quote and its key and value each stop at the next quote.
_QUOTED_PAIR = re.compile(r'"(?P<key>[^"\\\n]{1,200})"[ \t]*:[ \t]*"(?P<value>(?:[^"\\\n]|\\.)*)"')
_QUOTES = {'"', "'", "`"}
# Lines end at \n, \r\n or \r only, as in every parser: str.splitlines() also breaks at U+0085, U+2028,
# form feeds ..., which would number the lines differently from the editor and the other parsers.
_LINE_BREAK = re.compile(r"\r\n?|\n")


def parse(text: str) -> ParseResult:
    result = ParseResult()
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        match = _PAIR.match(line)
        rest = 0  # where quoted pairs further on the line may start
        if match:
            raw = line[match.end() :].rstrip(" \t").rstrip(",")
            if not raw or raw.startswith("#"):
                continue
            column = match.end() + 1
            quote = raw[0] if raw[0] in _QUOTES else ""
            value = raw
            rest = len(line)
            if quote:
                end = raw.find(quote, 1)
                value = raw[1:end] if end > 0 else raw[1:]
                column += 1
                if end > 0 and quote == '"':
                    rest = match.end() + end + 1
            result.entries.append(Entry(match.group("key"), value, raw, number, column, quote=quote, key_line=number))
        for pair in _QUOTED_PAIR.finditer(line, rest):
            value = pair.group("value")
            start = pair.start("value")
            result.entries.append(
                Entry(pair.group("key"), value, f'"{value}"', number, start + 1, quote='"', key_line=number)
            )
    return result
