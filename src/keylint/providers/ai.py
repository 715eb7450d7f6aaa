"""AI and LLM providers."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider

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
    ),
    Provider(
        id="cohere",
        name="Cohere",
        formats=(KeyFormat("{alnum:40}", kind="api-key", needs_context=True, description="trial and production"),),
        env_vars=("COHERE_API_KEY", "CO_API_KEY"),
        rotate_url="https://dashboard.cohere.com/api-keys",
        docs_url="https://docs.cohere.com/reference/checkapikey",
    ),
    Provider(
        id="mistral",
        name="Mistral AI",
        formats=(KeyFormat("{alnum:32}", kind="api-key", needs_context=True),),
        env_vars=("MISTRAL_API_KEY",),
        rotate_url="https://console.mistral.ai/api-keys",
        docs_url="https://docs.mistral.ai/api/",
    ),
    Provider(
        id="groq",
        name="Groq",
        # base64 of "XgroqX" at offset 24.
        formats=(KeyFormat("gsk_{alnum:20}WGdyb3FY{alnum:24}", kind="api-key"),),
        env_vars=("GROQ_API_KEY",),
        rotate_url="https://console.groq.com/keys",
    ),
    Provider(
        id="replicate",
        name="Replicate",
        formats=(KeyFormat("r8_{alnum:37}", kind="api-token"),),
        env_vars=("REPLICATE_API_TOKEN", "REPLICATE_API_KEY"),
        rotate_url="https://replicate.com/account/api-tokens",
        docs_url="https://replicate.com/docs/reference/http#authentication",
    ),
    Provider(
        id="perplexity",
        name="Perplexity",
        formats=(KeyFormat("pplx-{alnum:48}", kind="api-key"),),
        env_vars=("PERPLEXITY_API_KEY", "PPLX_API_KEY"),
        rotate_url="https://www.perplexity.ai/account/api/keys",
        docs_url="https://docs.perplexity.ai/",
    ),
    Provider(
        id="xai",
        name="xAI (Grok)",
        formats=(KeyFormat("xai-{[A-Za-z0-9_]:80}", kind="api-key"),),
        env_vars=("XAI_API_KEY",),
        rotate_url="https://console.x.ai/",
        docs_url="https://docs.x.ai/",
    ),
    Provider(
        id="deepseek",
        name="DeepSeek",
        # "sk-" is shared with OpenAI, Anthropic, OpenRouter and Langfuse: only a DeepSeek variable decides.
        formats=(KeyFormat("sk-{hex:32}", kind="api-key", needs_context=True),),
        env_vars=("DEEPSEEK_API_KEY",),
        rotate_url="https://platform.deepseek.com/api_keys",
        docs_url="https://api-docs.deepseek.com/",
    ),
    Provider(
        id="openrouter",
        name="OpenRouter",
        formats=(KeyFormat("sk-or-v1-{hex:64}", kind="api-key"),),
        env_vars=("OPENROUTER_API_KEY",),
        rotate_url="https://openrouter.ai/settings/keys",
        docs_url="https://openrouter.ai/docs/api-reference/authentication",
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
    ),
    Provider(
        id="together",
        name="Together AI",
        formats=(KeyFormat("tgp_v1_{b64url:43}", kind="api-key"),),
        env_vars=("TOGETHER_API_KEY",),
        rotate_url="https://api.together.ai/settings/api-keys",
    ),
)
