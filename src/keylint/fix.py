"""Safe, unambiguous fixes, applied to a file's original bytes.

Rules attach :class:`Edit` objects to the problems they can repair without guessing
(strip whitespace and invisible characters, replace smart quotes, quote a `.env` value
that contains `` #`` or ``$``, quote a YAML scalar that a loader would coerce, remove a
duplicated paste). Nothing here ever invents a character to satisfy a checksum or a
length: those need the real key.

Edits are made against the text the engine parsed, where ``\\r\\n`` and ``\\r`` are
already ``\\n`` (see :mod:`keylint.read`). :func:`apply_edits` maps each one back to the
original text — same line, same column, line endings as the file has them — checks
that the original still holds exactly the text the edit expects, and re-encodes with
the file's own encoding and byte-order mark. Every byte outside the edits is kept; a
file whose bytes would not survive a decode/encode round trip is left alone.

:func:`fix_file` repeats plan-and-apply until nothing is left to fix, so a second run
never changes anything.
"""

from __future__ import annotations

import codecs
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from keylint.config import Settings
    from keylint.engine import FileContext
    from keylint.model import Entry

_NEWLINE = re.compile(r"\r\n|\r|\n")
MAX_ROUNDS = 5


class Edit(tuple):  # a plain tuple: hashable, ordered, and no class generation at start-up
    """Replace ``old`` (starting at ``line``:``column`` of the parsed text) with ``new``."""

    __slots__ = ()

    def __new__(cls, line: int, column: int, old: str, new: str) -> Edit:
        return super().__new__(cls, (line, column, old, new))

    @property
    def line(self) -> int:
        return self[0]

    @property
    def column(self) -> int:
        return self[1]

    @property
    def old(self) -> str:
        return self[2]

    @property
    def new(self) -> str:
        return self[3]

    def __repr__(self) -> str:
        return f"Edit(line={self[0]}, column={self[1]})"  # never the text: it may hold a secret


# -- building edits (used by rules) -------------------------------------------------


# Text offsets <-> (line, column) through the line number at every _BLOCK-th character: counting line breaks
# a block at a time is done in C, and a lookup then walks at most one block. A table of every line's start
# would cost a Python step per line of the file (a third of a second on a 50 MB .env) for the few lines a
# fix touches.
_BLOCK = 4096


def _first_lines(ctx: FileContext) -> array[int]:
    """The line number (1-based) that holds the character at every multiple of _BLOCK."""
    firsts = ctx.notes.get("first_lines")
    if firsts is None:
        text = ctx.text
        count = text.count
        firsts = array("q", accumulate((count("\n", at, at + _BLOCK) for at in range(0, len(text), _BLOCK)), initial=1))
        ctx.notes["first_lines"] = firsts
    return firsts


def offset_of(ctx: FileContext, line: int, column: int) -> int | None:
    firsts = _first_lines(ctx)
    if not 1 <= line <= firsts[-1]:
        return None
    text = ctx.text
    block = bisect_right(firsts, line) - 1
    at = block * _BLOCK
    if firsts[block] == line:
        start = text.rfind("\n", 0, at) + 1  # the line began at or before the block's first character
    else:
        start = at
        for _ in range(line - firsts[block]):
            start = text.index("\n", start) + 1
    return start + column - 1


def position_at(ctx: FileContext, offset: int) -> tuple[int, int]:
    firsts = _first_lines(ctx)
    text = ctx.text
    block = min(offset // _BLOCK, len(firsts) - 1)
    line = firsts[block] + text.count("\n", block * _BLOCK, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def edit_at(ctx: FileContext, offset: int, old: str, new: str) -> Edit | None:
    """An edit at a text offset, only if the parsed text really holds ``old`` there."""
    if offset < 0 or ctx.text[offset : offset + len(old)] != old or old == new:
        return None
    line, column = position_at(ctx, offset)
    return Edit(line, column, old, new)


# Two-character escapes in quoted values, per format and quote, that map to one character.
_ESCAPES = {
    ("dotenv", '"'): {
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
    },
    ("dotenv", "'"): {"\\\\": "\\", "\\'": "'"},
    ("yaml", '"'): {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\/": "/", "\\0": "\0"},
    ("json", '"'): {
        "\\\\": "\\",
        '\\"': '"',
        "\\n": "\n",
        "\\r": "\r",
        "\\t": "\t",
        "\\/": "/",
        "\\b": "\b",
        "\\f": "\f",
    },
    ("toml", '"'): {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\b": "\b", "\\f": "\f"},
}


def value_offsets(ctx: FileContext, entry: Entry) -> list[int] | None:
    """Text offset of every character of ``entry.value``, plus one past its end.

    None when the value is not written out character by character in the file (decoded
    base64, folded YAML, block scalars, escapes we do not model): no edit is made then.
    """
    if entry.decoded_from or entry.quote in ("|", ">", "`"):
        return None
    start = offset_of(ctx, entry.line, entry.column)
    if start is None:
        return None
    value = entry.value
    text = ctx.text
    if text.startswith(value, start):
        if entry.quote and text[start + len(value) : start + len(value) + 1] != entry.quote:
            return None
        return list(range(start, start + len(value) + 1))
    escapes = _ESCAPES.get((ctx.fmt, entry.quote))
    if not escapes:
        return None
    offsets: list[int] = []
    decoded: list[str] = []
    pos = start
    limit = min(len(text), start + 4 * len(value) + 8)
    while len(decoded) < len(value) and pos < limit:
        pair = text[pos : pos + 2]
        if pair in escapes:
            decoded.append(escapes[pair])
            offsets.append(pos)
            pos += 2
        else:
            decoded.append(text[pos])
            offsets.append(pos)
            pos += 1
    if "".join(decoded) != value or text[pos : pos + 1] != entry.quote:
        return None
    offsets.append(pos)
    return offsets


def delete_value_chars(ctx: FileContext, entry: Entry, spans: Iterable[tuple[int, int]]) -> tuple[Edit, ...]:
    """Edits removing value characters ``[start, end)`` for each span (whitespace, invisible characters)."""
    offsets = value_offsets(ctx, entry)
    if offsets is None:
        return ()
    edits = []
    for start, end in spans:
        if not 0 <= start < end <= len(entry.value):
            return ()
        a, b = offsets[start], offsets[end]
        edit = edit_at(ctx, a, ctx.text[a:b], "")
        if edit is None:
            return ()
        edits.append(edit)
    return tuple(edits)


def replace_value_chars(
    ctx: FileContext, entry: Entry, replacements: Iterable[tuple[int, int, str]]
) -> tuple[Edit, ...]:
    """Edits replacing value characters ``[start, end)`` with plain text (no quote or escape in it)."""
    offsets = value_offsets(ctx, entry)
    if offsets is None:
        return ()
    edits = []
    for start, end, new in replacements:
        if not 0 <= start < end <= len(entry.value):
            return ()
        a, b = offsets[start], offsets[end]
        if b - a != end - start:  # an escape inside: leave it to a human
            return ()
        edit = edit_at(ctx, a, ctx.text[a:b], new)
        if edit is None:
            return ()
        edits.append(edit)
    return tuple(edits)


def requote(ctx: FileContext, entry: Entry, new_quote: str) -> Edit | None:
    """Put a single-line value that is written verbatim between ``new_quote`` quotes (replacing its own)."""
    offsets = value_offsets(ctx, entry)
    if offsets is None or "\n" in entry.value:
        return None
    start, end = offsets[0], offsets[-1]
    if end - start != len(entry.value):
        return None
    if entry.quote:
        start, end = start - 1, end + 1
        if ctx.text[start : start + 1] != entry.quote:
            return None
    if new_quote == "'" and ctx.fmt == "yaml":
        inner = entry.value.replace("'", "''")
    elif new_quote in entry.value or ("\\" in entry.value and new_quote == '"'):
        return None
    else:
        inner = entry.value
    return edit_at(ctx, start, ctx.text[start:end], new_quote + inner + new_quote)


# -- applying edits to bytes ----------------------------------------------------------


class FixError(Exception):
    """A file that cannot be fixed safely (its bytes would not survive), with the reason."""


class Encoded:
    """A file's text with its line endings intact, and how to turn it back into the same bytes."""

    __slots__ = ("bom", "codec", "text")

    def __init__(self, bom: bytes, codec: str, text: str) -> None:
        self.bom = bom
        self.codec = codec
        self.text = text


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_exact(data: bytes, display: str) -> Encoded:
    from keylint.read import _sniff_utf16_32

    bom, codec = b"", "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, codec = mark, name
            break
    else:
        if b"\0" in data[:8192]:
            codec = _sniff_utf16_32(data[:8192]) or "utf-8"
    body = data[len(bom) :]
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        raise FixError(f"{display}: not valid {codec.upper()}; not fixed") from None
    if text.encode(codec) != body:
        raise FixError(f"{display}: its bytes do not survive re-encoding; not fixed")
    return Encoded(bom, codec, text)


def apply_edits(encoded: Encoded, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """The text with every applicable edit made (in original line endings), and the edits made.

    Overlapping edits and edits whose text no longer matches are skipped; the next round
    plans them again against the changed text.
    """
    text = encoded.text
    starts = [0]
    ends: list[str] = []
    for match in _NEWLINE.finditer(text):
        starts.append(match.end())
        ends.append(match.group())
    placed: list[tuple[int, int, str, Edit]] = []
    for edit in sorted(set(edits), key=lambda e: (e.line, e.column)):
        if not 1 <= edit.line <= len(starts):
            continue
        start = starts[edit.line - 1] + edit.column - 1
        # The edit's text in the original: its `\n`s may be `\r\n` or `\r` there.
        end = start
        for part_index, part in enumerate(edit.old.split("\n")):
            if part_index:
                line_end = _NEWLINE.match(text, end)
                if line_end is None:
                    end = -1
                    break
                end = line_end.end()
            if not text.startswith(part, end):
                end = -1
                break
            end += len(part)
        if end < 0:
            continue
        if placed and start < placed[-1][1]:
            continue
        newline = ends[edit.line - 1] if edit.line - 1 < len(ends) else "\n"
        placed.append((start, end, edit.new.replace("\n", newline), edit))
    out: list[str] = []
    position = 0
    for start, end, new, _ in placed:
        out.append(text[position:start])
        out.append(new)
        position = end
    out.append(text[position:])
    return "".join(out), [p[3] for p in placed]


def encode(encoded: Encoded, text: str) -> bytes:
    return encoded.bom + text.encode(encoded.codec)


# -- planning and fixing files ------------------------------------------------------------


class FileFix:
    """What fixing one file did (or would do)."""

    def __init__(self, path: str, display: str, before: bytes, after: bytes) -> None:
        self.path = path
        self.display = display
        self.before = before
        self.after = after
        self.fixed: list[tuple[str, int, str]] = []  # (rule, line, message) per applied fix
        self.secrets: set[str] = set()  # sensitive text seen in the file, to mask in diffs
        self.keys: set[str] = set()  # the provider keys among them
        self.error: str | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def plan(
    path: str, display: str, fmt: str, text: str, settings: Settings
) -> tuple[list[tuple[object, tuple[Edit, ...]]], set[str]]:
    """The fixes the enabled rules offer for one file's text (suppressed findings excluded).

    Returns (finding, edits) pairs and the sensitive strings of the file (for masking diffs).
    """
    from keylint import suppress
    from keylint.engine import FileContext, detector_for, environment_of, is_template, make_finding
    from keylint.parsers import parse
    from keylint.rules import all_rules

    parsed = parse(fmt, text)
    if parsed.failed:
        return [], set()  # positions from the line-by-line fallback are not precise enough to edit
    detector = detector_for(settings)
    matches = [detector.find(e) for e in parsed.entries]
    ctx = FileContext(
        path=path,
        display=display,
        fmt=fmt,
        text=text,
        parsed=parsed,
        matches=matches,
        settings=settings,
        template=is_template(display),
        environment=environment_of(display),
    )
    secrets = _sensitive(parsed.entries, matches)
    secrets |= {"\0key\0" + m.token for ms in matches for m in ms if len(m.token) >= 8}
    pairs: list[tuple[object, tuple[Edit, ...]]] = []
    for rule in all_rules().values():
        if rule.scope not in ("entry", "file") or not settings.enabled(rule.code, display):
            continue
        if rule.scope == "file":
            problems = list(rule.check(ctx))
        else:
            problems = [p for e, ms in zip(parsed.entries, matches, strict=True) for p in rule.check(e, ms, ctx)]
        for problem in problems:
            if problem.edits:
                pairs.append((make_finding(rule, problem, display, settings), tuple(problem.edits)))
    if pairs:
        kept = suppress.apply_inline([f for f, _ in pairs], text, fmt, display, settings)
        kept_ids = {id(f) for f in kept}
        pairs = [(f, e) for f, e in pairs if id(f) in kept_ids]
    return pairs, secrets


def _sensitive(entries: list[Entry], matches: list[list[object]]) -> set[str]:
    """Text a diff must not show: keys (as found and as cleaned) and the values of secret-looking entries."""
    from keylint.diagnose import clean, diagnose
    from keylint.values import looks_random, names_secret

    out: set[str] = set()
    for entry, entry_matches in zip(entries, matches, strict=True):
        value = entry.value.strip()
        for match in entry_matches:
            token = match.token  # type: ignore[attr-defined]
            out.add(token)
            if match.format is not None:  # type: ignore[attr-defined]
                out.add(diagnose(match.format, token).cleaned)  # type: ignore[attr-defined]
        if entry_matches or names_secret(entry.key) or looks_random(value):
            out.add(value)
            out.add(clean(value)[0])
    return {s for s in out if len(s) >= 8}


def fix_file(path: str, display: str, fmt: str, data: bytes, settings: Settings) -> FileFix:
    """Fix one file's bytes in memory (the caller writes them): repeat until nothing changes."""
    result = FileFix(path, display, data, data)
    try:
        encoded = decode_exact(data, display)
    except FixError as error:
        result.error = str(error)
        return result
    for _ in range(MAX_ROUNDS):
        parsed_text = encoded.text.replace("\r\n", "\n").replace("\r", "\n")
        pairs, secrets = plan(path, display, fmt, parsed_text, settings)
        result.keys |= {s[5:] for s in secrets if s.startswith("\0key\0")}
        result.secrets |= {s.removeprefix("\0key\0") for s in secrets}
        if not pairs:
            break
        text, applied = apply_edits(encoded, [e for _, edits in pairs for e in edits])
        if not applied:
            break
        applied_set = set(applied)
        for finding, edits in pairs:
            if any(e in applied_set for e in edits):
                result.fixed.append((finding.rule, finding.line, finding.message))  # type: ignore[attr-defined]
        encoded = Encoded(encoded.bom, encoded.codec, text)
        # What the fixed text reads as may hold the cleaned key: mask that in diffs too.
        result.secrets |= {e.new.strip("'\"") for e in applied if len(e.new) >= 8}
    result.after = encode(encoded, encoded.text)
    return result


def mask_line(line: str, secrets: list[str], keys: Iterable[str] = ()) -> str:
    """Every known secret in ``line`` replaced by its mask (each masked once, in the order given).

    Characters that a fix removes or replaces (invisible characters, smart quotes, whitespace,
    lookalikes) stay visible between the masked parts, so the diff shows what changes.
    """
    found: list[str] = []
    for secret in secrets:
        if secret in line:
            line = line.replace(secret, f"\0{len(found)}\0")
            found.append(secret)
    line = _MARK.sub(lambda m: _mask_keeping_damage(found[int(m.group(1))]), line)
    # Safety net: stretches of a key that appear in another form (a key wrapped over two lines).
    for key in keys:
        line = _mask_runs(line, key)
    return line


_MARK = re.compile("\0(\\d+)\0")
_NET = 8


def _mask_keeping_damage(secret: str) -> str:
    from keylint.diagnose import CONFUSABLES, INVISIBLE, SMART_QUOTES, UNICODE_SPACES
    from keylint.redact import mask

    damage = [
        i
        for i, c in enumerate(secret)
        if c in INVISIBLE or c in UNICODE_SPACES or c in SMART_QUOTES or c in CONFUSABLES or c in " \t"
    ]
    size = len(secret)
    if not damage or size < 8:
        return mask(secret) or ""
    # No more of the secret than mask() shows: a quarter at most.
    head = secret[: min(4, size // 4, damage[0])]
    tail_size = min(2, size // 8, size - damage[-1] - 1)
    tail = secret[size - tail_size :] if tail_size else ""
    middle = "…".join(secret[i] for i in damage)
    return f"{head}…{middle}…{tail}"


def _mask_piece(piece: str, secret: str) -> str:
    """A stretch of a secret, masked so that all stretches together show no more than mask(secret)."""
    size = len(secret)
    head = piece[: min(4, size // 4)] if secret.startswith(piece) else ""
    tail_size = min(2, size // 8)
    tail = piece[len(piece) - tail_size :] if tail_size and secret.endswith(piece) else ""
    return f"{head}…{tail}"


def _mask_runs(line: str, secret: str) -> str:
    if len(secret) < _NET:
        return line
    out: list[str] = []
    i = 0
    while i < len(line):
        if i + _NET <= len(line) and line[i : i + _NET] in secret:
            j = i + _NET
            while j < len(line) and line[i : j + 1] in secret:
                j += 1
            out.append(_mask_piece(line[i:j], secret))
            i = j
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def unified_diff(fix: FileFix, show_secrets: bool = False) -> str:
    """A unified diff of one file's fix, secrets masked unless ``show_secrets``."""
    import difflib

    from keylint.redact import escape

    try:
        before = decode_exact(fix.before, fix.display).text
        after = decode_exact(fix.after, fix.display).text
    except FixError:
        return ""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{fix.display}",
        tofile=f"b/{fix.display}",
    )
    out = []
    # Keys first, so that a value holding a key and more keeps the rest visible (a pasted `NAME=`).
    secrets = sorted(fix.secrets, key=lambda s: (s not in fix.keys, -len(s)))
    for line in lines:
        body = line.rstrip("\r\n")
        if not show_secrets:
            body = mask_line(body, secrets, fix.keys)
        # Line endings are part of what a fix preserves: show a CR rather than hide it.
        ending = line[len(line.rstrip("\r\n")) :]
        out.append(escape(body) + ("\\r" if "\r" in ending else "") + "\n")
    return "".join(out)
