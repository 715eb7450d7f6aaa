"""The provider registry: every known key format, as data.

Each module in this package (``ai``, ``cloud``, ``devtools`` ...) defines a
``PROVIDERS`` tuple of :class:`Provider` records. Adding a provider means
adding a record to one of them (and a test); nothing else changes.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from keylint.providers.schema import KeyFormat, Provider

__all__ = ["KeyFormat", "Provider", "all_providers", "by_id"]

# Order matters only for ties: earlier modules win when two formats match equally well.
_MODULES = ("devtools", "ai", "cloud", "payments", "messaging", "observability", "identity")


@lru_cache(maxsize=1)
def builtin_providers() -> tuple[Provider, ...]:
    providers: list[Provider] = []
    for name in _MODULES:
        providers.extend(import_module(f"keylint.providers.{name}").PROVIDERS)
    return tuple(providers)


def all_providers(extra: tuple[Provider, ...] = ()) -> tuple[Provider, ...]:
    """Built-in providers followed by user-defined ones (from config)."""
    return builtin_providers() + extra


@lru_cache(maxsize=1)
def _index() -> dict[str, Provider]:
    return {p.id: p for p in builtin_providers()}


def by_id(provider_id: str) -> Provider | None:
    return _index().get(provider_id)
