"""messaging."""

from __future__ import annotations

from keylint.providers.schema import Provider

PROVIDERS: tuple[Provider, ...] = ()
