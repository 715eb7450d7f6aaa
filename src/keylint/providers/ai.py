"""AI and LLM providers."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="openai",
        name="OpenAI",
        formats=(
            KeyFormat("sk-proj-{b64url:74}T3BlbkFJ{b64url:74}", kind="project-key"),
            KeyFormat("sk-{alnum:20}T3BlbkFJ{alnum:20}", kind="user-key"),
        ),
        env_vars=("OPENAI_API_KEY",),
        rotate_url="https://platform.openai.com/api-keys",
    ),
    Provider(
        id="anthropic",
        name="Anthropic",
        formats=(KeyFormat("sk-ant-api03-{b64url:93}AA", kind="api-key"),),
        env_vars=("ANTHROPIC_API_KEY", "CLAUDE_API_KEY"),
        rotate_url="https://console.anthropic.com/settings/keys",
    ),
)
