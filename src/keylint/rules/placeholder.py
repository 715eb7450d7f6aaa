"""Placeholders (category ``placeholder``): a key variable that holds no key at all.

`your-api-key-here`, `<YOUR_KEY>`, `sk-...`, `ghp_xxxx`, `changeme`, `TODO` in a
config that an application really loads means the first request fails with
"Invalid API Key". In templates (`.env.example`, `.env.sample`, `*.dist`,
`example.*` ...) placeholders are the point, and are never reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import TYPE_CHECKING
from keylint.diagnose import _PLACEHOLDER_ENDINGS, _PLACEHOLDER_RUNS, _SEPARATOR_RUNS, looks_like_placeholder
from keylint.model import Entry, Match, Severity
from keylint.providers import all_providers, by_id
from keylint.rules import Problem, rule
from keylint.rules.format import config_environment, provider_named_by, secret_name
from keylint.rules.secrets import ctx_examples
from keylint.values import (
    is_placeholder,
    is_reference,
    known_non_placeholder,
    looks_random,
    names_secret,
    normalized_name,
)

if TYPE_CHECKING:
    from keylint.engine import FileContext

# Variables whose emptiness or placeholder breaks an API call (not a password prompt, not a flag).
_API_CREDENTIAL = re.compile(r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|SECRET_KEY|ACCESS_KEY|PAT|CREDENTIALS?|DSN)$")
_SHOWN_PLACEHOLDER = 40
# `AUTH=true`, `token_auth: off`: switches in secret-sounding settings, not stand-ins for a key.
_FLAGS = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "0", "1"})
_LONGEST_FLAG = max(map(len, _FLAGS))
_NULLS = frozenset({"none", "null", "nil", "~", "undefined"})


_EXPECTED: dict[tuple[int, str], str | None] = {}
_VARIABLES: dict[int, frozenset[str]] = {}
_LAST_WORDS: dict[int, frozenset[str]] = {}


def provider_variable(ctx: FileContext, key: str) -> bool:
    """Is the variable (or its suffix: APP_OPENAI_API_KEY) one that the registry lists for some provider?"""
    providers = all_providers(ctx.settings.extra_providers)
    names = _VARIABLES.get(id(providers))
    if names is None:
        names = frozenset(v.upper() for p in providers for v in p.env_vars)
        _VARIABLES[id(providers)] = names
        _LAST_WORDS[id(names)] = frozenset(v.rsplit("_", 1)[-1] for v in names)
    # Most variables end in a word no provider variable ends in (PORT, HOST, ENABLED): no need to look further.
    last = key.rsplit(".", 1)[-1].replace("-", "_").rsplit("_", 1)[-1].upper()
    if last not in _LAST_WORDS[id(names)]:
        return False
    known = _IS_VARIABLE.get((id(names), key))
    if known is None:
        parts = normalized_name(key).split("_")
        known = any("_".join(parts[i:]) in names for i in range(len(parts)))
        if len(_IS_VARIABLE) > 8192:
            _IS_VARIABLE.clear()
        _IS_VARIABLE[(id(names), key)] = known
    return known


_IS_VARIABLE: dict[tuple[int, str], bool] = {}


def expected_provider(ctx: FileContext, key: str) -> str | None:
    """The provider whose key a variable is meant to hold, from the registry's names or the name's words."""
    # By the providers the detector is made of (engine.detector_for's own key): the engine is imported on a miss
    # only (importing it at each call was a fifth of this function's time).
    cache_key = (id(ctx.settings.extra_providers), normalized_name(key))
    if cache_key in _EXPECTED:
        return _EXPECTED[cache_key]
    from keylint.engine import detector_for

    detector = detector_for(ctx.settings)
    found: str | None = None
    candidates = detector.candidates_for_name(key)
    if candidates:
        found = candidates[0].provider.id
    else:
        found = detector.first_named_for(key) or provider_named_by(key, all_providers(ctx.settings.extra_providers))
    if len(_EXPECTED) > 4096:
        _EXPECTED.clear()
    _EXPECTED[cache_key] = found
    return found


def _provider_label(provider_id: str | None) -> str:
    if provider_id is None:
        return "a real key"
    provider = by_id(provider_id)
    return f"a real {provider.name if provider else provider_id} key"


def _where_to_get(provider_id: str | None) -> str:
    provider = by_id(provider_id) if provider_id else None
    return f" (from {provider.rotate_url})" if provider and provider.rotate_url else ""


def _is_api_credential(key: str, provider_id: str | None) -> bool:
    return provider_id is not None or bool(_API_CREDENTIAL.search(normalized_name(key)))


@rule("KL401", "placeholder-key", Severity.ERROR, "placeholder", gate=("not-template", "no-valid-match", "filled"))
def placeholder_key(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """A key or token variable holding a placeholder in a config that is really used.

    ## What it does
    Reports placeholders (`your-api-key-here`, `<YOUR_KEY>`, `xxx...`, `changeme`, `TODO`,
    `replace_me`, `dummy`, `sk-...`, `ghp_xxxx...`, `exampledonotuse...`) in variables that
    name a key, token or secret, in every file that is not a template. Template files
    (`.env.example`, `.env.sample`, `.env.template`, `*.dist`, `example.*` ...) are skipped:
    placeholders belong there. A placeholder in an API key or token variable is an error; in
    other secret variables (passwords) a warning.

    ## Why is this bad?
    The application starts, sends the placeholder, and the provider answers "Invalid API Key":
    the deploy fails at the first request rather than at build time.

    ## Example
    ```dotenv
    # .env.production
    OPENAI_API_KEY=your-api-key-here
    ```

    ## How to fix
    Put the real key in the config (or in the environment that overrides it), or, if this file
    is meant to be copied, rename it to a template name such as `.env.example`.
    """
    if ctx.template or (matches and any(m.valid for m in matches)):
        return
    value = entry.value.strip()
    if not value or not (secret_name(entry.key) or provider_variable(ctx, entry.key)) or is_reference(value):
        return
    # Only a short value can be a flag (lower() never shortens a string): a long key is not lower-cased for it.
    if len(value) <= _LONGEST_FLAG and value.lower() in _FLAGS:
        return
    if not _looks_like_placeholder(value) or _documented_example(ctx, value):
        return
    provider_id = (matches[0].provider if matches else None) or expected_provider(ctx, entry.key)
    severe = _is_api_credential(entry.key, provider_id)
    if value.lower() in _NULLS and not severe:
        return  # `auth: null` is a setting switched off, `API_KEY=null` a key that was never filled in
    # Quote the placeholder only when it is evidently one (words, markers), never a number or a random string.
    evident = any(map(str.isalpha, value)) and not looks_random(value)
    shown = f"the placeholder '{value}'" if len(value) <= _SHOWN_PLACEHOLDER and evident else "a placeholder"
    yield Problem(
        f"{entry.key} holds {shown} instead of {_provider_label(provider_id)}: the service answers "
        f"'Invalid API Key' at the first request; put the real key here{_where_to_get(provider_id)}, or rename "
        f"the file to a template name (.env.example) if it is meant to be copied",
        entry=entry,
        provider=provider_id,
        severity=None if severe else Severity.WARNING,
    )


def _looks_like_placeholder(value: str) -> bool:
    """looks_like_placeholder(value), without searching a value again for the long placeholder words and
    ``[xX]{6,}`` when KL102 has just found no placeholder word in it (values.known_non_placeholder): each of those
    holds one of is_placeholder's words (tests/test_values_fastpaths.py), so only the runs of stand-in characters
    are left to look for. A multi-kilobyte key took 14 searches of its length more, a generated secret a regex
    search; tests/test_rule_values_fastpaths.py compares the two."""
    v = value.strip().strip("\"'")
    if not known_non_placeholder(v):
        return looks_like_placeholder(value)
    # The steps of looks_like_placeholder, the long words left out (lower-casing makes and breaks no run).
    if _PLACEHOLDER_ENDINGS(v) or any(map(v.__contains__, _PLACEHOLDER_RUNS)):
        return True
    if looks_random("".join(v.split())):
        return False
    return is_placeholder(v) or is_placeholder(_SEPARATOR_RUNS.sub("", v))


def _documented_example(ctx: FileContext, value: str) -> bool:
    return value in ctx_examples(ctx)  # KL105 explains those


@rule("KL402", "empty-key", Severity.ERROR, "placeholder", gate=("not-template", "blank"))
def empty_key(entry: Entry, matches: list[Match], ctx: FileContext) -> Iterator[Problem]:
    """An API key variable left empty in a production config.

    ## What it does
    Reports provider key and token variables (`OPENAI_API_KEY=`, `stripe.secret_key: ""`,
    `api_key:` with no value) that are empty in a config for production: the file name
    (`.env.production`, `prod.yaml`, `values-prod.yaml`) or a `production:` section says so.
    Development and unknown configs are left alone, where an empty value often means "this
    integration is off", and so are templates.

    ## Why is this bad?
    The key is required where the application runs for real: with an empty value every call
    fails with "Invalid API Key", or the SDK refuses to start.

    ## Example
    ```dotenv
    # .env.production
    STRIPE_SECRET_KEY=
    ```

    ## How to fix
    Set the key here, or delete the line so that the value from the deployment's environment
    or secret store is used instead of an empty one.
    """
    if ctx.template or entry.value.strip() or entry.quote in ("|", ">"):
        return
    if entry.tag not in (None, "str", "null"):
        return
    if not (secret_name(entry.key) or provider_variable(ctx, entry.key)):
        return
    found = config_environment(ctx, entry.key)
    if found is None or found[0] != "production":
        return
    provider_id = expected_provider(ctx, entry.key)
    if provider_id is None or not (names_secret(entry.key) or _API_CREDENTIAL.search(normalized_name(entry.key))):
        return
    yield Problem(
        f"{entry.key} is empty in a production config ({found[1]}): {_provider_label(provider_id)} is required "
        f"here and every request fails with 'Invalid API Key'; set it{_where_to_get(provider_id)}, or delete the "
        f"line so the deployment's environment provides it",
        entry=entry,
        provider=provider_id,
    )
