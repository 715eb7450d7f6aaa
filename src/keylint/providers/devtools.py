"""Source hosting, CI and package registries."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="github",
        name="GitHub",
        formats=(
            KeyFormat("ghp_{base62:30}{base62:6}", kind="personal-access-token", checksum="github-crc32"),
            KeyFormat("gho_{base62:30}{base62:6}", kind="oauth-token", checksum="github-crc32"),
            KeyFormat("ghu_{base62:30}{base62:6}", kind="user-to-server-token", checksum="github-crc32"),
            KeyFormat("ghs_{base62:30}{base62:6}", kind="server-to-server-token", checksum="github-crc32"),
        ),
        env_vars=("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "GH_PAT"),
        rotate_url="https://github.com/settings/tokens",
    ),
    Provider(
        id="npm",
        name="npm",
        formats=(KeyFormat("npm_{base62:30}{base62:6}", kind="access-token", checksum="github-crc32"),),
        env_vars=("NPM_TOKEN", "NPM_AUTH_TOKEN", "NODE_AUTH_TOKEN"),
        rotate_url="https://www.npmjs.com/settings/~/tokens",
    ),
)
