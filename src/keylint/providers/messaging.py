"""Chat, messaging and e-mail delivery."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider
from keylint.verify.spec import (
    Check,
    NoCheck,
    Param,
    basic,
    bearer,
    header,
    in_path,
    instance,
    json_field,
    on,
    standard,
)

_UUID = "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"
_SLACK_ID = "{digit:10-13}"
_DISCORD_WEBHOOK = "/api/webhooks/{digit:17-20}/{b64url:68}"

_TWILIO_OUTCOMES = (
    on(200, "revoked", field="status", equals="closed", detail="Twilio says the account is closed"),
    on(200, "revoked", field="status", equals="suspended", detail="Twilio says the account is suspended"),
    *standard(),
)
_MAILGUN_REGION = instance(
    "MAILGUN_API_BASE_URL",
    "MAILGUN_API_URL",
    "MAILGUN_ENDPOINT",
    hosts=("api.mailgun.net", "api.eu.mailgun.net"),
    default="api.mailgun.net",
)

# A live incoming webhook refuses a message without text with one of these (HTTP 400).
_SLACK_LIVE_HOOK = ("no_text", "missing_text", "invalid_payload")
_SLACK_REFUSED = "Slack refused the empty message (nothing was posted)"
_SLACK_TOKEN_CHECK = Check(
    "https://slack.com/api/auth.test",  # always HTTP 200: the answer is in "ok" and "error"
    method="POST",
    auth=bearer(),
    kinds=(
        "bot-token",
        "user-token",
        "rotating-bot-token",
        "rotating-user-token",
        "legacy-workspace-token",
        "legacy-token",
    ),
    outcomes=(
        on(200, "valid", field="ok", equals=True),
        on(200, "revoked", field="error", equals="token_revoked", detail="Slack says token_revoked"),
        on(200, "revoked", field="error", equals="account_inactive", detail="Slack says account_inactive"),
        on(200, "expired", field="error", equals="token_expired", detail="Slack says token_expired"),
        on(200, "rate_limited", field="error", equals="ratelimited", detail="Slack says ratelimited"),
        on(200, "invalid", field="error", equals=("invalid_auth", "not_authed"), detail="Slack says {value}"),
    ),
)

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
        verify=(
            _SLACK_TOKEN_CHECK,
            Check(
                # Incoming webhooks have no read-only call. A message without text is refused before anything is
                # posted: 400 no_text (or invalid_payload) from a live hook; a disabled, removed or unknown hook
                # answers 404 no_service, a bad secret 403 invalid_token (api.slack.com/messaging/webhooks,
                # "Handling errors"; trufflehog's slackwebhook detector reads the same answers). The URL is
                # rebuilt on hooks.slack.com from the three parts of a value that matched the webhook format.
                "https://hooks.slack.com/services/{team}/{channel}/{secret}",
                method="POST",
                auth=in_path(),
                json={"text": ""},
                kinds=("incoming-webhook",),
                key_pattern=(
                    r"/services/(?P<team>T[A-Z0-9]{8,12})/(?P<channel>B[A-Z0-9]{8,12})/(?P<secret>[A-Za-z0-9]{24})$"
                ),
                outcomes=(
                    *(on(400, "valid", contains=word, detail=_SLACK_REFUSED) for word in _SLACK_LIVE_HOOK),
                    on(200, "valid"),
                    on(404, "revoked", contains="no_service", detail="Slack says no_service (disabled or removed)"),
                    on(404, "revoked", contains="team_disabled", detail="Slack says team_disabled"),
                    on(403, "invalid", contains="invalid_token", detail="Slack says invalid_token"),
                ),
                note="POSTs a message without text, which Slack refuses before posting anything",
            ),
        ),
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
        verify=(
            Check(
                "https://discord.com/api/v10/users/@me",
                auth=header("Authorization", "Bot {key}"),
                kinds=("bot-token",),
                outcomes=standard(scoped=None),
            ),
            Check(
                # Read-only: GET on a webhook describes it; the URL is rebuilt on discord.com from its id and token.
                "https://discord.com/api/webhooks/{webhook_id}/{webhook_token}",
                auth=in_path(),
                kinds=("webhook",),
                key_pattern=r"/api/webhooks/(?P<webhook_id>[0-9]{17,20})/(?P<webhook_token>[A-Za-z0-9_-]{68})$",
                outcomes=standard(on(404, "revoked", detail="Discord says the webhook was deleted"), scoped=None),
            ),
        ),
    ),
    Provider(
        id="telegram",
        name="Telegram Bot API",
        # "<bot id>:<35 chars>"; the secret part starts "AA" in practice, not guaranteed.
        formats=(KeyFormat("{digit:8-10}:{b64url:35}", kind="bot-token", needs_context=True),),
        env_vars=("TELEGRAM_BOT_TOKEN", "TELEGRAM_TOKEN", "BOT_TOKEN"),
        rotate_url="https://t.me/BotFather",
        docs_url="https://core.telegram.org/bots/api#authorizing-your-bot",
        verify=Check(
            "https://api.telegram.org/bot{key}/getMe",
            auth=in_path(),
            outcomes=(
                on(200, "valid", field="ok", equals=True),
                on(401, "invalid"),
                on(404, "invalid", detail="Telegram does not recognise the token (404)"),
            ),
        ),
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
        verify=(
            Check(
                "https://api.twilio.com/2010-04-01/Accounts/{account_sid}.json",
                auth=basic("{account_sid}", "{key}"),
                kinds=("auth-token",),
                params=(
                    Param(
                        "account_sid",
                        kinds=("account-sid",),
                        env_vars=("TWILIO_ACCOUNT_SID", "TWILIO_SID"),
                        pattern=r"AC[0-9a-f]{32}",
                        label="its account SID (TWILIO_ACCOUNT_SID)",
                    ),
                ),
                outcomes=_TWILIO_OUTCOMES,
            ),
            Check(
                "https://api.twilio.com/2010-04-01/Accounts.json",
                auth=basic("{api_key_sid}", "{key}"),
                kinds=("api-key-secret",),
                params=(
                    Param(
                        "api_key_sid",
                        kinds=("api-key-sid",),
                        env_vars=("TWILIO_API_KEY", "TWILIO_API_KEY_SID"),
                        pattern=r"SK[0-9a-f]{32}",
                        label="its API key SID (TWILIO_API_KEY)",
                    ),
                ),
                outcomes=standard(),
            ),
        ),
    ),
    Provider(
        id="sendgrid",
        name="SendGrid",
        formats=(KeyFormat("SG.{b64url:22}.{b64url:43}", kind="api-key"),),
        env_vars=("SENDGRID_API_KEY",),
        rotate_url="https://app.sendgrid.com/settings/api_keys",
        docs_url="https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
        verify=Check("https://api.sendgrid.com/v3/scopes", auth=bearer(), outcomes=standard()),
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
        verify=(
            Check(
                "https://{instance}/v3/domains",
                auth=basic("api", "{key}"),
                kinds=("private-api-key",),
                params=(_MAILGUN_REGION,),
                domains=("mailgun.net",),
                outcomes=standard(),
            ),
            Check(
                # Same shape as domain sending keys and webhook signing keys, which cannot list domains: a refusal
                # is not conclusive for this kind.
                "https://{instance}/v3/domains",
                auth=basic("api", "{key}"),
                kinds=("api-key",),
                params=(_MAILGUN_REGION,),
                domains=("mailgun.net",),
                outcomes=standard(
                    on(
                        (401, 403),
                        "unknown",
                        detail="refused (a domain sending key or webhook signing key cannot list domains)",
                    ),
                    invalid=None,
                    scoped=None,
                ),
            ),
        ),
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
        verify=Check(
            "https://{dc}.api.mailchimp.com/3.0/ping",  # the data centre is the key's own "-usNN" suffix
            auth=basic("keylint", "{key}"),
            key_pattern=r"-(?P<dc>us[0-9]{1,2})$",
            domains=("api.mailchimp.com",),
            host_pattern=r"us[0-9]{1,2}\.api\.mailchimp\.com",
            outcomes=standard(),
        ),
    ),
    Provider(
        id="mandrill",
        name="Mandrill (Mailchimp Transactional)",
        formats=(KeyFormat("{b64url:22}", kind="api-key", needs_context=True),),
        env_vars=("MANDRILL_API_KEY",),
        rotate_url="https://mandrillapp.com/settings",
        docs_url="https://mailchimp.com/developer/transactional/guides/quick-start/",
        verify=Check(
            "https://mandrillapp.com/api/1.0/users/info",
            method="POST",
            auth=json_field("key"),
            outcomes=(
                on(200, "valid"),
                on(500, "invalid", contains="Invalid_Key", detail="Mandrill says Invalid_Key"),
                on(401, "invalid"),
            ),
        ),
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
        # Server and account tokens are both UUIDs and each endpoint takes one of them: the variable decides
        # (postmarkapp.com/developer/api/server-api: GET /server; /developer/api/servers-api: GET /servers).
        verify=(
            Check(
                "https://api.postmarkapp.com/server",
                auth=header("X-Postmark-Server-Token"),
                headers=(("Accept", "application/json"),),
                kinds=("api-token",),
                variables=("POSTMARK_SERVER_TOKEN", "POSTMARK_API_TOKEN"),
                outcomes=standard(scoped=None),
            ),
            Check(
                "https://api.postmarkapp.com/servers?count=1&offset=0",
                auth=header("X-Postmark-Account-Token"),
                headers=(("Accept", "application/json"),),
                kinds=("api-token",),
                variables=("POSTMARK_ACCOUNT_TOKEN",),
                outcomes=standard(scoped=None),
            ),
            NoCheck("a Postmark token in a variable that does not say whether it is a server or an account token"),
        ),
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
        verify=Check(
            "https://api.resend.com/domains",
            auth=bearer(),
            outcomes=(
                on(200, "valid"),
                on((401, 403), "valid_scoped", contains="restricted_api_key", detail="a valid sending-only key"),
                on((400, 401, 403), "invalid", contains="invalid_api_key", detail="Resend says invalid_api_key"),
                on(401, "invalid"),
            ),
        ),
    ),
)
