"""Files that could not be read as their format says (category ``parse``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

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
    intended, and key paths in other findings for this file are less precise.

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
    for problem in ctx.parsed.problems:
        if problem.kind == "syntax" or problem.kind == "limit":
            yield Problem(
                f"cannot parse as {ctx.fmt}: {problem.message}; scanned line by line instead",
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
