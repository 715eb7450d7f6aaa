"""Config pitfalls (category ``hygiene``): files that mangle a key before the application sees it.

The key may be perfect and still arrive broken: cut at a `` #`` that one loader
takes for a comment, with a ``$`` expanded away by another, swallowed by a quote
that is never closed, overridden by a second definition, or turned into a number
by a YAML loader. Each rule here names the loaders that behave differently and
the one-character fix (usually quoting) that makes every loader agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import TYPE_CHECKING
from keylint.fix import edit_at, offset_of, requote
from keylint.model import Entry, Match, ParseProblem, Severity
from keylint.rules import Problem, rule
from keylint.rules.format import secret_name
from keylint.rules.secrets import describe, provider_name
from keylint.values import has_embedded_reference, is_reference

if TYPE_CHECKING:
    from keylint.engine import FileContext


def _expects_secret(entry: Entry, matches: list[Match]) -> bool:
    return bool(matches) or secret_name(entry.key)


def _holding(matches: list[Match]) -> str:
    """' (the Stripe live secret key)' / '' for messages."""
    valid = [m for m in matches if m.valid] or matches
    return f" (the {describe(valid[0])})" if valid else ""


def _rejects(matches: list[Match]) -> str:
    return f"{provider_name(matches[0].provider)} rejects it" if matches else "the service rejects it"


def _provider(matches: list[Match]) -> str | None:
    return matches[0].provider if matches else None


def _secret(entry: Entry, matches: list[Match]) -> str | None:
    valid = [m for m in matches if m.valid] or matches
    return valid[0].token if valid else (entry.value.strip() or None)


def _public(matches: list[Match]) -> int:
    valid = [m for m in matches if m.valid] or matches
    return len(valid[0].format.prefix) if valid and valid[0].format is not None else 0


_KEY = object()  # "the key in the value", the default subject of a problem


def _about(
    message: str, entry: Entry, matches: list[Match], at: int, *, secret: object = _KEY, edits: tuple = ()
) -> Problem:
    """A problem in ``entry``'s value, pointing at its character ``at``."""
    line, column = entry.position_of(at)
    return Problem(
        message,
        entry=entry,
        line=line,
        column=column,
        provider=_provider(matches),
        secret=_secret(entry, matches) if secret is _KEY else secret,  # type: ignore[arg-type]
        public_prefix=_public(matches),
        edits=edits,
    )


# -- KL301 / KL302: .env values that loaders read differently ---------------------------

_COMMENT_AFTER = re.compile(r"([ \t]+)#(\S+)[ \t]*$")


@rule("KL301", "dotenv-comment", Severity.WARNING, "hygiene", gate=("dotenv",))
def dotenv_comment(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """An unquoted `.env` value with a `#` in it, which loaders cut in different places.

    ## What it does
    Looks at unquoted values of keys and secrets in `.env` files. python-dotenv and docker
    compose end an unquoted value at a `#` that follows whitespace (` #`); Node's and Ruby's
    dotenv end it at any `#`. The rule reports a `#` that python-dotenv keeps but Node's dotenv
    cuts (`abc#def`), and a ` #...` that python-dotenv cuts off as a comment although it looks
    like part of the secret (no space after the `#`, nothing else on the line).

    ## Why is this bad?
    The application receives only the part before the `#`: a shorter key or password, which the
    service rejects. Which part it gets depends on the language of the application.

    ## Example
    ```dotenv
    DB_PASSWORD=hunter2 #42
    API_SECRET=abc#def
    ```

    ## How to fix
    Quote the value with single quotes: `DB_PASSWORD='hunter2 #42'`. `keylint fix` does it.
    """
    value = entry.value
    if ctx.fmt != "dotenv" or entry.quote or ("#" not in value and entry.comment is None):
        return
    if not _expects_secret(entry, matches):
        return
    if "#" in value and not is_reference(value):
        yield _about(
            f"the unquoted value of {entry.key}{_holding(matches)} contains '#': python-dotenv and docker compose "
            f"keep it, but Node's and Ruby's dotenv cut the value there, so those applications get a truncated "
            f"secret; quote the value with single quotes",
            entry,
            matches,
            value.index("#"),
            edits=_quote_edits(ctx, entry, value),
        )
        return
    if entry.comment is None or "keylint" in entry.comment.lower():
        return
    start = offset_of(ctx, entry.line, entry.column)
    if start is None or not ctx.text.startswith(value, start):
        return
    line_end = ctx.text.find("\n", start)
    rest = ctx.text[start + len(value) : line_end if line_end >= 0 else len(ctx.text)]
    cut = _COMMENT_AFTER.match(rest)
    if cut is None:
        return
    whole = value + rest.rstrip(" \t")
    yield _about(
        f"the unquoted value of {entry.key}{_holding(matches)} is cut at ' #': python-dotenv and docker compose "
        f"read only the part before it and drop '#{_shorten(cut.group(2))}' as a comment; if that is part of the "
        f"secret, quote the whole value with single quotes",
        entry,
        matches,
        len(value) + len(cut.group(1)),
        secret=whole.strip(),
        edits=_quote_edits(ctx, entry, whole),
    )


def _shorten(text: str) -> str:
    return text if len(text) <= 3 else text[:2] + "…"


def _quote_edits(ctx: FileContext, entry: Entry, text: str) -> tuple:
    """Single-quote ``text`` written at the entry's value position (an unquoted .env value)."""
    if "'" in text or "\n" in text:
        return ()
    start = offset_of(ctx, entry.line, entry.column)
    if start is None:
        return ()
    edit = edit_at(ctx, start, text, f"'{text}'")
    return (edit,) if edit else ()


_EXPANDED = re.compile(r"\$(?:\{|[A-Za-z_])")


@rule("KL302", "dotenv-interpolation", Severity.WARNING, "hygiene", gate=("dotenv",))
def dotenv_interpolation(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A `$` in an unquoted or double-quoted `.env` secret, which interpolating loaders expand.

    ## What it does
    Reports keys and secrets in `.env` files whose value contains `$` outside single quotes,
    unless the value is meant as a reference (`${OTHER_VAR}`).

    ## Why is this bad?
    docker compose and Node's dotenv-expand replace `$name` and `${name}` by the value of that
    variable (usually empty) and refuse or mangle other `$` sequences; python-dotenv's
    `load_dotenv` expands `${name}`. A password like `pa$word` arrives as `pa`.

    ## Example
    ```dotenv
    DB_PASSWORD=pa$word
    ```

    ## How to fix
    Put the value in single quotes, which no loader interpolates: `DB_PASSWORD='pa$word'`.
    `keylint fix` does it (or escape each `$` as `$$` for docker compose only).
    """
    if ctx.fmt != "dotenv" or entry.quote not in ("", '"') or "$" not in entry.value:
        return
    value = entry.value
    if not _expects_secret(entry, matches) or is_reference(value) or has_embedded_reference(value):
        return
    at = value.index("$")
    expanded = _EXPANDED.search(value)
    consequence = (
        f"docker compose and dotenv-expand replace '{value[expanded.start() : expanded.start() + 2]}...' by the value "
        f"of a variable (usually empty)"
        if expanded
        else "docker compose refuses a '$' that does not start a variable name"
    )
    edit = requote(ctx, entry, "'")
    yield _about(
        f"the value of {entry.key}{_holding(matches)} contains '$' outside single quotes: {consequence}, so the "
        f"application gets a different secret; put the value in single quotes",
        entry,
        matches,
        at,
        edits=(edit,) if edit else (),
    )


# -- KL303 / KL304: structure the parser sees -------------------------------------------


def _entries_for(ctx: FileContext, problem: ParseProblem) -> list[tuple[Entry, list[Match]]]:
    by_key = ctx.notes.get("entries_by_key")
    if by_key is None:
        by_key = {}
        for entry, matches in zip(ctx.entries, ctx.matches, strict=True):
            by_key.setdefault(entry.key, []).append((entry, matches))
        ctx.notes["entries_by_key"] = by_key
    return by_key.get(problem.key, []) if problem.key else []


_STRAY_QUOTE = re.compile(r"""[^"'`]["'`]$""")


@rule("KL303", "unbalanced-quote", Severity.ERROR, "hygiene", scope="file")
def unbalanced_quote(ctx: FileContext) -> Iterator[Problem]:
    """A quote around a value that is opened and never closed (or closed and never opened).

    ## What it does
    Reports `.env` values whose opening quote is not closed on its line (the parser's
    `unbalanced-quote`), and unquoted key or secret values that end with a stray `"` or `'`
    that has no opening quote.

    ## Why is this bad?
    python-dotenv reads on to the next matching quote, however many lines later, and swallows
    the variables in between into one value (or skips the line); other loaders stop at the end
    of the line. A stray closing quote becomes part of the key.

    ## Example
    ```dotenv
    STRIPE_SECRET_KEY="sk_live_...
    SENTRY_DSN=https://...
    ```

    ## How to fix
    Close the quote at the end of the value (or remove the stray one).
    """
    for problem in ctx.parsed.problems:
        if problem.kind != "unbalanced-quote":
            continue
        pairs = _entries_for(ctx, problem)
        matches = pairs[0][1] if pairs else []
        yield Problem(
            f"{problem.message}; the value{_holding(matches)} does not reach the application as written and "
            f"{_rejects(matches)}: close the quote at the end of the value",
            line=problem.line,
            column=problem.column,
            key=problem.key,
            provider=_provider(matches),
            secret=_secret(pairs[0][0], matches) if pairs else None,
            public_prefix=_public(matches),
        )
    if ctx.fmt not in ("dotenv", "yaml"):
        return
    for entry, matches in zip(ctx.entries, ctx.matches, strict=True):
        value = entry.value
        if entry.quote or value[-1:] not in ("'", '"', "`") or not _STRAY_QUOTE.search(value):
            continue
        if not _expects_secret(entry, matches):
            continue
        quote = value[-1]
        if value.count(quote) != 1 or (ctx.fmt == "yaml" and quote == "`"):
            continue
        yield _about(
            f"the value of {entry.key}{_holding(matches)} ends with a stray {quote} that no quote opens: the "
            f"application receives it as the last character of the secret; remove it (or add the opening quote)",
            entry,
            matches,
            len(value) - 1,
            secret=value[:-1].strip() or None,
        )


# Which definition of a repeated key each format's loaders use.
_DUPLICATE_WINNER = {
    "dotenv": "python-dotenv, docker compose and Node's dotenv use the last one",
    "yaml": "PyYAML and most loaders keep the last one; ruamel.yaml, Go yaml.v3 and others refuse the file",
    "json": "Python's json and JavaScript's JSON.parse keep the last one; strict parsers refuse the file",
    "toml": "TOML forbids it: every TOML loader refuses the file",
    "ini": "Python's configparser refuses the file (strict mode); other INI readers keep one or the other",
    "properties": "java.util.Properties keeps the last one",
}


@rule("KL304", "duplicate-key", Severity.WARNING, "hygiene", scope="file")
def duplicate_key(ctx: FileContext) -> Iterator[Problem]:
    """The same variable defined twice in one file.

    ## What it does
    Reports every repeated key (the parsers' `duplicate-key`) and says which definition the
    format's loaders use: the last one for `.env` files, PyYAML and JSON; none for TOML and
    strict YAML or INI loaders, which refuse the file.

    ## Why is this bad?
    Editing the first definition changes nothing, or a real key is silently overridden by a
    placeholder further down; and loaders disagree on which one wins.

    ## Example
    ```dotenv
    OPENAI_API_KEY=sk-proj-...
    # ... 40 lines later
    OPENAI_API_KEY=your-api-key-here
    ```

    ## How to fix
    Delete the definition you do not want, so that every loader reads the same value.
    """
    for problem in ctx.parsed.problems:
        if problem.kind != "duplicate-key":
            continue
        pairs = _entries_for(ctx, problem)
        winner = _DUPLICATE_WINNER.get(ctx.fmt, "loaders disagree on which one they use")
        lines = sorted({e.key_line or e.line for e, _ in pairs})
        valid = [(e, m) for e, ms in pairs for m in ms if m.valid]
        detail = ""
        if len(pairs) >= 2 and ctx.fmt in ("dotenv", "yaml", "json", "properties"):
            last = pairs[-1][0]
            overridden = [(e, m) for e, m in valid if e is not last]
            if overridden and not any(m.valid for m in pairs[-1][1]):
                detail = (
                    f"; the {describe(overridden[0][1])} on line {overridden[0][0].line} is overridden by the value "
                    f"on line {last.line}"
                )
        where = f" (lines {', '.join(map(str, lines))})" if len(lines) > 1 else ""
        first = valid[0][1] if valid else None
        if first is not None and not detail:
            detail = f"; it holds the {describe(first)}"
        yield Problem(
            f"{problem.key} is defined more than once{where}: {winner}{detail}; delete the definition you do not want",
            line=problem.line,
            column=problem.column,
            key=problem.key,
            provider=first.provider if first else None,
        )


# -- KL305: YAML scalars that are not strings -----------------------------------------------

# YAML 1.2 core schema (ruamel.yaml, Go yaml.v3, js-yaml 4, libfyaml ...).
_Y12_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_Y12_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_Y12_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_Y12_NULL = re.compile(r"null|Null|NULL|~|")
# YAML 1.1 ints as PyYAML resolves them, to say what they become.
_Y11_OCTAL = re.compile(r"[-+]?0[0-7_]+")
_Y11_HEX = re.compile(r"[-+]?0x[0-9a-fA-F_]+")
_Y11_BINARY = re.compile(r"[-+]?0b[0-1_]+")
_Y11_SEXAGESIMAL = re.compile(r"[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
# A secret this short is a flag, not a key: `auth: 1` is a setting.
_MIN_COERCED_LENGTH = 6


def yaml12_type(value: str) -> str:
    """What a YAML 1.2 (core schema) loader resolves a plain scalar to."""
    if _Y12_NULL.fullmatch(value):
        return "null"
    if _Y12_BOOL.fullmatch(value):
        return "bool"
    if _Y12_INT.fullmatch(value):
        return "int"
    if _Y12_FLOAT.fullmatch(value):
        return "float"
    return "str"


# What a YAML 1.2 number (_Y12_INT, _Y12_FLOAT) starts with.
_NUMBER_START = frozenset("+-.0123456789")


def _may_be_number(value: str) -> bool:
    """Can a plain scalar of _MIN_COERCED_LENGTH characters or more be anything but a string to a YAML 1.2 loader?

    Only a number, and only with a sign, a dot or a digit first: nulls and booleans are shorter. The dense tree's
    YAML keys start with letters, and yaml12_type's four regexes turned each of them away (~1 us);
    tests/test_entry_fastpaths.py compares the answer with yaml12_type's."""
    return value[:1] in _NUMBER_START and yaml12_type(value) != "str"


def _yaml11_effect(value: str, tag: str) -> str:
    if tag == "int":
        if _Y11_SEXAGESIMAL.fullmatch(value):
            return "a base-60 (sexagesimal) integer"
        if _Y11_HEX.fullmatch(value):
            return "a hexadecimal integer"
        if _Y11_BINARY.fullmatch(value):
            return "a binary integer"
        if _Y11_OCTAL.fullmatch(value):
            return "an octal integer (a different number)"
        return "an integer" + (" (without its leading zeros)" if value.lstrip("+-").startswith("0") else "")
    if tag == "float":
        return "a floating-point number (digits beyond its precision are lost)"
    if tag == "timestamp":
        return "a date"
    return f"a value of type {tag}"


def _yaml12_effect(value: str, kind: str) -> str:
    if kind == "int":
        if value.startswith(("0o", "0x")):
            return "an octal or hexadecimal integer"
        return "an integer" + (" without its leading zeros" if value.lstrip("+-").startswith("0") else "")
    if kind == "float":
        mantissa_digits = sum(c.isdigit() for c in value.split("e")[0].split("E")[0])
        if re.search(r"[eE][-+]?[0-9]{3,}", value) or mantissa_digits > 15:
            return "a floating-point number (here infinity, zero or a rounded value)"
        return "a floating-point number"
    return f"a value of type {kind}"


@rule("KL305", "yaml-coercion", Severity.ERROR, "hygiene", gate=("yaml",))
def yaml_coercion(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """An unquoted YAML key or secret that a YAML loader reads as a number or a date.

    ## What it does
    Checks plain (unquoted) YAML scalars where a key or secret is expected against both YAML
    schemas in use: YAML 1.1 (PyYAML and many others: octal `0755`, hex `0x1f`, base-60
    `12:34:56`, dates, floats with a dot) and YAML 1.2 (ruamel.yaml, Go yaml.v3, js-yaml:
    `1234e5678` is a float, `0755` the integer 755). Booleans and nulls are left to other rules.

    ## Why is this bad?
    The application gets a number instead of the string: a different number (octal), the same
    digits without leading zeros, a rounded float or infinity. Converting it back to text does
    not give the key, and the service rejects it.

    ## Example
    ```yaml
    payments:
      api_key: 0755123456
    ```

    ## How to fix
    Quote the value: `api_key: '0755123456'`. `keylint fix` does it.
    """
    if ctx.fmt != "yaml" or entry.quote or entry.decoded_from or "\n" in entry.raw:
        return
    value = entry.value
    if len(value) < _MIN_COERCED_LENGTH or (entry.tag in (None, "str") and not _may_be_number(value)):
        return
    if not _expects_secret(entry, matches) or is_reference(value):
        return
    tag11 = entry.tag or "str"
    tag12 = yaml12_type(value)
    effects = []
    if tag11 not in ("str", "bool", "null"):
        effects.append(f"YAML 1.1 loaders (PyYAML and others) read it as {_yaml11_effect(value, tag11)}")
    if tag12 not in ("str", "bool", "null"):
        effects.append(f"YAML 1.2 loaders (ruamel.yaml, Go yaml.v3, js-yaml) as {_yaml12_effect(value, tag12)}")
    if not effects:
        return
    if len(effects) == 2:
        effects[1] = "and " + effects[1]
    else:
        effects[0] = effects[0].replace(" as ", " read it as ", 1) if effects[0].startswith("YAML 1.2") else effects[0]
        effects.append("while other loaders keep the text" if tag11 == "str" or tag12 == "str" else "")
    edit = requote(ctx, entry, "'")
    yield Problem(
        f"the unquoted value of {entry.key}{_holding(matches)} is not read as text: "
        f"{', '.join(e for e in effects if e)}; the application never gets the key as written: quote it ('...')",
        entry=entry,
        provider=_provider(matches),
        secret=_secret(entry, matches),
        public_prefix=_public(matches),
        edits=(edit,) if edit else (),
        extra={"yaml11": tag11, "yaml12": tag12},
    )
