"""Live verification results (``keylint scan --verify``), KL7xx.

These rules have no check of their own (scope "external"): :mod:`keylint.verify.stage` asks each
provider about each distinct key and reports through them. Without ``--verify`` they never fire.
"""

from __future__ import annotations

from collections.abc import Iterable

from keylint.model import Severity
from keylint.rules import Problem, rule


@rule("KL701", "key-rejected", Severity.ERROR, "verify", scope="external")
def key_rejected(*_args: object) -> Iterable[Problem]:
    """The provider rejected the key: this is the "Invalid API Key" your application will get.

    ## What it does
    With `--verify`, keylint sends the key to its provider's own API (one cheap, read-only request,
    see the README section "Live verification") and reports the keys the provider refuses: wrong,
    mistyped, deleted, or belonging to another account or region.

    ## Why is this bad?
    Every request the application makes with this key fails. It is the failure keylint exists to
    catch before the deploy.

    ## Example
    ```dotenv
    OPENAI_API_KEY=sk-proj-...   # the provider answers 401
    ```

    ## How to fix
    Copy the key again from the provider's dashboard (the finding names it) and check that the
    variable, account and region are the intended ones. If the key was deleted on purpose, remove it.
    """
    return ()


@rule("KL702", "key-revoked", Severity.ERROR, "stale", scope="external")
def key_revoked(*_args: object) -> Iterable[Problem]:
    """The provider says the key was revoked, disabled or has expired.

    ## What it does
    With `--verify`, reports keys the provider recognises but no longer accepts: revoked (Slack
    `token_revoked`, a GitLab token marked `revoked`, a disabled Cloudflare token), deleted webhooks,
    or expired (AWS `ExpiredToken`, Mapbox `TokenExpired`, Slack `token_expired`).

    ## Why is this bad?
    The key was valid once and is dead now: typically a copy left behind after a rotation. The
    application fails to authenticate, and the stale copy hides where the live key should be.

    ## Example
    ```dotenv
    SLACK_BOT_TOKEN=xoxb-...   # auth.test answers {"ok": false, "error": "token_revoked"}
    ```

    ## How to fix
    Replace it with the current key (the rotation page is named in the finding), or delete the entry
    if nothing uses it any more.
    """
    return ()


@rule("KL703", "live-key-leaked", Severity.ERROR, "leak", scope="external", supersedes=("KL501", "KL503"))
def live_key_leaked(*_args: object) -> Iterable[Problem]:
    """A working key in a committed or template file.

    ## What it does
    With `--verify`, reports keys the provider accepts (status `valid` or `valid_scoped`) that sit in a
    file meant to be shared: a template (`.env.example`, `config.yaml.dist`, `example.*` ...) or, when
    git information is available, a tracked or staged file. It replaces the key's KL501 or KL503 (and
    so its KL101): one finding per key, at its worst.

    ## Why is this bad?
    Anyone who can read the repository can use the key, and the provider just confirmed it works.
    Committed secrets stay in the history even after the line is deleted.

    ## Example
    ```dotenv
    # .env.example
    STRIPE_SECRET_KEY=sk_live_...   # the provider answers 200
    ```

    ## How to fix
    Rotate the key now at the provider (the finding links the rotation page), then replace the value
    in the file with a placeholder and keep real keys in an ignored `.env` or a secret store.
    """
    return ()


@rule("KL704", "key-verified", Severity.INFO, "verify", scope="external")
def key_verified(*_args: object) -> Iterable[Problem]:
    """The provider accepted the key.

    ## What it does
    With `--verify`, notes each key the provider accepts. `valid_scoped` means it authenticated but the
    endpoint keylint asked is forbidden to it (a restricted or scoped key): it works for what it is for.

    ## Why is this bad?
    It is not: this is informational, the confirmation that the key in this file works. It becomes
    KL703 when the file is committed or a template.

    ## Example
    ```dotenv
    GITHUB_TOKEN=ghp_...   # GET /rate_limit answers 200
    ```

    ## How to fix
    Nothing to fix. Disable the note with `--ignore KL704` if you only want problems.
    """
    return ()


@rule("KL705", "key-not-verified", Severity.INFO, "verify", scope="external")
def key_not_verified(*_args: object) -> Iterable[Problem]:
    """keylint could not get a conclusive answer about the key.

    ## What it does
    With `--verify`, notes keys whose status is `unknown` (network error, timeout, server error, an
    unexpected answer), `rate_limited` (the provider asked to slow down), or `unverifiable` (the
    provider has no safe endpoint, a partner value such as the AWS secret for an access key id is
    missing or ambiguous, a host named in the file is not the provider's, or the key belongs to a
    known canary-token account). The detail says which.

    ## Why is this bad?
    It is informational: keylint never guesses, so such keys are neither passed nor failed.

    ## Example
    ```dotenv
    AWS_ACCESS_KEY_ID=AKIA...   # no AWS_SECRET_ACCESS_KEY in the same file: unverifiable
    ```

    ## How to fix
    Put the partner value next to the key (same file and section) if it belongs there, retry later
    for network errors and rate limits, or disable the note with `--ignore KL705`.
    """
    return ()
