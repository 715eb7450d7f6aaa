"""Files that could not be read as their format says (category ``parse``)."""

from __future__ import annotations

from collections.abc import Iterator

from keylint import TYPE_CHECKING
from keylint.model import Severity
from keylint.rules import Problem, noop, rule

if TYPE_CHECKING:
    from keylint.engine import FileContext


@rule("KL001", "parse-error", Severity.WARNING, "parse", scope="file")
def parse_error(ctx: FileContext) -> Iterator[Problem]:
    """The file is not valid for its format; it was scanned line by line instead.

    ## What it does
    Reports the parser's message and position when a config file fails to parse (bad YAML
    indentation, a TOML table defined twice, a JSON trailing comma, a Helm template that is
    not YAML until rendered). The file is then scanned line by line, so keys in it are still found.

    ## Why is this bad?
    The application (or deploy tool) reading this file will fail or read something else than
    intended, and key paths in other findings for this file are less precise. Files built to
    exhaust a parser (a YAML "billion laughs" alias bomb, nesting thousands of levels deep)
    are reported here too, with the limit that stopped them.

    ## Example
    ```yaml
    api:
      key: sk_live_...
     secret: oops   # bad indentation
    ```

    ## How to fix
    Fix the syntax at the reported line. For templates that are rendered before use (Helm,
    Jinja), exclude them or scan the rendered output.
    """
    fallback = "; scanned line by line instead" if ctx.parsed.failed else ""
    for problem in ctx.parsed.problems:
        if problem.kind in {"syntax", "limit", "alias-bomb"}:
            yield Problem(
                f"cannot parse as {ctx.fmt}: {problem.message}{fallback}",
                line=problem.line,
                column=problem.column,
                key=problem.key,
            )


@rule("KL002", "unused-suppression", Severity.WARNING, "hygiene", scope="external")
def unused_suppression(*_args: object) -> Iterator[Problem]:
    """A `# keylint: ignore` comment that suppresses nothing.

    ## What it does
    Reports inline suppressions with no finding to suppress on their line, codes in a
    suppression that did not fire, and same-line suppressions in `.env` files (where they
    have no effect: use `# keylint: ignore-next-line[...]` on the line before).

    ## Why is this bad?
    A stale suppression hides the next problem that lands on that line: a different key
    pasted there later would be silenced without review.

    ## Example
    ```yaml
    region: eu-west-1  # keylint: ignore[KL101]
    ```

    ## How to fix
    Remove the comment, or narrow it to the codes that actually fire on that line.
    """
    return noop()


@rule("KL003", "unparsed-line", Severity.WARNING, "parse", scope="file")
def unparsed_line(ctx: FileContext) -> Iterator[Problem]:
    """A line the format's loader cannot read, so it skips it (or refuses the file).

    ## What it does
    Reports `.env` lines that python-dotenv cannot parse and ignores (a missing `=`, a key
    with spaces, a stray word), and INI lines that configparser cannot read. keylint still
    scans the line's value, so a key on it is not missed.

    ## Why is this bad?
    The application silently never receives the variable: a key defined on such a line is
    "missing" at runtime even though it is in the file.

    ## Example
    ```dotenv
    OPENAI API KEY=sk-proj-...
    ```

    ## How to fix
    Write the line as `NAME=value` with a name of letters, digits and underscores.
    """
    for problem in ctx.parsed.problems:
        if problem.kind == "invalid-line":
            yield Problem(problem.message, line=problem.line, column=problem.column, key=problem.key)


@rule("KL004", "invalid-base64", Severity.ERROR, "hygiene", scope="file")
def invalid_base64(ctx: FileContext) -> Iterator[Problem]:
    """A Kubernetes Secret `data:` value that is not valid base64.

    ## What it does
    Values under `data:` of a `kind: Secret` must be base64; keylint decodes them to check
    the keys inside and reports the ones that do not decode.

    ## Why is this bad?
    The API server rejects the Secret, or (when the value happens to decode) the pod receives
    bytes that are not the key: a raw key pasted under `data:` instead of `stringData:` is a
    classic cause of "Invalid API Key".

    ## Example
    ```yaml
    kind: Secret
    data:
      OPENAI_API_KEY: sk-proj-...   # raw, not base64
    ```

    ## How to fix
    Encode the value (`printf %s "$KEY" | base64 -w0`), or move it under `stringData:`,
    which takes plain text.
    """
    from keylint.rules.secrets import describe

    for problem in ctx.parsed.problems:
        if problem.kind != "invalid-base64":
            continue
        message, provider, secret = problem.message, None, None
        for entry, matches in zip(ctx.entries, ctx.matches, strict=True):
            key = next((m for m in matches if m.valid), None) if entry.key == problem.key else None
            if key is not None:  # the classic mistake: a raw key pasted under data:
                provider, secret = key.provider, key.token
                message += (
                    f"; the value is a raw {describe(key)}: move it under `stringData:`, which takes plain text, "
                    "or base64-encode it"
                )
                break
        else:
            message += "; base64-encode the value, or move it under `stringData:`"
        yield Problem(
            message, line=problem.line, column=problem.column, key=problem.key, provider=provider, secret=secret
        )
