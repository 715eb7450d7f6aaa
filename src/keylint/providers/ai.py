"""AI and LLM providers."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider
from keylint.verify.spec import Check, Param, basic, bearer, header, instance, on, standard

_UUID = "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"
# base64 of "OpenAI": sits between the two equal halves of every OpenAI key.
_OPENAI = "T3BlbkFJ"

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="openai",
        name="OpenAI",
        formats=(
            KeyFormat(f"sk-proj-{{b64url:74}}{_OPENAI}{{b64url:74}}", kind="project-key"),
            KeyFormat(f"sk-proj-{{b64url:58}}{_OPENAI}{{b64url:58}}", kind="project-key"),
            KeyFormat(f"sk-proj-{{b64url:20}}{_OPENAI}{{b64url:20}}", kind="project-key", description="early form"),
            # Observed at 167 characters only.
            KeyFormat(f"sk-svcacct-{{b64url:74}}{_OPENAI}{{b64url:74}}", kind="service-account-key"),
            KeyFormat(f"sk-admin-{{b64url:58}}{_OPENAI}{{b64url:58}}", kind="admin-key"),
            KeyFormat(f"sk-admin-{{b64url:74}}{_OPENAI}{{b64url:74}}", kind="admin-key"),
            KeyFormat(f"sk-{{alnum:20}}{_OPENAI}{{alnum:20}}", kind="user-key", description="legacy user key"),
        ),
        env_vars=("OPENAI_API_KEY", "OPENAI_ADMIN_KEY"),
        rotate_url="https://platform.openai.com/api-keys",
        docs_url="https://platform.openai.com/docs/api-reference/authentication",
        extra={
            "related_env_vars": ("OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID"),
            "rotate_urls": {"admin-key": "https://platform.openai.com/settings/organization/admin-keys"},
        },
        verify=(
            Check(
                "https://api.openai.com/v1/organization/admin_api_keys?limit=1",
                auth=bearer(),
                kinds=("admin-key",),
                outcomes=standard(),
            ),
            Check(
                "https://api.openai.com/v1/models",
                auth=bearer(),
                kinds=("project-key", "service-account-key", "user-key"),
                outcomes=standard(
                    on(
                        429,
                        "valid",
                        contains="insufficient_quota",
                        detail="the key works, but the account has no quota left",
                    ),
                ),
            ),
        ),
    ),
    Provider(
        id="anthropic",
        name="Anthropic",
        formats=(
            KeyFormat("sk-ant-api03-{b64url:93}AA", kind="api-key"),
            KeyFormat("sk-ant-admin01-{b64url:93}AA", kind="admin-key"),
        ),
        env_vars=("ANTHROPIC_API_KEY", "ANTHROPIC_ADMIN_KEY", "CLAUDE_API_KEY"),
        rotate_url="https://console.anthropic.com/settings/keys",
        docs_url="https://docs.anthropic.com/en/api/overview",
        verify=(
            Check(
                "https://api.anthropic.com/v1/models",
                auth=header("x-api-key"),
                headers=(("anthropic-version", "2023-06-01"),),
                kinds=("api-key",),
                outcomes=standard(),
            ),
            Check(
                "https://api.anthropic.com/v1/organizations/me",
                auth=header("x-api-key"),
                headers=(("anthropic-version", "2023-06-01"),),
                kinds=("admin-key",),
                outcomes=standard(),
            ),
        ),
    ),
    Provider(
        id="gemini",
        name="Google Gemini (AI Studio)",
        formats=(
            # Same shape as any Google API key (provider "google"): only a Gemini variable makes it Gemini's.
            KeyFormat("AIza{b64url:35}", kind="api-key", needs_context=True),
            KeyFormat("AQ.Ab8RN6{b64url:44}", kind="api-key", description="newer key shape (low confidence)"),
        ),
        env_vars=("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"),
        rotate_url="https://aistudio.google.com/apikey",
        docs_url="https://ai.google.dev/gemini-api/docs/api-key",
        verify=Check(
            "https://generativelanguage.googleapis.com/v1beta/models",
            auth=header("x-goog-api-key"),
            outcomes=standard(
                on(400, "invalid", contains="API_KEY_INVALID", detail="Google says API_KEY_INVALID"),
                on(
                    403,
                    "valid_scoped",
                    contains="_BLOCKED",
                    detail="a real key, restricted to some referrers, IPs or apps",
                ),
                on(
                    403,
                    "valid_scoped",
                    contains="SERVICE_DISABLED",
                    detail="a real key; the Gemini API is not enabled for it",
                ),
                invalid=None,
            ),
        ),
    ),
    Provider(
        id="cohere",
        name="Cohere",
        formats=(KeyFormat("{alnum:40}", kind="api-key", needs_context=True, description="trial and production"),),
        env_vars=("COHERE_API_KEY", "CO_API_KEY"),
        rotate_url="https://dashboard.cohere.com/api-keys",
        docs_url="https://docs.cohere.com/reference/checkapikey",
        verify=Check(
            "https://api.cohere.com/v1/check-api-key",  # documented for exactly this
            method="POST",
            auth=bearer(),
            outcomes=(
                on(200, "valid", field="valid", equals=True),
                on(200, "invalid", field="valid", equals=False, detail="Cohere answers valid: false"),
                on(401, "invalid"),
            ),
        ),
    ),
    Provider(
        id="mistral",
        name="Mistral AI",
        formats=(KeyFormat("{alnum:32}", kind="api-key", needs_context=True),),
        env_vars=("MISTRAL_API_KEY",),
        rotate_url="https://console.mistral.ai/api-keys",
        docs_url="https://docs.mistral.ai/api/",
        verify=Check("https://api.mistral.ai/v1/models", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="groq",
        name="Groq",
        # base64 of "XgroqX" at offset 24.
        formats=(KeyFormat("gsk_{alnum:20}WGdyb3FY{alnum:24}", kind="api-key"),),
        env_vars=("GROQ_API_KEY",),
        rotate_url="https://console.groq.com/keys",
        verify=Check("https://api.groq.com/openai/v1/models", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="replicate",
        name="Replicate",
        formats=(KeyFormat("r8_{alnum:37}", kind="api-token"),),
        env_vars=("REPLICATE_API_TOKEN", "REPLICATE_API_KEY"),
        rotate_url="https://replicate.com/account/api-tokens",
        docs_url="https://replicate.com/docs/reference/http#authentication",
        verify=Check("https://api.replicate.com/v1/account", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="perplexity",
        name="Perplexity",
        formats=(KeyFormat("pplx-{alnum:48}", kind="api-key"),),
        env_vars=("PERPLEXITY_API_KEY", "PPLX_API_KEY"),
        rotate_url="https://www.perplexity.ai/account/api/keys",
        docs_url="https://docs.perplexity.ai/",
        verify=Check(
            # Lists the key's own asynchronous chat jobs: read-only and free, where a chat completion (even one
            # meant to fail on a bad model name) could bill. docs.perplexity.ai/api-reference/async-chat-completions-get
            "https://api.perplexity.ai/async/chat/completions",
            auth=bearer(),
            outcomes=standard(scoped=None),
        ),
    ),
    Provider(
        id="xai",
        name="xAI (Grok)",
        formats=(KeyFormat("xai-{[A-Za-z0-9_]:80}", kind="api-key"),),
        env_vars=("XAI_API_KEY",),
        rotate_url="https://console.x.ai/",
        docs_url="https://docs.x.ai/",
        verify=Check(
            "https://api.x.ai/v1/api-key",
            auth=bearer(),
            outcomes=standard(
                on(200, "revoked", field="api_key_blocked", equals=True, detail="xAI reports the key blocked"),
                on(200, "revoked", field="api_key_disabled", equals=True, detail="xAI reports the key disabled"),
                invalid=(400, 401),
            ),
        ),
    ),
    Provider(
        id="deepseek",
        name="DeepSeek",
        # "sk-" is shared with OpenAI, Anthropic, OpenRouter and Langfuse: only a DeepSeek variable decides.
        formats=(KeyFormat("sk-{hex:32}", kind="api-key", needs_context=True),),
        env_vars=("DEEPSEEK_API_KEY",),
        rotate_url="https://platform.deepseek.com/api_keys",
        docs_url="https://api-docs.deepseek.com/",
        verify=Check("https://api.deepseek.com/user/balance", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="openrouter",
        name="OpenRouter",
        formats=(KeyFormat("sk-or-v1-{hex:64}", kind="api-key"),),
        env_vars=("OPENROUTER_API_KEY",),
        rotate_url="https://openrouter.ai/settings/keys",
        docs_url="https://openrouter.ai/docs/api-reference/authentication",
        verify=Check("https://openrouter.ai/api/v1/key", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="huggingface",
        name="Hugging Face",
        formats=(
            KeyFormat("hf_{alnum:34}", kind="user-access-token"),
            KeyFormat("api_org_{alnum:34}", kind="organization-token", description="legacy"),
        ),
        env_vars=("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACEHUB_API_TOKEN", "HF_API_TOKEN"),
        rotate_url="https://huggingface.co/settings/tokens",
        docs_url="https://huggingface.co/docs/hub/security-tokens",
        verify=Check("https://huggingface.co/api/whoami-v2", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="elevenlabs",
        name="ElevenLabs",
        formats=(
            KeyFormat("sk_{hex:48}", kind="api-key"),
            KeyFormat("{hex:32}", kind="api-key", needs_context=True, description="legacy"),
        ),
        env_vars=("ELEVENLABS_API_KEY", "ELEVEN_API_KEY", "XI_API_KEY"),
        rotate_url="https://elevenlabs.io/app/settings/api-keys",
        docs_url="https://elevenlabs.io/docs/api-reference/authentication",
        verify=Check(
            "https://api.elevenlabs.io/v1/user",
            auth=header("xi-api-key"),
            outcomes=standard(
                on(
                    401,
                    "valid_scoped",
                    contains="missing_permissions",
                    detail="a real key without the user_read permission",
                ),
            ),
        ),
    ),
    Provider(
        id="langsmith",
        name="LangSmith",
        formats=(
            KeyFormat("lsv2_pt_{hex:32}_{hex:10}", kind="personal-access-token"),
            KeyFormat("lsv2_sk_{hex:32}_{hex:10}", kind="service-key"),
        ),
        env_vars=("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"),
        rotate_url="https://smith.langchain.com/settings",
        verify=Check(
            "https://{instance}/api/v1/api-key",
            auth=header("X-API-Key"),
            params=(
                instance(
                    "LANGSMITH_ENDPOINT",
                    "LANGCHAIN_ENDPOINT",
                    hosts=("api.smith.langchain.com", "eu.api.smith.langchain.com"),
                    default="api.smith.langchain.com",
                ),
            ),
            domains=("smith.langchain.com",),
            outcomes=standard(invalid=(401, 403), scoped=None),
        ),
    ),
    Provider(
        id="langfuse",
        name="Langfuse",
        formats=(
            KeyFormat(f"sk-lf-{_UUID}", kind="secret-key"),
            KeyFormat(f"pk-lf-{_UUID}", kind="public-key", secret=False),
        ),
        env_vars=("LANGFUSE_SECRET_KEY", "LANGFUSE_PUBLIC_KEY"),
        rotate_url="https://cloud.langfuse.com/",
        extra={"related_env_vars": ("LANGFUSE_HOST",)},
        verify=Check(
            "https://{instance}/api/public/projects",
            auth=basic("{public_key}", "{key}"),
            kinds=("secret-key",),
            params=(
                Param(
                    "public_key",
                    kinds=("public-key",),
                    env_vars=("LANGFUSE_PUBLIC_KEY",),
                    pattern=r"pk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    label="its public key (LANGFUSE_PUBLIC_KEY)",
                ),
                instance(
                    "LANGFUSE_HOST",
                    "LANGFUSE_BASE_URL",
                    hosts=("cloud.langfuse.com", "us.cloud.langfuse.com"),
                    default="cloud.langfuse.com",
                ),
            ),
            domains=("cloud.langfuse.com",),
            outcomes=standard(scoped=None),
        ),
    ),
    Provider(
        id="pinecone",
        name="Pinecone",
        formats=(
            KeyFormat("pcsk_{alnum:5-6}_{alnum:63}", kind="api-key"),
            KeyFormat(_UUID, kind="api-key", needs_context=True, description="legacy"),
        ),
        env_vars=("PINECONE_API_KEY",),
        rotate_url="https://app.pinecone.io/",
        verify=Check(
            "https://api.pinecone.io/indexes",
            auth=header("Api-Key"),
            headers=(("X-Pinecone-Api-Version", "2025-10"),),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="together",
        name="Together AI",
        formats=(KeyFormat("tgp_v1_{b64url:43}", kind="api-key"),),
        env_vars=("TOGETHER_API_KEY",),
        rotate_url="https://api.together.ai/settings/api-keys",
        verify=Check("https://api.together.xyz/v1/models", auth=bearer(), outcomes=standard(scoped=None)),
    ),
)
