"""Partners and parameters for a check, from the key's own file: never guessed.

An AWS access key id needs its secret, a Twilio auth token its account SID, a Langfuse secret key
its public key, an Okta token its org. They are looked for next to the key: first in the key's own
section (same parent in the key path: the ``[profile]`` of an INI file, the ``environment:`` of a
compose service), then in enclosing sections, never in sibling ones. Exactly one candidate is
used; none or several make the key ``unverifiable``, with the reason, because a wrong pairing
would send a secret where it does not belong and report a working key as invalid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from keylint.model import Entry, Match
from keylint.records import dataclass
from keylint.values import is_reference, normalized_name
from keylint.verify.spec import Check, Param, Unverifiable


@dataclass(frozen=True)
class Item:
    """One value of a file with the provider keys recognised in it."""

    entry: Entry
    matches: tuple[Match, ...]


def section_of(key: str) -> str:
    return key.rsplit(".", 1)[0] if "." in key else ""


def enclosing(section: str) -> Iterator[str]:
    """The section itself, then each enclosing one, ending with the top level ("")."""
    while section:
        yield section
        section = section.rsplit(".", 1)[0] if "." in section else ""
    yield ""


def _candidates(param: Param, provider: str, entry: Entry, items: Sequence[Item], section: str) -> list[str]:
    names = {n.upper() for n in param.env_vars}
    found: list[str] = []
    for item in items:
        other = item.entry
        if other is entry or section_of(other.key) != section:
            continue
        if param.kinds:
            for match in item.matches:
                if match.provider == provider and match.kind in param.kinds and match.valid:
                    found.append(match.token)
        if names and normalized_name(other.key) in names:
            found.append(other.value.strip())
    return list(dict.fromkeys(found))


def _primaries(check: Check, provider: str, items: Sequence[Item], section: str) -> set[str]:
    """Distinct keys in ``section`` that this check would verify: several of them make a shared partner ambiguous."""
    tokens: set[str] = set()
    for item in items:
        if section_of(item.entry.key) != section:
            continue
        variable = normalized_name(item.entry.key)
        for match in item.matches:
            if match.provider == provider and match.valid and check.applies_to(match.kind, match.environment, variable):
                tokens.add(match.token)
    return tokens


def _validated(param: Param, raw: str) -> str:
    value = raw.strip()
    if is_reference(value):
        raise Unverifiable(f"{param.described} is a reference ({value[:40]}); keylint does not expand references")
    if param.aliases:
        value = dict(param.aliases).get(value.lower(), value)
    if param.extract:
        found = re.search(param.extract, value)
        if not found:
            raise Unverifiable(
                f"{param.described} does not name one of the provider's own hosts; keys are never sent there"
            )
        value = found.group(1).lower()  # host names are case-insensitive
    if not re.fullmatch(param.pattern, value):
        raise Unverifiable(f"{param.described} does not have the expected shape")
    if param.choices and value not in param.choices:
        raise Unverifiable(
            f"{param.described} names a host keylint does not send keys to (self-hosted or unknown region)"
        )
    return value


def find_params(check: Check, provider: str, entry: Entry, items: Sequence[Item]) -> dict[str, str]:
    """The check's parameters for the key in ``entry``; raises :class:`Unverifiable` with the reason."""
    values: dict[str, str] = {}
    home = section_of(entry.key)
    for param in check.params:
        candidates: list[str] = []
        scope = home
        for scope in enclosing(home):
            candidates = _candidates(param, provider, entry, items, scope)
            if candidates:
                break
        if not candidates:
            if param.default is not None:
                values[param.name] = param.default
                continue
            if not param.required:
                continue
            raise Unverifiable(f"needs {param.described} next to it (same file and section); none found")
        if len(candidates) > 1:
            raise Unverifiable(
                f"{len(candidates)} candidates for {param.described} in the same section: ambiguous, not guessing"
            )
        if param.secret and len(_primaries(check, provider, items, scope)) > 1:
            raise Unverifiable(f"several keys share one {param.described} in the same section: ambiguous, not guessing")
        values[param.name] = _validated(param, candidates[0])
    return values
