"""Format and typos (category ``format``): keys that are *almost* right.

Every provider key the detector finds, valid or near-miss, is compared with its
provider's real format (:mod:`keylint.diagnose` holds the evidence) and with the
variable and file it sits in. A key with any of these problems is what the
provider answers with "Invalid API Key", so most of these rules are errors.

Messages name the provider and kind, say precisely what is wrong and where (the
column of the bad character, the break, the quote) and how to fix it. A suggested
correction is only ever shown masked (``extra["fix_suggestion"]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import TYPE_CHECKING
from keylint.diagnose import (
    INVISIBLE,
    SMART_QUOTES,
    UNICODE_SPACES,
    Damage,
    Diagnosis,
    char_name,
    describe_char,
    diagnose,
)
from keylint.fix import delete_value_chars, replace_value_chars
from keylint.model import Entry, Match, Severity
from keylint.providers import Provider, all_providers, by_id
from keylint.redact import mask
from keylint.rules import EDGE_CHARACTERS, TEST_OR_LIVE, Problem, repeat_span, rule
from keylint.rules.secrets import describe, provider_name
from keylint.values import names_secret, normalized_name

if TYPE_CHECKING:
    from keylint.engine import FileContext

_ASSIGNMENT_PASTE = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*(?:=|:[ \t])[ \t]*[\"']?")
_PEM = "-----BEGIN"


# -- shared helpers --------------------------------------------------------------------


def _diagnosis(match: Match) -> Diagnosis | None:
    if match.format is None or match.valid:
        return None
    return diagnose(match.format, match.token)


def _where(entry: Entry) -> str:
    return f" in {entry.key}" if entry.key else ""


def _rotate_hint(match: Match, verb: str = "copy it again") -> str:
    provider = by_id(match.provider)
    url = None
    if provider is not None:
        url = provider.extra.get("rotate_urls", {}).get(match.kind) or provider.rotate_url
    return f"{verb} from {url}" if url else f"{verb} from the {provider_name(match.provider)} dashboard"


def _column(entry: Entry, offset: int) -> tuple[int, int]:
    if entry.quote == "|" and not entry.decoded_from:
        # A literal block keeps its lines: value line k is source line `line + k`, indentation removed.
        before = entry.value[:offset]
        newlines = before.count("\n")
        return entry.line + newlines, entry.column + len(before) - (before.rfind("\n") + 1)
    return entry.position_of(offset)


def _public(match: Match) -> int:
    return len(match.format.prefix) if match.format is not None else 0


def _suggestion(match: Match, corrected: str) -> dict[str, str]:
    """The corrected key, masked: enough to recognise it, never the secret."""
    return {"fix_suggestion": mask(corrected) or ""}


def _problem(entry: Entry, match: Match, message: str, offset: int, **kwargs: object) -> Problem:
    line, column = _column(entry, match.start + offset)
    kwargs.setdefault("secret", match.token)
    kwargs.setdefault("public_prefix", _public(match))
    extra = dict(kwargs.pop("extra", {}) or {})  # type: ignore[call-overload]
    extra.setdefault("kind", match.kind)
    return Problem(
        message,
        entry=entry,
        line=line,
        column=column,
        provider=match.provider,
        extra=extra,
        **kwargs,  # type: ignore[arg-type]
    )


def secret_name(key: str) -> bool:
    """names_secret, remembered: every rule asks it about every value."""
    known = _SECRET_NAMES.get(key)
    if known is None:
        if len(_SECRET_NAMES) > 8192:
            _SECRET_NAMES.clear()
        known = _SECRET_NAMES[key] = names_secret(key)
    return known


_SECRET_NAMES: dict[str, bool] = {}


def _expects_secret(entry: Entry, matches: list[Match]) -> bool:
    """Does this entry hold (or is it meant to hold) a key or secret?"""
    return bool(matches) or secret_name(entry.key)


# -- KL201-KL204: the token itself ----------------------------------------------------


@rule("KL201", "checksum", Severity.ERROR, "format", gate=("invalid-match",))
def checksum(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A provider key whose built-in checksum fails: a character was mistyped or changed.

    ## What it does
    Several providers put a checksum inside their keys: GitHub (`ghp_`, `gho_`, `ghu_`,
    `ghs_`), npm (`npm_`), GitLab routable tokens, Atlassian and Bitbucket (`ATATT3`, `ATCTT3`,
    `ATBB`), Grafana (`glsa_`), Cloudflare (`cfk_`, `cfut_`, `cfat_`), Microsoft Entra ID client
    secrets and Azure Storage keys. This rule recomputes it for every key that otherwise has
    the right shape (prefix, length, alphabet).

    ## Why is this bad?
    A key with a wrong checksum cannot be valid: one character was mistyped, swapped or
    replaced by a lookalike when it was copied. The provider will answer "invalid token"
    (or "bad credentials") and the deploy fails.

    ## Example
    ```dotenv
    GITHUB_TOKEN=ghp_...   # 40 characters, right alphabet, but the last 6 do not match the CRC32
    ```

    ## How to fix
    Copy the key again from the provider (the message says where). keylint never guesses
    which character is wrong: any guess would only pass the checksum by chance.
    """
    for match in matches:
        diagnosis = _diagnosis(match)
        if diagnosis is None or not diagnosis.checksum_failed:
            continue
        yield _problem(
            entry,
            match,
            f"{describe(match)}{_where(entry)} fails its built-in checksum: a character was mistyped or changed "
            f"when it was copied; {_rotate_hint(match)} (keylint never guesses the character)",
            0,
        )


@rule("KL202", "length", Severity.ERROR, "format", gate=("invalid-match",))
def length(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A provider key that is too short or too long for its format.

    ## What it does
    Compares the length of every recognised key (and of each part of keys with a fixed
    structure, such as Postman's `PMAK-<24>-<34>`) with the provider's format, and says by how
    many characters it is off. A key that is a complete, valid key followed by extra
    characters is reported as such.

    ## Why is this bad?
    A short key was truncated when it was copied (a selection that stopped early, a line
    wrapped in a terminal, a tail like Anthropic's `AA` left behind); a long one has an extra
    character typed or pasted. Either way the provider rejects it.

    ## Example
    ```dotenv
    AWS_ACCESS_KEY_ID=AKIA...   # 19 characters: AWS key ids have exactly 20
    ```

    ## How to fix
    Copy the complete key again from the provider. keylint does not pad or cut keys for you:
    the missing characters cannot be guessed.
    """
    for match in matches:
        diagnosis = _diagnosis(match)
        if diagnosis is None or diagnosis.bad_chars or diagnosis.prefix_typo is not None:
            continue
        fmt = match.format
        size = len(diagnosis.cleaned)
        expected = str(fmt.min_length) if fmt.min_length == fmt.max_length else f"{fmt.min_length}-{fmt.max_length}"
        what = describe(match)
        if diagnosis.segment_note:
            yield _problem(
                entry,
                match,
                f"{what}{_where(entry)} has the wrong structure: {diagnosis.segment_note}; "
                f"a character was lost or added when it was copied; {_rotate_hint(match, 'copy the whole key again')}",
                0,
            )
        elif diagnosis.length_delta < 0:
            short = -diagnosis.length_delta
            tail = (
                f", and lacks the '{diagnosis.truncated_tail}' every such key ends with"
                if diagnosis.truncated_tail
                else ""
            )
            yield _problem(
                entry,
                match,
                f"{what}{_where(entry)} is {size} characters long, expected {expected}: too short by {short} "
                f"character{'s' if short != 1 else ''}{tail} (cut off when it was copied); "
                f"{_rotate_hint(match, 'copy the whole key again')}",
                len(match.token),
            )
        elif diagnosis.length_delta > 0:
            extra = diagnosis.length_delta
            plural = "s" if extra != 1 else ""
            if diagnosis.overlong_head:
                head_end = _token_offset(diagnosis, diagnosis.overlong_head)
                yield _problem(
                    entry,
                    match,
                    f"{what}{_where(entry)} is {size} characters long, expected {expected}: too long by {extra} "
                    f"character{plural}; the first {diagnosis.overlong_head} form a complete key and {extra} more "
                    f"follow{'s' if extra == 1 else ''} it; delete the extra character{plural} after the key, or "
                    f"{_rotate_hint(match)}",
                    head_end,
                    extra=_suggestion(match, diagnosis.cleaned[: diagnosis.overlong_head]),
                )
            else:
                yield _problem(
                    entry,
                    match,
                    f"{what}{_where(entry)} is {size} characters long, expected {expected}: too long by {extra} "
                    f"character{plural} (an extra character was typed or pasted); {_rotate_hint(match)}",
                    0,
                )


def _token_offset(diagnosis: Diagnosis, cleaned_index: int) -> int:
    """Offset in the token of a cleaned character (cleaning removes invisible characters and gaps)."""
    from keylint.diagnose import clean

    where = clean(diagnosis.token)[2]
    if cleaned_index < len(where):
        return where[cleaned_index]
    return len(diagnosis.token)


@rule("KL203", "alphabet", Severity.ERROR, "format", gate=("invalid-match",))
def alphabet(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A character a provider's keys never contain, at the position it has in the key.

    ## What it does
    Checks each character of a recognised key against the alphabet of its part of the format:
    AWS key ids are base32 (no `0`, `1`, `8` or `9`), many tokens are hex, base62 or base64url,
    and fixed markers (Anthropic's trailing `AA`, OpenAI's `T3BlbkFJ`) must be exactly that.
    The message names the character and its position and, where a classic misreading explains
    it (`O`/`0`, `l`/`1`, `I`/`1`, `S`/`5`, `B`/`8`), the character that was probably meant.

    ## Why is this bad?
    The key was retyped from a screenshot, a printout or a font that confuses similar
    characters. The provider rejects it.

    ## Example
    ```dotenv
    AWS_ACCESS_KEY_ID=AKIAIOSF0DNN7EXAMPLE   # '0' (digit zero) at character 9: base32 has no 0, probably 'O'
    ```

    ## How to fix
    Copy the key again rather than retyping it. If you must retype it, use the suggested
    character (the message shows the corrected key masked).
    """
    for match in matches:
        diagnosis = _diagnosis(match)
        if diagnosis is None or not diagnosis.bad_chars or diagnosis.prefix_typo is not None:
            continue
        what = describe(match)
        corrected = list(diagnosis.cleaned)
        evident = all(bad.suggestion for bad in diagnosis.bad_chars) and not diagnosis.length_delta
        cleaned_index = {offset: i for i, offset in enumerate(_cleaned_positions(diagnosis))}
        for bad in diagnosis.bad_chars:
            if bad.suggestion and bad.offset in cleaned_index:
                corrected[cleaned_index[bad.offset]] = bad.suggestion
        for bad in diagnosis.bad_chars:
            original = match.token[bad.offset]
            position = len(match.token[: bad.offset]) + 1
            likely = f"; it is probably {describe_char(bad.suggestion)}" if bad.suggestion else ""
            yield _problem(
                entry,
                match,
                f"{what}{_where(entry)} has {describe_char(original)} at character {position}, where the format "
                f"allows only {bad.expected}{likely}; copy the key again rather than retyping it",
                bad.offset,
                extra=_suggestion(match, "".join(corrected)) if evident else {},
            )


def _cleaned_positions(diagnosis: Diagnosis) -> tuple[int, ...]:
    from keylint.diagnose import clean

    return clean(diagnosis.token)[2]


@rule("KL204", "prefix", Severity.ERROR, "format", gate=("invalid-match",))
def prefix(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A key whose prefix is a near-miss of a provider's (`ghp-`, `sk_live-`, `sk-ant-api3-`, `SG-`).

    ## What it does
    When a value is a valid key body behind a prefix that is one or two edits away from a
    registered prefix (a `-` for an `_`, a dropped or swapped character, a wrong case), this
    rule names the expected prefix. Matching is by edit distance against every prefix in the
    registry; a checksum in the body (GitHub, npm ...) or a variable named for a key is
    required as evidence, so ordinary words never match.

    ## Why is this bad?
    Providers route keys by their prefix: a mistyped prefix is an invalid key, even when every
    other character is right.

    ## Example
    ```dotenv
    STRIPE_SECRET_KEY=sk_live-...   # Stripe secret keys start with sk_live_
    ```

    ## How to fix
    Correct the prefix to the one named in the message (or copy the key again).
    """
    for match in matches:
        diagnosis = _diagnosis(match)
        if diagnosis is None or diagnosis.prefix_typo is None:
            continue
        typo = diagnosis.prefix_typo
        expected = match.format.prefix
        first_difference = next(
            (i for i, (a, b) in enumerate(zip(typo, expected, strict=False)) if a != b), min(len(typo), len(expected))
        )
        corrected = expected + diagnosis.cleaned[len(_cleaned_head(diagnosis)) :]
        yield _problem(
            entry,
            match,
            f"{describe(match)}{_where(entry)} starts with '{typo}' instead of '{expected}': every "
            f"{provider_name(match.provider)} {match.kind.replace('-', ' ')} starts with '{expected}'; "
            f"correct the prefix to '{expected}'",
            first_difference,
            public_prefix=max(len(typo), len(expected)),
            extra=_suggestion(match, corrected),
        )


def _cleaned_head(diagnosis: Diagnosis) -> str:
    from keylint.diagnose import clean

    return clean(diagnosis.prefix_typo or "")[0]


# -- KL205-KL209: damage from copying and pasting ---------------------------------------

_ESCAPE_NAMES = {"\n": "a line break (\\n)", "\r": "a carriage return (\\r)", "\t": "a tab", " ": "a space"}


def _edge_whitespace(value: str) -> tuple[int, int]:
    """Lengths of leading and trailing whitespace, counting literal `\\n`/`\\r`/`\\t` escapes as whitespace."""
    lead = 0
    while lead < len(value):
        if value[lead] in " \t\r\n\f\v":
            lead += 1
        elif value.startswith(("\\n", "\\r", "\\t"), lead):
            lead += 2
        else:
            break
    end = len(value)
    while end > lead:
        if value[end - 1] in " \t\r\n\f\v":
            end -= 1
        elif end - 2 >= lead and value[end - 2 : end] in ("\\n", "\\r", "\\t"):
            end -= 2
        else:
            break
    return lead, len(value) - end


def _describe_gap(text: str) -> str:
    if "\\" in text:
        escape = next(e for e in ("\\n", "\\r", "\\t") if e in text)
        return f"a literal '{escape}' (a backslash and a letter, kept as two characters by single quotes)"
    names = [_ESCAPE_NAMES.get(c, char_name(c)) for c in dict.fromkeys(text)]
    count = len(text)
    return ", ".join(names) if count == 1 or len(names) > 1 else f"{count} × {names[0]}"


def _key_of(entry: Entry, matches: list[Match]) -> str:
    return f"the {describe(matches[0])}" if matches else "the secret"


def _a(text: str) -> str:
    return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"


def _rejects(matches: list[Match]) -> str:
    return f"{provider_name(matches[0].provider)} rejects it" if matches else "the service rejects it"


def _provider_of(matches: list[Match]) -> str | None:
    return matches[0].provider if matches else None


@rule("KL205", "whitespace", Severity.ERROR, "format", gate=("invalid-match|ragged-edge", "filled"))
def whitespace(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """Spaces, tabs or line breaks (real or escaped) around or inside a key.

    ## What it does
    Reports keys whose value, as the application receives it, starts or ends with whitespace
    (`" sk-..."`, a trailing `\\n` from a double-quoted `"...\\n"`, a literal `\\n` kept by
    single quotes, a YAML `|` block's final line break), and keys with a space or tab inside.
    Loaders strip whitespace only around unquoted values: inside quotes it stays.

    ## Why is this bad?
    The provider compares the key byte for byte; `"sk-... "` is not `"sk-..."`. Most SDKs do
    not strip the value, so the request is sent with the whitespace and rejected, and the
    error message does not show it.

    ## Example
    ```dotenv
    OPENAI_API_KEY=" sk-proj-..."
    ```

    ## How to fix
    Remove the whitespace. `keylint fix` does it for whitespace around a key inside quotes, and
    inside a key when the joined key is valid.
    """
    value = entry.value
    damaged = any(not m.valid for m in matches)
    if not (damaged or value[:1] in EDGE_CHARACTERS or value[-1:] in EDGE_CHARACTERS or value[-2:-1] == "\\"):
        return
    if not value.strip() or _PEM in value or not _expects_secret(entry, matches):
        return
    lead, trail = _edge_whitespace(value)
    core = value[lead : len(value) - trail]
    if (lead or trail) and "\n" not in core and not (entry.quote in ("|", ">") and not matches):
        spans = [(0, lead)] if lead else []
        if trail:
            spans.append((len(value) - trail, len(value)))
        offset = 0 if lead else len(value) - trail
        gap = value[:lead] if lead else value[len(value) - trail :]
        where = "starts" if lead else "ends"
        edits = () if entry.quote in ("|", ">") else delete_value_chars(ctx, entry, spans)
        fix = (
            "remove it" if entry.quote not in ("|", ">") else "use '|-' (strip the final line break) or a plain scalar"
        )
        if entry.quote in ("|", ">"):
            # Block scalars: position_of counts from the header line; the content starts at (line, column).
            line, column = entry.line, entry.column + (0 if lead else len(core.split("\n")[-1]))
        else:
            line, column = _column(entry, offset)
        yield Problem(
            f"the value of {entry.key} ({_key_of(entry, matches)}) {where} with {_describe_gap(gap)}: the "
            f"application receives it as part of the key and {_rejects(matches)}; {fix}",
            entry=entry,
            line=line,
            column=column,
            provider=_provider_of(matches),
            secret=core or None,
            public_prefix=_public(matches[0]) if matches else 0,
            edits=edits,
            extra=_suggestion(matches[0], core) if matches else {},
        )
    for match in matches:
        diagnosis = _diagnosis(match)
        if diagnosis is None:
            continue
        gaps = [d for d in diagnosis.damages if d.kind in ("space", "escape")]
        if not gaps or _is_folded_yaml(ctx, entry):
            continue
        edits = _gap_edits(ctx, entry, match, diagnosis, gaps)
        for gap in gaps:
            yield _problem(
                entry,
                match,
                f"{describe(match)}{_where(entry)} has {_describe_gap(gap.text)} inside it at character "
                f"{gap.offset + 1}: the key was split when it was copied; remove it so the key is one piece",
                gap.offset,
                edits=edits if gap is gaps[0] else (),
                extra=_suggestion(match, diagnosis.cleaned) if diagnosis.valid else {},
            )


def _is_folded_yaml(ctx: FileContext, entry: Entry) -> bool:
    """A plain or quoted YAML scalar written over several lines: the loader folds each break into a space."""
    return ctx.fmt == "yaml" and entry.quote not in ("|", ">") and "\n" in entry.raw


def _gap_edits(ctx: FileContext, entry: Entry, match: Match, diagnosis: Diagnosis, gaps: list[Damage]) -> tuple:
    """Deleting gaps inside a key is safe only when what remains is exactly a valid key."""
    if not diagnosis.valid or any(d.kind not in ("space", "escape", "invisible") for d in diagnosis.damages):
        return ()
    return delete_value_chars(ctx, entry, [(match.start + g.offset, match.start + g.offset + g.length) for g in gaps])


MAX_INVISIBLE_FINDINGS = 20  # per value


@rule("KL206", "invisible-character", Severity.ERROR, "format", gate=("non-ascii",))
def invisible_character(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """Zero-width characters, non-breaking spaces or lookalike letters (Cyrillic, Greek, fullwidth) in a key.

    ## What it does
    Reports invisible characters (zero-width space/joiner, byte-order mark, soft hyphen,
    direction marks), Unicode spaces (no-break space, thin space ...) anywhere in a key's
    value, and lookalike characters inside a recognised key: a Cyrillic `а` for a Latin `a`,
    an en dash for `-`, fullwidth letters. The message names the code point and the column.

    ## Why is this bad?
    These characters come from copying out of web pages, chat apps, PDFs and word processors.
    They are invisible or indistinguishable in an editor, but they are bytes in the value: the
    provider rejects the key and nobody can see why.

    ## Example
    ```dotenv
    GITHUB_TOKEN=ghp_1234\u200b...   # U+200B ZERO WIDTH SPACE after the 8th character
    ```

    ## How to fix
    Delete the character (or retype the lookalike as its ASCII letter). `keylint fix` removes
    invisible characters, and replaces lookalikes when the result is a valid key.
    """
    value = entry.value
    if value.isascii() or not _expects_secret(entry, matches):
        return
    in_tokens: set[int] = set()
    for match in matches:
        diagnosis = _diagnosis(match)
        if diagnosis is None:
            continue
        lookalikes = [d for d in diagnosis.damages if d.kind == "lookalike"]
        replacements = tuple((match.start + d.offset, match.start + d.offset + 1, d.replacement) for d in lookalikes)
        edits = replace_value_chars(ctx, entry, replacements) if diagnosis.valid and _only_safe(diagnosis) else ()
        for damage in lookalikes:
            in_tokens.add(match.start + damage.offset)
            yield _problem(
                entry,
                match,
                f"{describe(match)}{_where(entry)} has {char_name(damage.text)} at character {damage.offset + 1}, "
                f"which looks like '{damage.replacement}' but is a different character, so "
                f"{provider_name(match.provider)} rejects the key; retype it as '{damage.replacement}'",
                damage.offset,
                edits=edits if damage is lookalikes[0] else (),
                extra=_suggestion(match, diagnosis.cleaned) if diagnosis.valid else {},
            )
    invisible = [i for i, c in enumerate(value) if c in INVISIBLE or c in UNICODE_SPACES]
    if not invisible:
        return
    edits = delete_value_chars(ctx, entry, _runs(invisible))
    what = _key_of(entry, matches)
    # One finding per character, up to a bound: a value made of a million of them is one problem, not
    # a million findings (each carrying the whole value as its secret).
    shown = invisible[:MAX_INVISIBLE_FINDINGS]
    for index in shown:
        char = value[index]
        line, column = _column(entry, index)
        more = len(invisible) - len(shown) if index == shown[-1] else 0
        yield Problem(
            f"{char_name(char)} at column {column} in the value of {entry.key}: invisible in an editor but part of "
            f"{what} the application receives, so {_rejects(matches)}; delete it"
            + (f" (and {more:,} more invisible characters in this value)" if more else ""),
            entry=entry,
            line=line,
            column=column,
            provider=_provider_of(matches),
            secret=value.strip() or None,
            public_prefix=_public(matches[0]) if matches else 0,
            edits=edits if index == invisible[0] else (),
        )


def _only_safe(diagnosis: Diagnosis) -> bool:
    return all(d.kind in ("lookalike", "invisible") for d in diagnosis.damages)


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index in indexes:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


@rule("KL207", "smart-quotes", Severity.ERROR, "format", gate=("non-ascii",))
def smart_quotes(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A key wrapped in, or containing, typographic quotes (“ ” ‘ ’ « »).

    ## What it does
    Reports values of keys and secrets that contain typographic quotes, which word processors,
    chat apps and documentation sites put where a plain `"` or `'` was typed.

    ## Why is this bad?
    Config loaders only treat ASCII `"` and `'` as quotes. `OPENAI_API_KEY=“sk-...”` gives the
    application a key that starts with `“`; the provider rejects it.

    ## Example
    ```dotenv
    OPENAI_API_KEY=“sk-proj-...”
    ```

    ## How to fix
    Replace the typographic quotes by plain ones (or remove them). `keylint fix` turns a pair of
    typographic quotes around an unquoted value into plain quotes, and deletes stray ones.
    """
    value = entry.value
    if value.isascii():
        return
    quotes = [i for i, c in enumerate(value) if c in SMART_QUOTES]
    if not quotes:
        return
    inner = "".join(c for c in value if c not in SMART_QUOTES).strip()
    # Prose in a secret-named variable (a security question, a hint) may use typographic apostrophes.
    if not matches and not (names_secret(entry.key) and len(inner) >= 8 and not any(c.isspace() for c in inner)):
        return
    edits = _smart_quote_edits(ctx, entry, quotes)
    shown = "".join(dict.fromkeys(value[i] for i in quotes))
    wrapped = len(quotes) == 2 and quotes[0] == 0 and quotes[1] == len(value) - 1
    how = "is wrapped in" if wrapped else "contains"
    line, column = _column(entry, quotes[0])
    yield Problem(
        f"the value of {entry.key} ({_key_of(entry, matches)}) {how} typographic quotes ({shown}), pasted from a "
        f"document or chat: loaders keep them as part of the value and {_rejects(matches)}; use plain quotes "
        f"(\" or ') or none",
        entry=entry,
        line=line,
        column=column,
        provider=_provider_of(matches),
        secret=inner or None,
        public_prefix=_public(matches[0]) if matches else 0,
        edits=edits,
        extra=_suggestion(matches[0], inner) if matches else {},
    )


def _smart_quote_edits(ctx: FileContext, entry: Entry, quotes: list[int]) -> tuple:
    value = entry.value
    inner = value[1:-1]
    wrapped = len(quotes) == 2 and quotes == [0, len(value) - 1]
    if wrapped and not entry.quote and ctx.fmt in ("dotenv", "yaml", "lines", "ini", "properties"):
        # An unquoted value in a pair of typographic quotes: the writer meant plain quotes.
        ascii_quote = "'" if "'" not in inner and ("$" in inner or "\\" in inner or ctx.fmt == "yaml") else '"'
        if ascii_quote in inner or ctx.fmt in ("ini", "properties", "lines"):
            return delete_value_chars(ctx, entry, [(0, 1), (len(value) - 1, len(value))])
        return replace_value_chars(ctx, entry, [(0, 1, ascii_quote), (len(value) - 1, len(value), ascii_quote)])
    return delete_value_chars(ctx, entry, [(i, i + 1) for i in quotes])


@rule("KL208", "duplicated-paste", Severity.ERROR, "format", gate=("pasted-twice|equals-or-colon",))
def duplicated_paste(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A key pasted twice in a row, or a whole `NAME=value` assignment pasted into the value.

    ## What it does
    Reports a key immediately followed by a second copy of itself (`ghp_...ghp_...`), and
    values that start with a variable assignment (`OPENAI_API_KEY=OPENAI_API_KEY=sk-...`,
    `token: "TOKEN=..."`) in front of a key or secret.

    ## Why is this bad?
    The application receives the doubled text, which is not a key: the provider rejects it.

    ## Example
    ```dotenv
    OPENAI_API_KEY=OPENAI_API_KEY=sk-proj-...
    ```

    ## How to fix
    Delete the second copy, or the pasted `NAME=`. `keylint fix` does both.
    """
    value = entry.value
    for match in matches:
        span = repeat_span(value, match)
        if span is None:
            continue
        start, end = span
        yield _problem(
            entry,
            match,
            f"{describe(match)}{_where(entry)} is pasted twice in a row: the application receives both copies as one "
            f"value and {provider_name(match.provider)} rejects it; delete the second copy",
            start - match.start,
            edits=delete_value_chars(ctx, entry, [(start, end)]),
            extra=_suggestion(match, value[match.start : start].strip()),
        )
    # An assignment has its = or : (most keys have neither, and the match would back off through all of them).
    pasted = _ASSIGNMENT_PASTE.match(value) if "=" in value or ":" in value else None
    if pasted is None:
        return
    name = pasted.group(1)
    after = value[pasted.end() :]
    first = matches[0] if matches else None
    own = normalized_name(name) == normalized_name(entry.key)
    if first is not None and first.start == pasted.end():
        pass
    elif not (own and names_secret(entry.key) and after.strip()):
        return
    cut = pasted.end()
    quote = value[cut - 1 : cut]
    if quote in ("'", '"'):
        # NAME="value" pasted whole: the pasted quotes go too, when they pair up.
        spans = [(0, cut), (len(value) - 1, len(value))] if value.endswith(quote) and len(value) > cut else []
    else:
        spans = [(0, cut)]
    edits = delete_value_chars(ctx, entry, spans) if spans else ()
    line, column = _column(entry, 0)
    yield Problem(
        f"the value of {entry.key} starts with '{value[:cut].strip()}': the assignment was pasted into the value, "
        f"so the application receives it in front of {_key_of(entry, matches)}; delete '{value[:cut].strip()}'",
        entry=entry,
        line=line,
        column=column,
        provider=first.provider if first else None,
        secret=after.strip() or None,
        public_prefix=_public(first) if first else 0,
        edits=edits,
    )


@rule("KL209", "wrapped-key", Severity.ERROR, "format", gate=("invalid-match",))
def wrapped_key(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A key broken across lines.

    ## What it does
    Reports keys split by a line break: inside a quoted multi-line `.env` value, a YAML block
    scalar, a JSON string with a `\\n`, or a plain YAML scalar continued on the next line (which
    YAML folds into a space).

    ## Why is this bad?
    The application receives the key with a line break or a space in the middle, which the
    provider rejects. It usually happens when a long key is pasted from a terminal or an email
    that wrapped it.

    ## Example
    ```yaml
    openai:
      api_key: sk-proj-abc...
        ...xyz
    ```

    ## How to fix
    Join the key onto one line (and check that nothing was lost at the break).
    """
    folded = _is_folded_yaml(ctx, entry)
    for match in matches:
        diagnosis = _diagnosis(match)
        if diagnosis is None:
            continue
        breaks = [d for d in diagnosis.damages if d.kind == "newline" or (folded and d.kind == "space")]
        for damage in breaks:
            line, column = _column(entry, match.start + damage.offset)
            yield Problem(
                f"{describe(match)}{_where(entry)} is broken across lines at character {damage.offset + 1}: the "
                f"application receives it with a {'space' if damage.kind == 'space' else 'line break'} inside and "
                f"{provider_name(match.provider)} rejects it; join it onto one line",
                entry=entry,
                line=line,
                column=column,
                provider=match.provider,
                secret=match.token,
                public_prefix=_public(match),
                extra={"kind": match.kind},
            )


# -- KL210-KL211: the right key in the wrong place --------------------------------------

# Short names people use for providers in variable names.
_ABBREVIATIONS = {"GH": "github", "GL": "gitlab", "HF": "huggingface", "CF": "cloudflare"}
# Providers whose keys another provider accepts as its own: Bitbucket takes Atlassian API tokens, and
# GitHub Packages' npm registry takes GitHub tokens in NPM_TOKEN.
_ACCEPTS = {"bitbucket": frozenset({"atlassian"}), "npm": frozenset({"github"})}
_PUBLIC_WORDS = frozenset({"PUBLISHABLE", "PUBLIC", "PUB", "PK"})
_SECRET_WORDS = frozenset({"SECRET", "SK", "PRIVATE"})
# A variable that redirects an SDK to another (compatible) API: OPENAI_BASE_URL, OPENAI_API_BASE ...
_BASE_URL = re.compile(r"(?:BASE_URL|API_BASE|BASE|ENDPOINT|API_HOST|HOST|URL)$")


_WORDS: dict[int, tuple[tuple[tuple[str, ...], str], ...]] = {}


def _provider_words(providers: tuple[Provider, ...]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """(name words, provider id): OPENAI for openai, AZURE OPENAI for azure-openai, DOCKERHUB, GH ..."""
    cached = _WORDS.get(id(providers))
    if cached is not None and len(_WORDS) < 64:
        return cached
    words: list[tuple[tuple[str, ...], str]] = []
    for provider in providers:
        words.append((tuple(provider.id.upper().replace("-", "_").split("_")), provider.id))
        compact = re.sub(r"[^A-Za-z0-9]", "", provider.name.split("(")[0]).upper()
        if compact and compact != provider.id.upper().replace("-", ""):
            words.append(((compact,), provider.id))
    words.extend(((abbreviation,), provider_id) for abbreviation, provider_id in _ABBREVIATIONS.items())
    _WORDS[id(providers)] = tuple(words)
    return _WORDS[id(providers)]


_NAMED_BY: dict[tuple[int, str], str | None] = {}


def provider_named_by(key: str, providers: tuple[Provider, ...] | None = None) -> str | None:
    """The provider a variable name points at (OPENAI_API_KEY -> openai), if exactly one does."""
    providers = providers or all_providers()
    name = normalized_name(key)
    cache_key = (id(providers), name)
    if cache_key not in _NAMED_BY:
        if len(_NAMED_BY) > 4096:
            _NAMED_BY.clear()
        _NAMED_BY[cache_key] = _provider_named_by(name, providers)
    return _NAMED_BY[cache_key]


_FIRST_WORDS: dict[int, dict[str, list[tuple[tuple[str, ...], str]]]] = {}


def _provider_named_by(name: str, providers: tuple[Provider, ...]) -> str | None:
    index = _FIRST_WORDS.get(id(providers))
    if index is None:
        index = {}
        for sequence, provider_id in _provider_words(providers):
            index.setdefault(sequence[0], []).append((sequence, provider_id))
        _FIRST_WORDS[id(providers)] = index
    parts = name.split("_")
    best: tuple[int, set[str]] = (0, set())
    for i, part in enumerate(parts):
        for sequence, provider_id in index.get(part, ()):
            size = len(sequence)
            if size < best[0] or tuple(parts[i : i + size]) != sequence:
                continue
            if size > best[0]:
                best = (size, {provider_id})
            else:
                best[1].add(provider_id)
    return next(iter(best[1])) if len(best[1]) == 1 else None


def kind_conflict(key: str, match: Match) -> str | None:
    """Why a variable of this name should not hold this kind of key (None: it may)."""
    # Remembered: a file's keys repeat a few names and kinds (every KL210 check asks).
    cache_key = (normalized_name(key), match.provider, match.kind, match.is_secret)
    if cache_key not in _KIND_CONFLICTS:
        if len(_KIND_CONFLICTS) > 4096:
            _KIND_CONFLICTS.clear()
        _KIND_CONFLICTS[cache_key] = _kind_conflict(*cache_key)
    return _KIND_CONFLICTS[cache_key]


_KIND_CONFLICTS: dict[tuple[str, str, str, bool], str | None] = {}


def _kind_conflict(name: str, provider: str, kind: str, is_secret: bool) -> str | None:
    parts = set(name.split("_"))
    if parts & _SECRET_WORDS and not is_secret:
        return "public"
    if parts & _PUBLIC_WORDS and is_secret and not parts & _SECRET_WORDS:
        return "secret"
    if provider == "aws":
        wants_id = name.endswith(("KEY_ID", "ACCESS_KEY")) and "SECRET" not in parts
        if wants_id and kind == "secret-access-key":
            return "aws-secret-in-id"
        if "SECRET" in parts and kind.endswith("access-key-id"):
            return "aws-id-in-secret"
    return None


def _compatible(named: Provider, match: Match) -> bool:
    if named.id == match.provider or match.provider in _ACCEPTS.get(named.id, ()):
        return True
    if match.provider in named.extra.get("accepts", ()):
        return True
    # The same shape registered for both (Gemini and Google API keys): the variable decides, no conflict.
    template = match.format.template if match.format is not None else None
    return any(f.template == template for f in named.formats)


def _counterpart(match: Match, *, secret: bool | None = None, environment: str | None = None) -> str | None:
    """The prefix of the key the variable probably wanted (sk_live_ for a pk_live_ ...)."""
    provider = by_id(match.provider)
    if provider is None:
        return None
    for fmt in provider.formats:
        if not fmt.prefix or fmt.needs_context:
            continue
        if secret is not None and (fmt.secret != secret or fmt.environment != match.environment):
            continue
        if environment is not None and (fmt.environment != environment or fmt.kind != match.kind):
            continue
        return fmt.prefix
    return None


@rule("KL210", "provider-mismatch", Severity.ERROR, "format", gate=("valid-match",))
def provider_mismatch(entry: Entry, matches: list[Match], ctx: FileContext) -> list[Problem]:
    """A valid key of one provider or kind in a variable named for another.

    ## What it does
    Compares the provider and kind of every valid key with what its variable's name asks for:
    `OPENAI_API_KEY` holding an Anthropic key, `GITHUB_TOKEN` holding a GitLab token,
    `STRIPE_SECRET_KEY` holding a publishable `pk_` key, `NEXT_PUBLIC_STRIPE_KEY` holding a
    secret key, `AWS_SECRET_ACCESS_KEY` holding an access key id (or the id and the secret
    swapped). Variables that name no single provider are left alone, and so is an SDK pointed
    at a compatible API by a base-URL variable in the same file (`OPENAI_BASE_URL`).

    ## Why is this bad?
    Each key only works with its own provider and for its own purpose: the SDK sends it to the
    wrong API and gets "Invalid API Key". A secret key in a public variable is also shipped to
    browsers.

    ## Example
    ```dotenv
    OPENAI_API_KEY=sk-ant-api03-...   # an Anthropic key
    ```

    ## How to fix
    Move the key to the variable it belongs to and put the right key here.
    """
    # A list, not a generator: the rule reports on almost no key (none of the dense tree's 40.7k), and an empty list
    # costs ~100 ns less a key than a generator started to yield nothing.
    problems: list[Problem] = []
    name = None
    for match in matches:
        if not match.valid:
            continue
        if name is None:
            name = normalized_name(entry.key)
        if not _may_mismatch(name, match, ctx.settings.extra_providers):
            continue
        problem = _kind_problem(entry, match, ctx) or _provider_problem(entry, match, ctx)
        if problem is not None:
            problems.append(problem)
    return problems


def _may_mismatch(name: str, match: Match, extra: tuple[Provider, ...]) -> bool:
    """Can KL210 report this valid key in a variable of this (normalized) name? False when neither the kind asked for
    nor the provider named is at odds with the key: the answer for nearly every valid key (40.7k on the dense tree),
    which took two name normalisations, two remembered answers and a tuple of the providers to reach. Remembered by
    what decides it (the same parts of the name and key as kind_conflict, provider_named_by and _compatible);
    tests/test_entry_fastpaths.py compares it with the rule's own steps."""
    template = match.format.template if match.format is not None else None
    cache_key = (name, match.provider, match.kind, match.is_secret, template)
    verdict = _MAY_MISMATCH.get(cache_key)
    if verdict is None or extra is not _MAY_MISMATCH_EXTRA[0]:
        if len(_MAY_MISMATCH) > 4096 or extra is not _MAY_MISMATCH_EXTRA[0]:
            # Verdicts hold for one set of config providers: held here, so that no other tuple can take its place.
            _MAY_MISMATCH.clear()
            _MAY_MISMATCH_EXTRA[0] = extra
        verdict = _MAY_MISMATCH[cache_key] = (
            kind_conflict(name, match) is not None or _named_other(name, match, all_providers(extra)) is not None
        )
    return verdict


_MAY_MISMATCH: dict[tuple[str, str, str, bool, str | None], bool] = {}
_MAY_MISMATCH_EXTRA: list[tuple[Provider, ...] | None] = [None]


def _named_other(key: str, match: Match, providers: tuple[Provider, ...]) -> Provider | None:
    """The one provider the variable's name points at, when it is not the key's own and does not take its keys."""
    named_id = provider_named_by(key, providers)
    if named_id is None or named_id == match.provider:
        return None
    named = next((p for p in providers if p.id == named_id), None)
    return None if named is None or _compatible(named, match) else named


def _kind_problem(entry: Entry, match: Match, ctx: FileContext) -> Problem | None:
    conflict = kind_conflict(entry.key, match)
    if conflict is None:
        return None
    what = describe(match)
    if conflict == "public":
        other = _counterpart(match, secret=True)
        want = f" ({other}...)" if other else ""
        message = (
            f"{entry.key} names a secret key but holds {_a(what)}, which is public by design: server-side calls "
            f"made with it are rejected; put the secret key{want} here and the publishable one in its own variable"
        )
    elif conflict == "secret":
        other = _counterpart(match, secret=False)
        want = f" ({other}...)" if other else ""
        message = (
            f"{entry.key} names a publishable (public) key but holds {_a(what)}: it would be shipped to browsers and "
            f"the client library rejects it; put the publishable key{want} here and keep the secret one server-side"
        )
    else:
        wanted, held = (
            ("access key id", "secret access key")
            if conflict == "aws-secret-in-id"
            else ("secret access key", "access key id")
        )
        sibling = _aws_sibling(entry.key, conflict)
        swapped = sibling is not None and any(
            (e.key.rsplit(".", 1)[-1].upper() == sibling.upper() or normalized_name(e.key) == normalized_name(sibling))
            and any(m.valid and m.provider == "aws" and kind_conflict(e.key, m) for m in ms)
            for e, ms in zip(ctx.entries, ctx.matches, strict=True)
        )
        if swapped:
            message = (
                f"{entry.key} holds an AWS {held} and {sibling} holds the access key id: the two are swapped, so "
                f"every AWS request fails to sign; exchange the two values"
            )
        else:
            message = (
                f"{entry.key} names an AWS {wanted} but holds an AWS {held}: AWS rejects the credentials; "
                f"put the {wanted} here (the id starts with AKIA or ASIA, the secret is 40 characters)"
            )
    return _problem(entry, match, message, 0, extra={"expected": conflict})


def _aws_sibling(key: str, conflict: str) -> str | None:
    name = key.rsplit(".", 1)[-1]
    upper = name.upper()
    if conflict == "aws-id-in-secret" and "SECRET_ACCESS_KEY" in upper:
        return name[: upper.index("SECRET_ACCESS_KEY")] + ("ACCESS_KEY_ID" if name.isupper() else "access_key_id")
    if conflict == "aws-secret-in-id" and "ACCESS_KEY_ID" in upper:
        return name[: upper.index("ACCESS_KEY_ID")] + ("SECRET_ACCESS_KEY" if name.isupper() else "secret_access_key")
    return None


def _provider_problem(entry: Entry, match: Match, ctx: FileContext) -> Problem | None:
    providers = all_providers(ctx.settings.extra_providers)
    named = _named_other(entry.key, match, providers)
    if named is None:
        return None  # most keys: imported below, not at every valid key (a microsecond each)
    named_id = named.id
    from keylint.engine import detector_for

    detector = detector_for(ctx.settings)
    if detector.named_for(match.provider, entry.key):
        return None  # the registry lists this very variable for the key's provider
    word = next((seq for seq, pid in _provider_words(providers) if pid == named_id), (named_id.upper(),))
    stem = "_".join(word)
    if any(name.startswith(stem) for name in _base_url_names(ctx)):
        return None  # the SDK is pointed at another API on purpose (OPENAI_BASE_URL=https://openrouter.ai/...)
    return _problem(
        entry,
        match,
        f"{entry.key} is named for {named.name} but holds {_a(describe(match))}: the {named.name} SDK sends it to "
        f"{named.name} and gets 'invalid API key'; put the {named.name} key here and move this one to "
        f"{_a(provider_name(match.provider))} variable",
        0,
        extra={"expected_provider": named_id},
    )


def _base_url_names(ctx: FileContext) -> list[str]:
    names = ctx.notes.get("base_url_names")
    if names is None:
        names = [n for n in (normalized_name(e.key) for e in ctx.entries) if _BASE_URL.search(n)]
        ctx.notes["base_url_names"] = names
    return names


_ENV_WORDS = {
    "production": "production",
    "prod": "production",
    "prd": "production",
    "live": "production",
    "development": "development",
    "dev": "development",
    "test": "test",
    "testing": "test",
    "sandbox": "test",
}
_STAGING = ("staging", "stage", "stg", "preprod", "preview", "uat")
# Next.js and Vite load `.env.local` in every environment, production included: it says nothing.
_UNDECIDED = frozenset({"local"})


def config_environment(ctx: FileContext, key: str) -> tuple[str, str] | None:
    """(environment, what says so) for a value: its section, its variable name, else its file name."""
    for section in reversed(key.split(".")[:-1]):
        words = [w for w in re.split(r"[_\-]", section.lower()) if w]
        if any(w in _STAGING for w in words):
            return None
        for word in words:
            if word in _ENV_WORDS:
                return _ENV_WORDS[word], f"the {section}: section"
    name = key.rsplit(".", 1)[-1]
    for word in normalized_name(name).lower().split("_"):
        if word in _STAGING:
            return None
        if word in _ENV_WORDS:
            return _ENV_WORDS[word], f"the variable name {name}"
    base = ctx.display.replace("\\", "/").rsplit("/", 1)[-1]
    if any(word in base.lower() for word in _STAGING) or ctx.environment is None:
        return None
    words = set(re.split(r"[.\-_]", base.lower()))
    if words & _UNDECIDED and not words & set(_ENV_WORDS):
        return None
    return ctx.environment, f"the file name {base}"


@rule("KL211", "environment-mismatch", Severity.WARNING, "format", gate=("test-or-live",))
def environment_mismatch(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A test key in a production config, or a live key in a development or test config.

    ## What it does
    For keys whose format tells test from live (Stripe `sk_test_`/`sk_live_`, `pk_`, `rk_`,
    Square and Braintree sandbox credentials, TestPyPI tokens ...), compares the key's
    environment with the config's: the file name (`.env.production`, `prod.yaml`,
    `values-prod.yaml`, `.env.development`, `.env.test`), a section (`production:`), or the
    variable name (`STRIPE_TEST_SECRET_KEY`). Staging configs are left alone (they use
    either), and so is `.env.local`, which Next.js and Vite load in production too. A live
    publishable key outside production is not reported: it moves no money on its own.

    ## Why is this bad?
    A test key in production means no real payment is ever taken (and test-mode webhooks
    fire). A live key in development or CI moves real money and touches real customer data
    from a laptop. A test key in production is an error, a live key elsewhere a warning.

    ## Example
    ```dotenv
    # .env.production
    STRIPE_SECRET_KEY=sk_test_...
    ```

    ## How to fix
    Use the key of the environment the config is for, from the provider's dashboard.
    """
    for match in matches:
        if not match.valid or match.environment not in TEST_OR_LIVE:
            continue
        found = config_environment(ctx, entry.key)
        if found is None:
            continue
        environment, because = found
        if match.environment == "test" and environment == "production":
            other = _counterpart(match, environment="live")
            want = f" ({other}...)" if other else ""
            yield _problem(
                entry,
                match,
                f"{describe(match)}{_where(entry)} is a test key in a production config ({because}): "
                f"{provider_name(match.provider)} runs it in test mode, so nothing real happens; use the live "
                f"key{want} from {_dashboard(match)}",
                0,
                severity=Severity.ERROR,
            )
        elif match.environment == "live" and environment in ("development", "test") and match.is_secret:
            # (A live publishable key in development moves no money: only secret keys are reported.)
            other = _counterpart(match, environment="test")
            want = f" ({other}...)" if other else ""
            yield _problem(
                entry,
                match,
                f"{describe(match)}{_where(entry)} is a live key in a {environment} config ({because}): it acts on "
                f"real money and real data from {environment} runs; use the test key{want} from {_dashboard(match)}",
                0,
            )


def _dashboard(match: Match) -> str:
    provider = by_id(match.provider)
    return (
        provider.rotate_url if provider and provider.rotate_url else None
    ) or f"the {provider_name(match.provider)} dashboard"
