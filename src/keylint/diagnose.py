"""Why a key-like token is not a valid key of a format: the evidence behind the KL2xx messages.

Pure functions over strings, shared by detection (to decide whether a near-miss is an
attempt at a format, and at which one) and by the format rules (to say what is wrong).

A token is first *cleaned*: invisible characters (zero-width spaces, a stray BOM ...)
and whitespace gaps (a space, a line break, a literal ``\\n``) are removed and lookalike
characters (Cyrillic ``а``, an en dash for ``-``, fullwidth letters) are mapped to the
ASCII character they imitate; each change is a :class:`Damage`. The cleaned text is
then compared with the format's template, segment by segment:

* the checksum fails although the shape is right;
* characters outside the alphabet of their segment (:class:`BadChar`, with the likely
  intended character when a classic confusion explains it: O/0, l/1, I/1, S/5 ...);
* too short (truncated, possibly missing a fixed tail like Anthropic's ``AA``) or too
  long (an extra character, or the right key followed by junk);
* a prefix that is a near-miss of the format's (``ghp-``, ``sk_live-``, ``sk-ant-api3-``).

Nothing here guesses a character to repair a checksum or a length: suggestions are
only offered where the template itself says what the character must be.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from keylint.checksums import CHECKSUMS
from keylint.providers.schema import KeyFormat, Segment
from keylint.values import (
    _PLACEHOLDER_WORDS,
    Endings,
    holds_any,
    is_placeholder,
    looks_random,
    mixed_case,
    words_pattern,
)

# Characters that render as nothing, or as an ordinary space, and are never part of a key.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0"
)
# Unicode spaces that look like an ASCII space (or like nothing) in an editor.
UNICODE_SPACES = frozenset(
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
ASCII_WHITESPACE = frozenset(" \t\n\r\f\v")

_CYRILLIC = dict(zip("аеорсухѕіјһԁԛԝӏАВЕКМНОРСТХУІЈЅԚԜӀ", "aeopcyxsijhdqwlABEKMHOPCTXYIJSQWI", strict=True))
_GREEK = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοινκρ", "ABEZHIKMNOPTYXoivkp", strict=True))
_PUNCTUATION = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash (word processors turn "-" into it)
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\ufe63": "-",
    "\uff0d": "-",
    "\u2024": ".",  # one dot leader
    "\uff0e": ".",
    "\uff3f": "_",
}
CONFUSABLES: dict[str, str] = {
    **_CYRILLIC,
    **_GREEK,
    **_PUNCTUATION,
    **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},  # fullwidth digits
    **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},  # fullwidth capitals
    **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},  # fullwidth small letters
}
SMART_QUOTES: dict[str, str] = {
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\uff02": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u2039": "'",
    "\u203a": "'",
    "\uff07": "'",
}
# Classic misreadings, most likely intended character first.
LIKELY: dict[str, str] = {
    "0": "Oo",
    "O": "0o",
    "o": "0O",
    "1": "lIi",
    "l": "1I",
    "I": "1l",
    "i": "1l",
    "5": "Ss",
    "S": "5",
    "s": "5",
    "8": "B",
    "B": "8",
    "2": "Zz",
    "Z": "2",
    "z": "2",
    "6": "Gb",
    "G": "6",
    "9": "gq",
    "g": "9",
    "q": "9",
    "+": "-",
    "/": "_",
    "-": "+",
    "_": "/",
}
_ESCAPED_BREAK = re.compile(r"\\[nrt]")
# The ASCII characters clean() may remove: whitespace (what the regex \s finds in ASCII) and the backslash of
# a literal escape. Looked for one by one (str's search runs at memory speed; a regex search for [\s\\] read a
# multi-kilobyte value at about 8 ns a character).
_ASCII_TO_CLEAN = "".join(c for c in map(chr, range(128)) if c.isspace()) + "\\"

ALPHABET_NAMES = {
    "base62": "letters and digits",
    "alnum": "letters and digits",
    "lower": "lowercase letters and digits",
    "upper": "uppercase letters and digits",
    "alpha": "letters",
    "lowalpha": "lowercase letters",
    "upalpha": "uppercase letters",
    "hex": "lowercase hex digits (0-9, a-f)",
    "HEX": "uppercase hex digits (0-9, A-F)",
    "digit": "digits",
    "base32": "base32 (A-Z and 2-7: no 0, 1, 8 or 9)",
    "b64": "base64 (letters, digits, + and /)",
    "b64url": "base64url (letters, digits, - and _)",
}

# Diagnosis limits: beyond them a token is not an attempt at the format but something else.
MAX_DIAGNOSED_LENGTH = 512
MAX_BAD_CHARS = 3


def char_name(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"


def describe_char(char: str) -> str:
    """A character as a human can read it in a message: 'O' (letter), '0' (digit zero), or its code point."""
    if char.isascii() and char.isprintable() and char != " ":
        kind = "digit" if char.isdigit() else "letter" if char.isalpha() else "character"
        return f"'{char}' ({kind}{' zero' if char == '0' else ''})" if char.isalnum() else f"'{char}'"
    return char_name(char)


def alphabet_name(segment: Segment) -> str:
    return ALPHABET_NAMES.get(segment.alphabet_name, f"the characters {segment.alphabet_name}")


# Plain classes with __slots__ rather than dataclasses: these are imported on every run, and generating
# dataclass methods costs milliseconds of start-up.


class Damage:
    """A change cleaning made to a token: ``length`` characters at ``offset`` (in the token)."""

    __slots__ = ("kind", "length", "offset", "replacement", "text")

    def __init__(self, offset: int, length: int, kind: str, text: str, replacement: str) -> None:
        self.offset = offset
        self.length = length
        self.kind = kind  # "invisible", "lookalike", "space" (spaces/tabs), "newline", "escape" (a literal \n)
        self.text = text  # the original characters
        self.replacement = replacement  # what cleaning put there ("" or the ASCII lookalike)

    def __repr__(self) -> str:
        return f"Damage({self.offset}, {self.length}, {self.kind!r}, {self.text!r}, {self.replacement!r})"


class BadChar:
    __slots__ = ("char", "expected", "offset", "suggestion")

    def __init__(self, offset: int, char: str, expected: str, suggestion: str | None) -> None:
        self.offset = offset  # in the token
        self.char = char
        self.expected = expected  # what the template allows there, in words
        self.suggestion = suggestion  # the likely intended character, when evident

    def __repr__(self) -> str:
        return f"BadChar({self.offset}, {self.char!r}, {self.expected!r}, {self.suggestion!r})"


class Diagnosis:
    """What is wrong with a token as a key of one format (immutable by convention; cached by diagnose)."""

    __slots__ = (
        "bad_chars",
        "checksum_failed",
        "cleaned",
        "damages",
        "length_delta",
        "overlong_head",
        "prefix_typo",
        "score",
        "segment_note",
        "token",
        "truncated_tail",
        "valid",
    )

    def __init__(
        self,
        token: str,
        cleaned: str,
        damages: tuple[Damage, ...],
        *,
        valid: bool = False,
        checksum_failed: bool = False,
        bad_chars: tuple[BadChar, ...] = (),
        length_delta: int = 0,
        segment_note: str | None = None,
        prefix_typo: str | None = None,
        truncated_tail: str | None = None,
        overlong_head: int = 0,
        score: int | None = 0,
    ) -> None:
        self.token = token
        self.cleaned = cleaned
        self.damages = damages
        self.valid = valid  # the cleaned token passes the format completely
        self.checksum_failed = checksum_failed
        self.bad_chars = bad_chars
        self.length_delta = length_delta  # > 0: too long by that many characters; < 0: too short
        self.segment_note = segment_note  # "the part after 'PMAK-' has 23 characters, expected 24"
        self.prefix_typo = prefix_typo  # what stands where the format's prefix should be
        self.truncated_tail = truncated_tail  # a fixed ending the token lacks (Anthropic's "AA")
        self.overlong_head = overlong_head  # the first N cleaned characters already form a valid key
        self.score = score  # how far from valid (None: not an attempt at this format)

    @property
    def recognised(self) -> bool:
        return self.score is not None

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__ if name != "token")
        return f"Diagnosis({fields})"


def clean(token: str) -> tuple[str, tuple[Damage, ...], tuple[int, ...]]:
    """The token without invisible characters and whitespace gaps, lookalikes mapped to ASCII.

    Returns the cleaned text, the damages, and for every cleaned character its offset in ``token``.
    """
    cleaned, damages, where = _cleaned(token)
    return cleaned, damages, tuple(where)


def cleaned_text(token: str) -> str:
    """:func:`clean`'s text alone: without the tuple of a new int per character that clean() makes of the offsets."""
    return _cleaned(token)[0]


def _cleaned(token: str) -> tuple[str, tuple[Damage, ...], Sequence[int]]:
    """:func:`clean`, with the offsets of an undamaged token as a range rather than a tuple.

    :func:`diagnose` reads a few offsets at most, and only of a token it diagnoses in full (at most
    ``MAX_DIAGNOSED_LENGTH`` characters), while variables named for a provider hold multi-kilobyte
    values: a tuple of a new int per character was most of what diagnosing one of them cost (with the search
    below, diagnosing the dense tree's tokens took a third of the time).
    """
    # An ASCII token none of whose characters cleaning removes is its own cleaned text, character for character.
    if token.isascii() and not any(map(token.__contains__, _ASCII_TO_CLEAN)):
        return token, (), range(len(token))
    return _clean_by_character(token)


def _clean_by_character(token: str) -> tuple[str, tuple[Damage, ...], tuple[int, ...]]:
    """:func:`clean` of any token, a character at a time."""
    out: list[str] = []
    where: list[int] = []
    damages: list[Damage] = []
    i = 0
    n = len(token)
    while i < n:
        char = token[i]
        if char in ASCII_WHITESPACE or char in UNICODE_SPACES or _ESCAPED_BREAK.match(token, i):
            j = i
            while j < n:
                if token[j] in ASCII_WHITESPACE or token[j] in UNICODE_SPACES:
                    j += 1
                elif _ESCAPED_BREAK.match(token, j):
                    j += 2
                else:
                    break
            gap = token[i:j]
            if "\n" in gap or "\r" in gap:
                kind = "newline"
            elif "\\" in gap:
                kind = "escape"
            elif any(c in UNICODE_SPACES for c in gap):
                kind = "invisible"
            else:
                kind = "space"
            damages.append(Damage(i, j - i, kind, gap, ""))
            i = j
            continue
        if char in INVISIBLE:
            damages.append(Damage(i, 1, "invisible", char, ""))
            i += 1
            continue
        mapped = CONFUSABLES.get(char)
        if mapped is not None:
            damages.append(Damage(i, 1, "lookalike", char, mapped))
            char = mapped
        out.append(char)
        where.append(i)
        i += 1
    return "".join(out), tuple(damages), tuple(where)


def _cls(alphabet: str) -> str:
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in alphabet) + "]"


class _Shapes:
    """Relaxed regexes for one format (built once per format)."""

    __slots__ = ("body", "lengths", "positional", "truncated")

    def __init__(
        self, positional: re.Pattern[str], lengths: re.Pattern[str], truncated: re.Pattern[str], body: re.Pattern[str]
    ) -> None:
        self.positional = positional  # right length per segment, any characters after the prefix
        self.lengths = lengths  # right characters, any length per segment
        self.truncated = truncated  # a proper beginning of a valid key
        self.body = body  # everything after the prefix, strict


@lru_cache(maxsize=1024)
def _shapes(fmt: KeyFormat) -> _Shapes:
    segments = fmt.segments
    first = 1 if segments[0].is_literal else 0
    head = re.escape(segments[0].literal) if first else ""
    positional = head + "".join(
        f"(.{{{len(s.literal)}}})" if s.is_literal else f"(.{{{s.min_len},{s.max_len}}})" for s in segments[first:]
    )
    lengths = head + "".join(
        f"({re.escape(s.literal)})" if s.is_literal else f"({_cls(s.alphabet)}*)" for s in segments[first:]
    )
    body = "".join(s.regex() for s in segments[first:])
    return _Shapes(
        positional=re.compile(positional, re.DOTALL),
        lengths=re.compile(lengths),
        truncated=re.compile(_partial(list(segments))),
        body=re.compile(body),
    )


def _partial(segments: list[Segment]) -> str:
    """A regex for the non-empty proper beginnings of strings of this shape."""
    if not segments:
        return ""
    segment = segments[0]
    rest = _partial(segments[1:])
    if segment.is_literal:
        full = re.escape(segment.literal)
        cut = [re.escape(segment.literal[:k]) for k in range(1, len(segment.literal))]
    else:
        full = f"{_cls(segment.alphabet)}{{{segment.min_len},{segment.max_len}}}"
        cut = [f"{_cls(segment.alphabet)}{{1,{max(segment.max_len - 1, 1)}}}"] if segment.max_len > 0 else []
    options = [full + (f"(?:{rest})?" if rest else ""), *cut]
    return "(?:" + "|".join(options) + ")"


def checksum_ok(fmt: KeyFormat, token: str) -> bool:
    return not fmt.checksum or CHECKSUMS[fmt.checksum].valid(token)


def _suggest(char: str, allowed: str) -> str | None:
    for option in LIKELY.get(char, ""):
        if option in allowed:
            return option
    swapped = char.swapcase()
    if swapped != char and swapped in allowed:
        return swapped
    return None


def _positional_bad_chars(fmt: KeyFormat, cleaned: str, where: Sequence[int]) -> list[BadChar] | None:
    match = _shapes(fmt).positional.fullmatch(cleaned)
    if match is None:
        return None
    segments = fmt.segments
    first = 1 if segments[0].is_literal else 0
    bad: list[BadChar] = []
    for group, segment in enumerate(segments[first:], start=1):
        start = match.start(group)
        for k, char in enumerate(match.group(group)):
            offset = where[start + k]
            if segment.is_literal:
                if char != segment.literal[k]:
                    expected = f"'{segment.literal[k]}' (part of the fixed text '{segment.literal}')"
                    bad.append(BadChar(offset, char, expected, segment.literal[k]))
            elif char not in segment.alphabet:
                bad.append(BadChar(offset, char, alphabet_name(segment), _suggest(char, segment.alphabet)))
            if len(bad) > MAX_BAD_CHARS:
                return None
    return bad


def _segment_note(fmt: KeyFormat, cleaned: str) -> tuple[int, str | None] | None:
    """Per-segment length errors for a token with the right characters; (total deviation, note)."""
    match = _shapes(fmt).lengths.fullmatch(cleaned)
    if match is None:
        return None
    segments = fmt.segments
    first = 1 if segments[0].is_literal else 0
    deviation = 0
    note = None
    previous = segments[0].literal if first else ""
    for group, segment in enumerate(segments[first:], start=1):
        if segment.is_literal:
            previous = segment.literal
            continue
        size = len(match.group(group))
        if size < segment.min_len or size > segment.max_len:
            deviation += segment.min_len - size if size < segment.min_len else size - segment.max_len
            expected = (
                str(segment.min_len) if segment.min_len == segment.max_len else f"{segment.min_len}-{segment.max_len}"
            )
            where = f"after '{previous}'" if previous else "at the start"
            note = note or f"the part {where} has {size} characters, expected {expected}"
        previous = ""
    return deviation, note


def _length_delta(fmt: KeyFormat, size: int) -> int:
    if size < fmt.min_length:
        return size - fmt.min_length
    if size > fmt.max_length:
        return size - fmt.max_length
    return 0


def _missing_tail(fmt: KeyFormat) -> str | None:
    last = fmt.segments[-1]
    return last.literal if last.is_literal and len(fmt.segments) > 1 else None


def damerau(a: str, b: str) -> int:
    """Optimal-string-alignment edit distance (a swap of neighbours counts as one edit)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def prefix_tolerance(prefix: str) -> int:
    """Edits a prefix may have and still count as a typo of it."""
    return 0 if len(prefix) < 3 else 1 if len(prefix) < 8 else 2


def prefix_typo_possible(fmt: KeyFormat, text: str) -> bool:
    """Could ``text`` begin with a near-miss of the format's prefix? False rules out :func:`fuzzy_prefix_split`.

    Cheap where the edit distance is not: every character of the prefix that the head of ``text`` lacks
    costs at least one edit (an insertion or a substitution), so more such characters than the
    tolerance rule out every head without computing a distance.
    """
    prefix = fmt.prefix
    tolerance = prefix_tolerance(prefix)
    if not tolerance:
        return False
    # The longest head fuzzy_prefix_split tries holds every shorter one.
    head = text[: len(prefix) + tolerance]
    return len(_characters(prefix).difference(head)) <= tolerance


@lru_cache(maxsize=1024)
def _characters(text: str) -> frozenset[str]:
    return frozenset(text)


def fuzzy_prefix_split(fmt: KeyFormat, text: str) -> tuple[int, int] | None:
    """Where a near-miss of the format's prefix ends in ``text`` whose rest is a valid body: (end, distance)."""
    if not prefix_typo_possible(fmt, text):
        return None
    prefix = fmt.prefix
    tolerance = prefix_tolerance(prefix)
    shapes = _shapes(fmt)
    body_min, body_max = fmt.min_length - len(prefix), fmt.max_length - len(prefix)
    best: tuple[int, int] | None = None
    for end in range(max(1, len(prefix) - tolerance), len(prefix) + tolerance + 1):
        if not body_min <= len(text) - end <= body_max:
            continue
        head = text[:end]
        if head == prefix or not shapes.body.fullmatch(text, end):
            continue
        distance = damerau(head, prefix)
        if distance <= tolerance and (best is None or distance < best[1]):
            best = (end, distance)
    if best is not None and fmt.checksum and not CHECKSUMS[fmt.checksum].valid(prefix + text[best[0] :]):
        return None
    return best


@lru_cache(maxsize=4096)
def diagnose(fmt: KeyFormat, token: str) -> Diagnosis:
    """What is wrong with ``token`` as a key of ``fmt`` (``score=None``: it is not an attempt at it)."""
    cleaned, damages, where = _cleaned(token)
    base = {"token": token, "cleaned": cleaned, "damages": damages}
    if fmt.regex.fullmatch(cleaned):
        if checksum_ok(fmt, cleaned):
            return Diagnosis(**base, valid=True, score=0)
        return Diagnosis(**base, checksum_failed=True, score=1)
    if len(cleaned) > MAX_DIAGNOSED_LENGTH or not cleaned:
        return Diagnosis(**base, score=None)
    prefix = fmt.prefix
    if prefix and not cleaned.startswith(prefix):
        split = fuzzy_prefix_split(fmt, cleaned)
        if split is None:
            return Diagnosis(**base, score=None)
        end, distance = split
        head = token[: where[end - 1] + 1] if end else ""
        return Diagnosis(**base, prefix_typo=head, score=distance)
    # On a tie the first option wins: a shifted separator (every character allowed, parts of the wrong
    # length) is one mistake, not two wrong characters.
    options: list[Diagnosis] = []
    segment = _segment_note(fmt, cleaned)
    if segment is not None:
        deviation, note = segment
        delta = _length_delta(fmt, len(cleaned))
        options.append(
            Diagnosis(**base, length_delta=delta, segment_note=None if delta else note, score=max(deviation, 1))
        )
    bad = _positional_bad_chars(fmt, cleaned, where)
    if bad is not None:
        options.append(Diagnosis(**base, bad_chars=tuple(bad), score=len(bad)))
    if len(cleaned) < fmt.min_length and _shapes(fmt).truncated.fullmatch(cleaned):
        tail = _missing_tail(fmt)
        missing = tail if tail and not cleaned.endswith(tail) else None
        options.append(
            Diagnosis(
                **base,
                length_delta=len(cleaned) - fmt.min_length,
                truncated_tail=missing,
                score=fmt.min_length - len(cleaned),
            )
        )
    if len(cleaned) > fmt.max_length:
        head_match = fmt.regex.match(cleaned)
        if head_match and checksum_ok(fmt, head_match.group()) and all(c in fmt.charset for c in cleaned):
            options.append(
                Diagnosis(
                    **base,
                    length_delta=len(cleaned) - len(head_match.group()),
                    overlong_head=len(head_match.group()),
                    score=len(cleaned) - len(head_match.group()),
                )
            )
    if not options:
        # Wrong characters and a wrong length at once: report the characters the format never uses.
        stray = [
            BadChar(where[k], c, "any character of this format", None)
            for k, c in enumerate(cleaned)
            if c not in fmt.charset
        ]
        delta = _length_delta(fmt, len(cleaned))
        if stray and len(stray) <= 2 and delta and abs(delta) <= 3:
            options.append(Diagnosis(**base, bad_chars=tuple(stray), length_delta=delta, score=len(stray) + abs(delta)))
    if not options:
        return Diagnosis(**base, score=None)
    return min(options, key=lambda d: d.score or 0)


def is_attempt(fmt: KeyFormat, diagnosis: Diagnosis, *, context_only: bool = False) -> bool:
    """Close enough to the format to be a damaged key of it rather than some other text.

    Context-only formats (no distinctive prefix) need a tighter fit: only the variable
    name says the value is meant to be such a key.
    """
    if diagnosis.score is None:
        return False
    if diagnosis.valid or diagnosis.checksum_failed or diagnosis.prefix_typo is not None:
        return True
    body = max(fmt.min_length - len(fmt.prefix), 1)
    size = len(diagnosis.cleaned) - len(fmt.prefix)
    if context_only:
        return len(diagnosis.bad_chars) <= 2 and abs(diagnosis.length_delta) <= 3 and not diagnosis.segment_note
    if diagnosis.bad_chars and len(diagnosis.bad_chars) > max(1, min(MAX_BAD_CHARS, body // 8)):
        return False
    if diagnosis.length_delta < 0:
        return size >= max(8, body // 2)
    return True


# Words that mark a stand-in even inside a random-looking value: long enough that a random key
# practically never contains them by chance (a 40-character base62 key holds "todo" about once in 25,000).
_LONG_PLACEHOLDER_WORDS = (
    "example",
    "changeme",
    "change_me",
    "change-me",
    "replace",
    "placeholder",
    "dummy",
    "insert",
    "donotuse",
    "do_not_use",
    "do-not-use",
    "notreal",
    "not_real",
    "not-a-real",
    "redacted",
    "fixme",
    "sample",
    "yourkey",
    "your_key",
    "your-key",
    "yourtoken",
    "your_token",
    "your-token",
    "yourapi",
    "your_api",
    "your-api",
)
# Endings of a stand-in: re.search(r"(?:\.\.\.|…|[xX]{4,}|\*{3,}|#{4,}|_{4,}|<[^>]*>|\[[^\]]*\]|\{[^}]*\})$"),
# done by values.Endings (the regex is quadratic on hostile values); runs: [xX]{6,}|\*{4,}|\.{4,}|•{3,}.
_PLACEHOLDER_TAIL = ("...", "…", "***", "####", "____", *mixed_case("xX", 4))
_PLACEHOLDER_BRACKETS = ("<>", "[]", "{}")
_PLACEHOLDER_ENDINGS = Endings(_PLACEHOLDER_TAIL, _PLACEHOLDER_BRACKETS)
_PLACEHOLDER_RUNS = ("****", "....", "•••")
# What marks a stand-in wherever it stands, looked for in the lower-cased value by one search: the runs above and
# [xX]{6,} (lower-casing makes and breaks no run of these), and the long placeholder words.
_PLACEHOLDER_MARKS = (*_PLACEHOLDER_RUNS, "xxxxxx", *_LONG_PLACEHOLDER_WORDS)
_SEPARATOR_RUNS = re.compile(r"[-_.\s]+")


@lru_cache(maxsize=64)  # detection asks about a match's token, then KL401 about the same value
def looks_like_placeholder(value: str) -> bool:
    """A stand-in for a key (``your-api-key-here``, ``<KEY>``, ``sk-...``, ``ghp_xxxx``, ``changeme``).

    Stricter than :func:`keylint.values.is_placeholder` on random-looking values, where short
    words (``here``, ``nil``, ``fake``) appear by chance in real keys.
    """
    v = value.strip().strip("\"'")
    if not v:
        return False
    # The long placeholder words mark a stand-in whether or not the value looks random: each holds one of
    # is_placeholder's words, so a value without randomness that has one is a stand-in too. They are looked for
    # with the runs, before the randomness test, in one search (four before: ~4k instructions a key detected).
    if _PLACEHOLDER_ENDINGS(v) or holds_any(v.lower(), _PLACEHOLDER_MARKS, _placeholder_marks):
        return True
    # str.split() splits where the regex \s matches (Unicode whitespace), without a regex pass over the value.
    if looks_random("".join(v.split())):
        return False
    # `my-secret-key`, `api_key_here`: the placeholder words survive without their separators.
    return is_placeholder(v) or is_placeholder(_SEPARATOR_RUNS.sub("", v))


@lru_cache(maxsize=1)  # compiled on first use
def _placeholder_marks() -> re.Pattern[str]:
    """Finds any of _PLACEHOLDER_MARKS (one regex instead of a search per mark)."""
    return re.compile(words_pattern(_PLACEHOLDER_MARKS))


def token_looks_like_placeholder(token: str) -> bool:
    """:func:`looks_like_placeholder`, for a token whose randomness nothing has judged yet (what detection finds).

    Most keys are settled by one search (:func:`_may_be_placeholder`) without the marks, the randomness test and
    is_placeholder: about two thirds of judging a key (dense/team0: 2.0% fewer instructions). Not for the values
    the rules ask about, which KL102's randomness test has mostly judged already (looks_random remembers it).
    """
    v = token.strip().strip("\"'")
    if (
        len(v) <= _PLAIN_TEXT_LONGEST
        and _plain_text().fullmatch(v)
        and not _PLACEHOLDER_ENDINGS(v)
        and not _may_be_placeholder(v)
    ):
        return False
    return looks_like_placeholder(token)


def _may_be_placeholder(v: str) -> bool:
    """Could a test of :func:`looks_like_placeholder` after the endings call ``v`` a stand-in? ``v``: printable
    ASCII with no space, quote or bracket (:func:`_plain_text`). False settles it: not a stand-in.

    Where one of those tests says yes, ``v`` holds ``....``, or the lower-cased ``v`` without separators holds a
    placeholder word or mark without its separators, is only x, 0, * and # (a run), one character repeated, ends
    with a stand-in's ending or is an exact placeholder (eight characters at most).
    """
    text = v.replace("-", "").replace("_", "").replace(".", "").lower()
    return (
        len(text) <= 8
        or not text.strip("x0*#")
        or text.count(text[0]) == len(text)
        or text.endswith(("xxxx", "***"))
        or "...." in v
        or holds_any(text[::-1], _plain_text_words_reversed(), _plain_text_words_pattern)
    )


# What _may_be_placeholder judges: printable ASCII values without spaces, quotes or brackets, up to this long
# (past it the randomness test, by 16 groups of characters, costs less than the search for the words).
_PLAIN_TEXT_LONGEST = 512
_NOT_PLAIN = " \"'<>[]"


@lru_cache(maxsize=1)  # built on first use, like the patterns below: not a cost of every run's start-up
def _plain_text() -> re.Pattern[str]:
    r"""Printable ASCII but _NOT_PLAIN, as an explicit set: the regex engine tests it from a table (a class such as
    [^\s"'] had every character also tested for Unicode whitespace: ~100 instructions a character)."""
    return re.compile("[" + re.escape("".join(c for c in map(chr, range(32, 127)) if c not in _NOT_PLAIN)) + "]+")


@lru_cache(maxsize=1)
def _plain_text_words_reversed() -> tuple[str, ...]:
    """The placeholder words and marks as they stand in a value without its separators ('-', '_', '.'), lower-cased
    (a word of nothing but separators, '.....', is looked for as '....'; one that is not ASCII is never there),
    spelt backwards, without those that hold another (a text holding one holds the other).

    Looked for in the text spelt backwards: the regex engine tries its words at each character that could start a
    match, and fewer characters end them than begin them (a third fewer of a random key's: the search ~30% cheaper).
    """
    words = tuple(
        dict.fromkeys(
            squashed
            for word in (*_PLACEHOLDER_WORDS, *_PLACEHOLDER_MARKS)
            if (squashed := _SEPARATOR_RUNS.sub("", word)) and squashed.isascii()
        )
    )
    # A word holds only itself of these distinct words (counted in C: a generator per word cost ~0.6M instructions).
    return tuple(word[::-1] for word in words if sum(map(word.__contains__, words)) == 1)


@lru_cache(maxsize=1)
def _plain_text_words_pattern() -> re.Pattern[str]:
    """Finds any of _plain_text_words_reversed()."""
    return re.compile(words_pattern(_plain_text_words_reversed()))
