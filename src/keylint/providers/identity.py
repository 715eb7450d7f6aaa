"""Identity, search and maps."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider
from keylint.verify.spec import URL_HOST, Check, Param, bearer, header, on, query, standard

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
        verify=Check(
            "https://{org}/api/v1/users/me",
            auth=header("Authorization", "SSWS {key}"),
            params=(
                Param(
                    "org",
                    env_vars=("OKTA_ORG_URL", "OKTA_DOMAIN", "OKTA_ISSUER", "OKTA_BASE_URL", "OKTA_CLIENT_ORGURL"),
                    extract=URL_HOST,
                    pattern=r"[a-z0-9][a-z0-9-]{0,62}\.(?:okta|oktapreview|okta-emea)\.com",
                    label="the org URL (OKTA_ORG_URL)",
                ),
            ),
            domains=("okta.com", "oktapreview.com", "okta-emea.com"),
            outcomes=standard(),
        ),
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
        verify=Check(
            "https://{tenant}/api/v2/clients?per_page=1&fields=client_id",
            auth=bearer(),
            kinds=("management-api-token",),
            params=(
                Param(
                    "tenant",
                    env_vars=("AUTH0_DOMAIN", "AUTH0_ISSUER_BASE_URL", "AUTH0_TENANT_DOMAIN"),
                    extract=URL_HOST,
                    pattern=r"[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z]{2})?\.auth0\.com",
                    label="the tenant domain (AUTH0_DOMAIN)",
                ),
            ),
            domains=("auth0.com",),
            outcomes=standard(),
        ),
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
        verify=Check(
            "https://{app_id}-dsn.algolia.net/1/keys/{key}",  # describes the key itself, including its ACL
            auth=header("X-Algolia-API-Key"),
            headers=(("X-Algolia-Application-Id", "{app_id}"),),
            kinds=("admin-api-key",),
            params=(
                Param(
                    "app_id",
                    env_vars=("ALGOLIA_APP_ID", "ALGOLIA_APPLICATION_ID", "NEXT_PUBLIC_ALGOLIA_APP_ID"),
                    pattern=r"[A-Z0-9]{10}",
                    label="the application id (ALGOLIA_APP_ID)",
                ),
            ),
            domains=("algolia.net",),
            outcomes=standard(invalid=(401, 403), scoped=None),
        ),
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
        verify=Check(
            "https://api.mapbox.com/tokens/v2",
            auth=query("access_token"),
            kinds=("secret-token", "temporary-token"),
            outcomes=(
                on(200, "valid", field="code", equals="TokenValid"),
                on((200, 401), "expired", field="code", equals="TokenExpired", detail="Mapbox says TokenExpired"),
                on(
                    (200, 401),
                    "invalid",
                    field="code",
                    equals=("TokenInvalid", "TokenMalformed"),
                    detail="Mapbox says {value}",
                ),
                on(401, "invalid"),
            ),
        ),
    ),
)
