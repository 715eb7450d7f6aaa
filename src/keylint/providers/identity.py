"""Identity, search and maps."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider

_JWT = "eyJ{b64url:10-2000}.eyJ{b64url:10-8000}.{b64url:20-2000}"
# Mapbox: <kind>.<base64url JSON {"u": user, "a": token id}>.<22 chars>
_MAPBOX = ".eyJ{b64url:20-300}.{b64url:22}"

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="okta",
        name="Okta",
        # "00" is too short a prefix to scan for without an Okta variable.
        formats=(KeyFormat("00{b64url:40}", kind="api-token", needs_context=True),),
        env_vars=("OKTA_API_TOKEN", "OKTA_CLIENT_TOKEN"),
        rotate_url="https://developer.okta.com/docs/guides/create-an-api-token/main/",
        docs_url="https://developer.okta.com/docs/guides/create-an-api-token/main/",
        extra={"related_env_vars": ("OKTA_ORG_URL", "OKTA_DOMAIN")},
    ),
    Provider(
        id="auth0",
        name="Auth0",
        formats=(
            KeyFormat("{b64url:64}", kind="client-secret", needs_context=True, env_vars=("AUTH0_CLIENT_SECRET",)),
            KeyFormat(
                _JWT,
                kind="management-api-token",
                needs_context=True,
                env_vars=("AUTH0_MANAGEMENT_API_TOKEN",),
                description="RS256 JWT; exp gives offline expiry",
            ),
        ),
        # AUTH0_SECRET is an app-chosen cookie secret (Next.js SDK), not an Auth0 credential.
        env_vars=("AUTH0_CLIENT_SECRET", "AUTH0_MANAGEMENT_API_TOKEN"),
        rotate_url="https://manage.auth0.com/",
        docs_url="https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens",
        extra={"related_env_vars": ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_ISSUER_BASE_URL", "AUTH0_SECRET")},
    ),
    Provider(
        id="algolia",
        name="Algolia",
        formats=(
            # Admin and search-only keys look alike: the variable name tells them apart.
            KeyFormat(
                "{hex:32}",
                kind="admin-api-key",
                needs_context=True,
                env_vars=("ALGOLIA_ADMIN_KEY", "ALGOLIA_ADMIN_API_KEY", "ALGOLIA_API_KEY"),
            ),
            KeyFormat(
                "{hex:32}",
                kind="search-api-key",
                secret=False,
                needs_context=True,
                env_vars=("ALGOLIA_SEARCH_KEY", "NEXT_PUBLIC_ALGOLIA_SEARCH_API_KEY"),
            ),
        ),
        env_vars=(
            "ALGOLIA_ADMIN_KEY",
            "ALGOLIA_ADMIN_API_KEY",
            "ALGOLIA_API_KEY",
            "ALGOLIA_SEARCH_KEY",
            "NEXT_PUBLIC_ALGOLIA_SEARCH_API_KEY",
        ),
        rotate_url="https://dashboard.algolia.com/account/api-keys",
        docs_url="https://www.algolia.com/doc/guides/security/api-keys/",
        extra={"related_env_vars": ("ALGOLIA_APP_ID",)},
    ),
    Provider(
        id="mapbox",
        name="Mapbox",
        formats=(
            KeyFormat("sk" + _MAPBOX, kind="secret-token"),
            KeyFormat("tk" + _MAPBOX, kind="temporary-token"),
            KeyFormat("pk" + _MAPBOX, kind="public-token", secret=False),
        ),
        env_vars=("MAPBOX_ACCESS_TOKEN", "MAPBOX_TOKEN", "NEXT_PUBLIC_MAPBOX_TOKEN", "MAPBOX_DOWNLOADS_TOKEN"),
        rotate_url="https://account.mapbox.com/access-tokens/",
        docs_url="https://docs.mapbox.com/accounts/guides/tokens/",
    ),
)
