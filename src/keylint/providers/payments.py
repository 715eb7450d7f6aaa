"""Payments and commerce."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="stripe",
        name="Stripe",
        formats=(
            KeyFormat("sk_live_{alnum:24-99}", kind="secret-key", environment="live"),
            KeyFormat("sk_test_{alnum:24-99}", kind="secret-key", environment="test"),
            KeyFormat("rk_live_{alnum:24-99}", kind="restricted-key", environment="live"),
            KeyFormat("rk_test_{alnum:24-99}", kind="restricted-key", environment="test"),
            KeyFormat("pk_live_{alnum:24-99}", kind="publishable-key", environment="live", secret=False),
            KeyFormat("pk_test_{alnum:24-99}", kind="publishable-key", environment="test", secret=False),
        ),
        env_vars=("STRIPE_SECRET_KEY", "STRIPE_API_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_KEY"),
        rotate_url="https://dashboard.stripe.com/apikeys",
    ),
)
