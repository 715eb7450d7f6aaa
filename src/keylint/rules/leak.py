"""Leaked keys (category ``leak``): keys in files that are, or are about to be, shared.

Whether a file is tracked, staged, git-ignored or untracked comes from
:mod:`keylint.gitinfo` (``ctx.git``); outside a repository these rules stay quiet,
except the template rule, which needs no git. A key in a git-ignored local ``.env``
is where it belongs and stays an info finding (KL101).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from keylint import TYPE_CHECKING
from keylint.discover import display_path
from keylint.model import Entry, Match, Severity
from keylint.providers import by_id
from keylint.rules import Problem, all_rules, rule
from keylint.rules.secrets import ctx_examples, describe
from keylint.values import is_placeholder, looks_random

if TYPE_CHECKING:
    from keylint.engine import FileContext

SHARED_STATES = ("tracked", "staged")


def rotate_url(provider_id: str | None, kind: str | None = None) -> str | None:
    """Where a human rotates this provider's key (per kind when the provider says so)."""
    provider = by_id(provider_id) if provider_id else None
    if provider is None:
        return None
    return provider.extra.get("rotate_urls", {}).get(kind) or provider.rotate_url


def rotate_advice(provider_id: str | None, kind: str | None = None) -> str:
    url = rotate_url(provider_id, kind)
    return f"rotate it at {url}" if url else "rotate it at the provider"


def is_stand_in(value: str) -> bool:
    """A placeholder that happens to fit a format (``sk_test_xxxxxxxxxxxxxxxxxxxxxxxx``).

    A word test alone is not enough: long random keys contain "tbd" or "nil" by chance,
    so the value must also not look generated.
    """
    return is_placeholder(value) and not looks_random(value)


def real_keys(matches: list[Match], ctx: FileContext) -> Iterator[Match]:
    """Provider keys that pass their format and are neither documented examples nor placeholders."""
    examples = ctx_examples(ctx)
    for match in matches:
        if match.valid and match.is_secret and match.token not in examples and not is_stand_in(match.token):
            yield match


def _problem(entry: Entry, match: Match, message: str, fix: str) -> Problem:
    return Problem(
        message,
        entry=entry,
        column=entry.position_of(match.start)[1] if match.start else None,
        provider=match.provider,
        secret=match.token,
        fix=fix,
        public_prefix=len(match.format.prefix) if match.format else 0,
        extra={"kind": match.kind, "rotate_url": rotate_url(match.provider, match.kind)},
    )


@rule(
    "KL501",
    "committed-key",
    Severity.ERROR,
    "leak",
    gate=("valid-match", "not-template", "tracked|staged"),
    supersedes=("KL101",),
)
def committed_key(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A real provider key in a file that git tracks or that is staged for commit.

    ## What it does
    Reports every key that passes its provider's format (not a documented example, not a
    placeholder) in a file that is tracked by git or staged in the index. The message names
    the provider's page for rotating the key. Templates are reported by KL503 instead. The
    finding replaces the key's KL101 (one finding per key, at its worst).

    ## Why is this bad?
    Whatever is committed is copied to every clone, fork, CI cache and backup, and stays in
    the history after the line is deleted. A committed key must be treated as public.

    ## Example
    ```dotenv
    # config/app.env, tracked by git
    STRIPE_SECRET_KEY=sk_live_...
    ```

    ## How to fix
    Rotate the key at the provider (the message links the page), move the new one to a
    git-ignored `.env` or a secret store, and reference it from the tracked file. For a staged
    file, `git restore --staged FILE` before committing. Purging history does not un-leak a
    key that was pushed; rotating does.
    """
    git = ctx.git
    if git is None or git.state not in SHARED_STATES or ctx.template:
        return
    for match in real_keys(matches, ctx):
        where = f" in {entry.key}" if entry.key else ""
        if git.state == "staged":
            message = f"{describe(match)}{where} is staged for commit"
            fix = (
                f"unstage it (git restore --staged {git.relpath}), keep the key in a git-ignored file, "
                f"and {rotate_advice(match.provider, match.kind)} if it was ever pushed"
            )
        else:
            message = f"{describe(match)}{where} is in a file tracked by git"
            fix = (
                f"{rotate_advice(match.provider, match.kind)}; then keep the new key in a git-ignored file or a "
                "secret store (deleting the line does not remove the key from history)"
            )
        yield _problem(entry, match, message, fix)


@rule("KL502", "unignored-secret-file", Severity.WARNING, "leak", scope="file")
def unignored_secret_file(ctx: FileContext) -> Iterator[Problem]:
    """A `.env`-style file holding secrets that git neither tracks nor ignores.

    ## What it does
    Inside a git repository, reports a `.env`-style file (not a template) that holds at least
    one secret (a provider key, a generic secret, a password in a URL or a private key) when
    the file is untracked and not matched by any `.gitignore`. The message gives the exact
    line to add to `.gitignore`.

    ## Why is this bad?
    The file is one `git add .` or `git commit -a`-after-add away from being committed, and
    `git status` nags everyone into adding it.

    ## Example
    ```dotenv
    # .env.local, untracked and not ignored
    OPENAI_API_KEY=sk-proj-...
    ```

    ## How to fix
    Add the file's name to the repository's `.gitignore` (for example `.env.local`, or
    `.env*` with `!.env.example` to keep the template).
    """
    git = ctx.git
    if git is None or git.state != "untracked" or ctx.fmt != "dotenv" or ctx.template:
        return
    found = _first_secret(ctx)
    if found is None:
        return
    entry, found_by = found
    gitignore = os.path.join(git.root, ".gitignore")
    yield Problem(
        f"{ctx.display} holds a secret{f' in {entry.key}' if entry.key else ''} but is neither git-ignored nor "
        "tracked: one `git add .` from being committed",
        entry=entry,
        line=entry.key_line or entry.line,
        column=1,
        key=entry.key,
        fix=f"add the line `{git.relpath}` to {display_path(gitignore)}",
        extra={"gitignore_line": git.relpath, "found_by": found_by},
    )


def _first_secret(ctx: FileContext) -> tuple[Entry, str] | None:
    """The first entry that a secret rule (KL101-KL104, not examples) reports, with that rule's code."""
    secret_rules = [
        r for r in all_rules().values() if r.category == "secret" and r.scope == "entry" and r.name != "example-key"
    ]
    for entry, matches in zip(ctx.entries, ctx.matches, strict=True):
        for secret_rule in secret_rules:
            if any(p.secret for p in secret_rule.check(entry, matches, ctx)):
                return entry, secret_rule.code
    return None


@rule("KL503", "key-in-template", Severity.ERROR, "leak", gate=("valid-match", "template"), supersedes=("KL101",))
def key_in_template(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A real provider key in a template file (`.env.example`, `*.dist`, `example.*` ...).

    ## What it does
    Reports keys that pass their provider's format completely (and are neither the
    provider's documented example nor an obvious placeholder) in files meant to be committed
    and copied: `.env.example`, `.env.sample`, `.env.template`, `*.dist`, `example.*`, and
    the like. The finding replaces the key's KL101 (one finding per key, at its worst).

    ## Why is this bad?
    Templates are committed, published and copied into every developer's `.env`. A real key
    in one is leaked, and it ends up in use in places nobody tracks.

    ## Example
    ```dotenv
    # .env.example
    OPENAI_API_KEY=sk-proj-...   (a real key)
    ```

    ## How to fix
    Rotate the key (the message links the provider's page) and put a placeholder in the
    template: `OPENAI_API_KEY=your-openai-api-key`.
    """
    if not ctx.template:
        return
    state = f" ({ctx.git.state} in git)" if ctx.git is not None and ctx.git.state in SHARED_STATES else ""
    for match in real_keys(matches, ctx):
        where = f" in {entry.key}" if entry.key else ""
        yield _problem(
            entry,
            match,
            f"{describe(match)}{where} is a real key in a template file{state}: templates are committed and copied",
            f"replace it with a placeholder such as your-{match.provider}-key and "
            f"{rotate_advice(match.provider, match.kind)}",
        )


@rule("KL504", "key-in-history", Severity.ERROR, "leak", scope="external")
def key_in_history(*_args: object) -> Iterator[Problem]:
    """A key that was committed at some point in the repository's history.

    ## What it does
    `keylint history` reads the added lines of every commit (`git log -p`, nothing is checked
    out) in config files and reports each distinct secret once: the first commit that added
    it, its author date, the path and line, and whether the key is still present at HEAD.
    Provider keys and private keys are errors; generic secrets and URL passwords warnings.

    ## Why is this bad?
    Deleting a key in a later commit does not remove it from the history: every clone still
    has it. Only rotating it makes it harmless.

    ## Example
    ```text
    config/.env:3:14: KL504 [error] GitHub personal access token in GITHUB_TOKEN committed in
    1a2b3c4d5e6f (2024-03-01); removed since, but it stays in the history
    ```

    ## How to fix
    Rotate the key at the provider. Rewriting history (git filter-repo) is optional clean-up
    once the key is dead; it never un-leaks a key that was pushed.
    """
    return iter(())
