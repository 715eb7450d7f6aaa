"""Chat, messaging and e-mail delivery."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider

_UUID = "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"
_SLACK_ID = "{digit:10-13}"
_DISCORD_WEBHOOK = "/api/webhooks/{digit:17-20}/{b64url:68}"

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="slack",
        name="Slack",
        formats=(
            KeyFormat(f"xoxb-{_SLACK_ID}-{_SLACK_ID}-{{alnum:24}}", kind="bot-token"),
            KeyFormat(f"xoxp-{_SLACK_ID}-{_SLACK_ID}-{_SLACK_ID}-{{hex:32}}", kind="user-token"),
            KeyFormat(f"xapp-{{digit:1}}-A{{upper:8-12}}-{_SLACK_ID}-{{hex:64}}", kind="app-level-token"),
            KeyFormat("xoxe.xoxb-{digit:1}-{upper:163-166}", kind="rotating-bot-token"),
            KeyFormat("xoxe.xoxp-{digit:1}-{upper:163-166}", kind="rotating-user-token"),
            KeyFormat("xoxe-{digit:1}-{upper:146}", kind="refresh-token"),
            KeyFormat(f"xoxc-{_SLACK_ID}-{_SLACK_ID}-{_SLACK_ID}-{{hex:64}}", kind="browser-session-token"),
            # URL-encoded session cookie that goes with xoxc-.
            KeyFormat("xoxd-{[A-Za-z0-9%+/=_-]:50-400}", kind="session-cookie"),
            KeyFormat("xoxa-{[A-Za-z0-9-]:8-50}", kind="legacy-workspace-token"),
            KeyFormat("xoxr-{[A-Za-z0-9-]:8-50}", kind="legacy-refresh-token"),
            KeyFormat("xoxo-{digit:1-13}-{digit:1-13}-{digit:1-13}-{hex:20-64}", kind="legacy-token"),
            KeyFormat("xoxs-{digit:1-13}-{digit:1-13}-{digit:1-13}-{hex:20-64}", kind="legacy-token"),
            KeyFormat(
                "https://hooks.slack.com/services/T{upper:8-12}/B{upper:8-12}/{alnum:24}",
                kind="incoming-webhook",
            ),
            KeyFormat("https://hooks.slack.com/workflows/{[A-Za-z0-9+/]:43-56}", kind="workflow-webhook"),
            KeyFormat("https://hooks.slack.com/triggers/{[A-Za-z0-9+/]:43-56}", kind="trigger-webhook"),
            KeyFormat(
                "{hex:32}",
                kind="signing-secret",
                needs_context=True,
                env_vars=("SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET"),
                description="app signing secret or client secret",
            ),
        ),
        env_vars=(
            "SLACK_BOT_TOKEN",
            "SLACK_USER_TOKEN",
            "SLACK_APP_TOKEN",
            "SLACK_TOKEN",
            "SLACK_WEBHOOK_URL",
            "SLACK_SIGNING_SECRET",
            "SLACK_CLIENT_SECRET",
        ),
        rotate_url="https://api.slack.com/apps",
        docs_url="https://api.slack.com/concepts/token-types",
    ),
    Provider(
        id="discord",
        name="Discord",
        formats=(
            KeyFormat("https://discord.com" + _DISCORD_WEBHOOK, kind="webhook"),
            KeyFormat("https://discordapp.com" + _DISCORD_WEBHOOK, kind="webhook"),
            KeyFormat("https://canary.discord.com" + _DISCORD_WEBHOOK, kind="webhook"),
            KeyFormat("https://ptb.discord.com" + _DISCORD_WEBHOOK, kind="webhook"),
            # First segment: base64 of the bot's numeric user id, hence M, N or O.
            KeyFormat(
                "{[MNO]:1}{b64url:23-25}.{b64url:6}.{b64url:27-38}",
                kind="bot-token",
                needs_context=True,
                env_vars=("DISCORD_TOKEN", "DISCORD_BOT_TOKEN"),
            ),
            KeyFormat("{b64url:32}", kind="client-secret", needs_context=True, env_vars=("DISCORD_CLIENT_SECRET",)),
        ),
        env_vars=("DISCORD_TOKEN", "DISCORD_BOT_TOKEN", "DISCORD_WEBHOOK_URL", "DISCORD_CLIENT_SECRET"),
        rotate_url="https://discord.com/developers/applications",
        docs_url="https://discord.com/developers/docs/reference#authentication",
        extra={"related_env_vars": ("DISCORD_CLIENT_ID",)},
    ),
    Provider(
        id="telegram",
        name="Telegram Bot API",
        # "<bot id>:<35 chars>"; the secret part starts "AA" in practice, not guaranteed.
        formats=(KeyFormat("{digit:8-10}:{b64url:35}", kind="bot-token", needs_context=True),),
        env_vars=("TELEGRAM_BOT_TOKEN", "TELEGRAM_TOKEN", "BOT_TOKEN"),
        rotate_url="https://t.me/BotFather",
        docs_url="https://core.telegram.org/bots/api#authorizing-your-bot",
    ),
    Provider(
        id="twilio",
        name="Twilio",
        formats=(
            # A two-letter prefix is not distinctive enough to scan for without a Twilio variable.
            KeyFormat(
                "AC{hex:32}",
                kind="account-sid",
                secret=False,
                needs_context=True,
                description="identifier; the auth token is the secret",
            ),
            KeyFormat(
                "SK{hex:32}",
                kind="api-key-sid",
                secret=False,
                needs_context=True,
                description="identifier; the API key secret is the secret",
            ),
            KeyFormat("{hex:32}", kind="auth-token", needs_context=True, env_vars=("TWILIO_AUTH_TOKEN",)),
            KeyFormat("{alnum:32}", kind="api-key-secret", needs_context=True, env_vars=("TWILIO_API_SECRET",)),
        ),
        env_vars=(
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
            "TWILIO_API_KEY",
            "TWILIO_API_SECRET",
            "TWILIO_API_KEY_SID",
        ),
        rotate_url="https://console.twilio.com/",
        docs_url="https://www.twilio.com/docs/iam/api-keys",
    ),
    Provider(
        id="sendgrid",
        name="SendGrid",
        formats=(KeyFormat("SG.{b64url:22}.{b64url:43}", kind="api-key"),),
        env_vars=("SENDGRID_API_KEY",),
        rotate_url="https://app.sendgrid.com/settings/api_keys",
        docs_url="https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
    ),
    Provider(
        id="mailgun",
        name="Mailgun",
        formats=(
            KeyFormat("key-{hex:32}", kind="private-api-key", description="legacy"),
            KeyFormat("pubkey-{hex:32}", kind="public-validation-key", secret=False),
            KeyFormat("{hex:32}-{hex:8}-{hex:8}", kind="api-key", needs_context=True),
        ),
        env_vars=("MAILGUN_API_KEY", "MAILGUN_WEBHOOK_SIGNING_KEY"),
        rotate_url="https://app.mailgun.com/settings/api_security",
        extra={"related_env_vars": ("MAILGUN_DOMAIN", "MAILGUN_API_BASE_URL")},
    ),
    Provider(
        id="mailchimp",
        name="Mailchimp",
        # The -usNN suffix names the API data centre host.
        formats=(KeyFormat("{hex:32}-us{digit:1-2}", kind="api-key", needs_context=True),),
        env_vars=("MAILCHIMP_API_KEY",),
        rotate_url="https://admin.mailchimp.com/account/api/",
        docs_url="https://mailchimp.com/developer/marketing/guides/quick-start/",
        extra={"related_env_vars": ("MAILCHIMP_SERVER_PREFIX",)},
    ),
    Provider(
        id="mandrill",
        name="Mandrill (Mailchimp Transactional)",
        formats=(KeyFormat("{b64url:22}", kind="api-key", needs_context=True),),
        env_vars=("MANDRILL_API_KEY",),
        rotate_url="https://mandrillapp.com/settings",
        docs_url="https://mailchimp.com/developer/transactional/guides/quick-start/",
    ),
    Provider(
        id="postmark",
        name="Postmark",
        formats=(
            KeyFormat(_UUID, kind="api-token", needs_context=True, description="server or account token"),
            # A fixed value Postmark accepts as a server token that sends nothing.
            KeyFormat("POSTMARK_API_TEST", kind="server-token", environment="test", secret=False),
        ),
        env_vars=("POSTMARK_SERVER_TOKEN", "POSTMARK_API_TOKEN", "POSTMARK_ACCOUNT_TOKEN"),
        rotate_url="https://account.postmarkapp.com/",
        docs_url="https://postmarkapp.com/developer/api/overview#authentication",
    ),
    Provider(
        id="resend",
        name="Resend",
        # Exact length undocumented, and "re_" + identifier characters also spells ordinary snake_case
        # names (re_enable_...), so only a Resend variable makes such a value a key.
        formats=(KeyFormat("re_{[A-Za-z0-9_]:28-42}", kind="api-key", needs_context=True),),
        env_vars=("RESEND_API_KEY",),
        rotate_url="https://resend.com/api-keys",
        docs_url="https://resend.com/docs/api-reference/api-keys/create-api-key",
    ),
)
