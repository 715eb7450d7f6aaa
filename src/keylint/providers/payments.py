"""Payments and commerce."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider
from keylint.verify.spec import Check, Param, basic, bearer, header, on, standard

# Stripe bodies: 24 characters on older accounts, ~99 now; Stripe asks scanners to allow longer ones.
_STRIPE_BODY = "{alnum:24-247}"
_SQUARE_LIVE, _SQUARE_SANDBOX = "connect.squareup.com", "connect.squareupsandbox.com"
_PAYPAL_LIVE, _PAYPAL_SANDBOX = "api-m.paypal.com", "api-m.sandbox.paypal.com"

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="stripe",
        name="Stripe",
        formats=(
            KeyFormat("sk_live_" + _STRIPE_BODY, kind="secret-key", environment="live"),
            KeyFormat("sk_test_" + _STRIPE_BODY, kind="secret-key", environment="test"),
            KeyFormat("rk_live_" + _STRIPE_BODY, kind="restricted-key", environment="live"),
            KeyFormat("rk_test_" + _STRIPE_BODY, kind="restricted-key", environment="test"),
            KeyFormat("pk_live_" + _STRIPE_BODY, kind="publishable-key", environment="live", secret=False),
            KeyFormat("pk_test_" + _STRIPE_BODY, kind="publishable-key", environment="test", secret=False),
            KeyFormat("whsec_{b64:32-64}", kind="webhook-signing-secret"),
        ),
        env_vars=(
            "STRIPE_SECRET_KEY",
            "STRIPE_API_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "STRIPE_WEBHOOK_SECRET",
            "STRIPE_RESTRICTED_KEY",
            "STRIPE_KEY",
        ),
        rotate_url="https://dashboard.stripe.com/apikeys",
        docs_url="https://docs.stripe.com/keys",
        extra={"rotate_urls": {"webhook-signing-secret": "https://dashboard.stripe.com/webhooks"}},
        verify=Check(
            "https://api.stripe.com/v1/account",
            auth=bearer(),
            kinds=("secret-key", "restricted-key"),
            outcomes=standard(on(401, "expired", contains="api_key_expired", detail="Stripe says the key expired")),
        ),
    ),
    Provider(
        id="square",
        name="Square",
        formats=(
            # Production and sandbox access tokens look alike; only the API host differs.
            KeyFormat("EAAA{b64url:60}", kind="access-token"),
            KeyFormat("sq0atp-{b64url:22}", kind="oauth-access-token", description="legacy"),
            KeyFormat("sq0csp-{b64url:43}", kind="application-secret", environment="live"),
            KeyFormat("sandbox-sq0csb-{b64url:43}", kind="application-secret", environment="test"),
            KeyFormat("sq0idp-{b64url:22}", kind="application-id", environment="live", secret=False),
            KeyFormat("sandbox-sq0idb-{b64url:22}", kind="application-id", environment="test", secret=False),
        ),
        env_vars=("SQUARE_ACCESS_TOKEN", "SQUARE_APPLICATION_ID"),
        rotate_url="https://developer.squareup.com/apps",
        docs_url="https://developer.squareup.com/docs/build-basics/access-tokens",
        extra={"related_env_vars": ("SQUARE_ENVIRONMENT", "SQUARE_LOCATION_ID")},
        verify=Check(
            # developer.squareup.com/reference/square/locations-api/list-locations: read-only. A sandbox token only
            # works on the sandbox host, and only SQUARE_ENVIRONMENT tells them apart.
            "https://{api_host}/v2/locations",
            auth=bearer(),
            kinds=("access-token", "oauth-access-token"),
            params=(
                Param(
                    "api_host",
                    env_vars=("SQUARE_ENVIRONMENT", "SQUARE_ENV"),
                    aliases=(("production", _SQUARE_LIVE), ("sandbox", _SQUARE_SANDBOX)),
                    pattern=r"connect\.squareup(?:sandbox)?\.com",
                    choices=(_SQUARE_LIVE, _SQUARE_SANDBOX),
                    default=_SQUARE_LIVE,
                    label="the environment (SQUARE_ENVIRONMENT)",
                ),
            ),
            domains=("squareup.com", "squareupsandbox.com"),
            host_pattern=r"connect\.squareup(?:sandbox)?\.com",
            outcomes=standard(
                on(401, "invalid", detail="Square rejects it (a sandbox token needs SQUARE_ENVIRONMENT=sandbox)"),
                scoped=403,  # authenticated, without MERCHANT_PROFILE_READ
            ),
        ),
    ),
    Provider(
        id="paypal",
        name="PayPal",
        formats=(
            KeyFormat("A21AA{b64url:50-200}", kind="access-token"),
            # The client ID (public) has the same shape: PAYPAL_CLIENT_ID is deliberately not a context here.
            KeyFormat("{b64url:70-90}", kind="client-secret", needs_context=True),
        ),
        env_vars=("PAYPAL_CLIENT_SECRET",),
        rotate_url="https://developer.paypal.com/dashboard/applications",
        docs_url="https://developer.paypal.com/api/rest/authentication/",
        extra={"related_env_vars": ("PAYPAL_CLIENT_ID", "PAYPAL_MODE", "PAYPAL_ENVIRONMENT")},
        verify=Check(
            # The client-credentials grant (developer.paypal.com/api/rest/authentication/): a live and a sandbox
            # pair look alike, so PAYPAL_MODE / PAYPAL_ENVIRONMENT picks the host (live when none is set).
            "https://{api_host}/v1/oauth2/token",
            method="POST",
            auth=basic("{client_id}", "{key}"),
            form=(("grant_type", "client_credentials"),),
            kinds=("client-secret",),
            params=(
                Param(
                    "client_id",
                    env_vars=("PAYPAL_CLIENT_ID",),
                    pattern=r"[A-Za-z0-9_-]{70,90}",
                    label="its client ID (PAYPAL_CLIENT_ID)",
                ),
                Param(
                    "api_host",
                    env_vars=("PAYPAL_MODE", "PAYPAL_ENVIRONMENT", "PAYPAL_ENV"),
                    aliases=(("live", _PAYPAL_LIVE), ("production", _PAYPAL_LIVE), ("sandbox", _PAYPAL_SANDBOX)),
                    pattern=r"api-m(?:\.sandbox)?\.paypal\.com",
                    choices=(_PAYPAL_LIVE, _PAYPAL_SANDBOX),
                    default=_PAYPAL_LIVE,
                    label="the environment (PAYPAL_MODE)",
                ),
            ),
            domains=("paypal.com",),
            host_pattern=r"api-m(?:\.sandbox)?\.paypal\.com",
            outcomes=(
                on(200, "valid", field="access_token"),
                on(
                    401,
                    "invalid",
                    contains="invalid_client",
                    detail="PayPal says invalid_client (a wrong pair, or a sandbox pair without PAYPAL_MODE=sandbox)",
                ),
                on(401, "invalid"),
            ),
            note="mints a short-lived access token (client-credentials grant); changes nothing",
        ),
    ),
    Provider(
        id="braintree",
        name="Braintree",
        formats=(
            KeyFormat("access_token$production${[a-z0-9]:16}${hex:32}", kind="access-token", environment="live"),
            KeyFormat("access_token$sandbox${[a-z0-9]:16}${hex:32}", kind="access-token", environment="test"),
            KeyFormat("{hex:32}", kind="private-key", needs_context=True, env_vars=("BRAINTREE_PRIVATE_KEY",)),
            KeyFormat(
                "{[a-z0-9]:16}",
                kind="public-key",
                secret=False,
                needs_context=True,
                env_vars=("BRAINTREE_PUBLIC_KEY",),
            ),
        ),
        env_vars=("BRAINTREE_ACCESS_TOKEN", "BRAINTREE_PRIVATE_KEY", "BRAINTREE_PUBLIC_KEY"),
        rotate_url="https://www.braintreegateway.com/login",
        docs_url="https://developer.paypal.com/braintree/articles/control-panel/important-gateway-credentials",
        extra={"related_env_vars": ("BRAINTREE_MERCHANT_ID", "BRAINTREE_ENVIRONMENT")},
        verify=(
            Check(
                "https://payments.braintree-api.com/graphql",
                method="POST",
                auth=bearer(),
                headers=(("Braintree-Version", "2019-01-01"),),
                json={"query": "query { ping }"},
                kinds=("access-token",),
                environments=("live",),
                outcomes=standard(on(200, "valid", field="data.ping", equals="pong"), valid=()),
            ),
            Check(
                "https://payments.sandbox.braintree-api.com/graphql",
                method="POST",
                auth=bearer(),
                headers=(("Braintree-Version", "2019-01-01"),),
                json={"query": "query { ping }"},
                kinds=("access-token",),
                environments=("test",),
                outcomes=standard(on(200, "valid", field="data.ping", equals="pong"), valid=()),
            ),
        ),
    ),
    Provider(
        id="shopify",
        name="Shopify",
        formats=(
            KeyFormat("shpat_{hex:32}", kind="admin-api-access-token"),
            KeyFormat("shpca_{hex:32}", kind="custom-app-access-token"),
            KeyFormat("shppa_{hex:32}", kind="private-app-password"),
            KeyFormat("shpss_{hex:32}", kind="app-shared-secret"),
            KeyFormat("shptka_{hex:32}", kind="theme-kit-token"),
        ),
        env_vars=("SHOPIFY_ACCESS_TOKEN", "SHOPIFY_ADMIN_API_ACCESS_TOKEN", "SHOPIFY_API_SECRET"),
        rotate_url="https://admin.shopify.com/",
        docs_url="https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens",
        # SHOPIFY_API_KEY holds the app's client id (32 hex), not a secret.
        extra={"related_env_vars": ("SHOPIFY_API_KEY", "SHOPIFY_SHOP", "SHOPIFY_STORE_DOMAIN")},
        verify=Check(
            "https://{shop}.myshopify.com/admin/oauth/access_scopes.json",
            auth=header("X-Shopify-Access-Token"),
            kinds=("admin-api-access-token", "custom-app-access-token", "private-app-password"),
            params=(
                Param(
                    "shop",
                    env_vars=("SHOPIFY_SHOP", "SHOPIFY_STORE_DOMAIN", "SHOPIFY_SHOP_DOMAIN", "SHOPIFY_STORE", "SHOP"),
                    extract=r"^(?:https://)?([A-Za-z0-9][A-Za-z0-9-]{0,62})(?:\.myshopify\.com)?/?(?:[/?#].*)?$",
                    pattern=r"[a-z0-9][a-z0-9-]{0,62}",
                    label="the shop (SHOPIFY_SHOP, SHOPIFY_STORE_DOMAIN)",
                ),
            ),
            domains=("myshopify.com",),
            outcomes=standard(),
        ),
    ),
)
