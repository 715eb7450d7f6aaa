"""Cloud platforms."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="aws",
        name="AWS",
        formats=(
            KeyFormat(
                "AKIA{base32:16}",
                kind="access-key-id",
                examples=("AKIAIOSFODNN7EXAMPLE",),
            ),
            KeyFormat("ASIA{base32:16}", kind="temporary-access-key-id"),
            KeyFormat(
                "{b64:40}",
                kind="secret-access-key",
                needs_context=True,
                examples=("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",),
            ),
        ),
        env_vars=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"),
        rotate_url="https://console.aws.amazon.com/iam/",
    ),
)
