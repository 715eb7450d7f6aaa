"""Each provider's check, end to end: the exact request a loopback server receives, and the status.

The expectations below are written out by hand from each provider's documentation (see
docs in ../shared/reference/providers.md), not derived from the check records, so a wrong
host, path, method, header or auth placement in a record fails here. For every case, three
keys of the provider are scanned (one file each); the server answers each key differently
(usually 200 / 401 / 403) and the test checks the status keylint reports for each.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conftest import make_key
from keylint.providers import builtin_providers
from keylint.verify import aws
from keylint.verify.spec import checks_of
from verifykit import SCAN, Seen, verification_of

VALID, INVALID, SCOPED = (200, {}, "valid"), (401, {}, "invalid"), (403, {}, "valid_scoped")
TENANT, CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "11111111-2222-4333-8444-555555555555"


def bearer(seen: Seen, key: str, _: dict) -> None:
    assert seen.headers["Authorization"] == f"Bearer {key}"


def in_header(name: str, template: str = "{key}") -> Callable[[Seen, str, dict], None]:
    def check(seen: Seen, key: str, partners: dict) -> None:
        assert seen.headers[name] == template.format(key=key, **partners)
        if name.lower() != "authorization":
            assert "Authorization" not in seen.headers

    return check


def basic(user: str, password: str = "{key}") -> Callable[[Seen, str, dict], None]:
    def check(seen: Seen, key: str, partners: dict) -> None:
        assert seen.basic() == (user.format(key=key, **partners), password.format(key=key, **partners))

    return check


def in_query(name: str) -> Callable[[Seen, str, dict], None]:
    def check(seen: Seen, key: str, _: dict) -> None:
        assert seen.query[name] == key
        assert "Authorization" not in seen.headers

    check.query_name = name  # type: ignore[attr-defined]
    return check


def in_json(name: str) -> Callable[[Seen, str, dict], None]:
    def check(seen: Seen, key: str, _: dict) -> None:
        assert seen.json()[name] == key
        assert "Authorization" not in seen.headers

    return check


def in_form(name: str) -> Callable[[Seen, str, dict], None]:
    def check(seen: Seen, key: str, _: dict) -> None:
        from urllib.parse import parse_qsl

        assert dict(parse_qsl(seen.body.decode()))[name] == key
        assert seen.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
        assert "Authorization" not in seen.headers

    check.form_name = name  # type: ignore[attr-defined]
    return check


def shared_key(seen: Seen, key: str, partners: dict) -> None:
    """The server recomputes the Shared Key signature from what it received (its own string to sign, written
    from learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key) with the key from the file."""
    account = partners["account"]
    scheme, _, credential = seen.headers["Authorization"].partition(" ")
    assert scheme == "SharedKey" and credential.startswith(f"{account}:")
    lowered = {k.lower(): v for k, v in seen.headers.items()}
    assert lowered["x-ms-version"] and re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", lowered["x-ms-date"])
    x_ms = "".join(f"{name}:{lowered[name]}\n" for name in sorted(lowered) if name.startswith("x-ms-"))
    resource = f"/{account}{seen.path}" + "".join(f"\n{k.lower()}:{v}" for k, v in sorted(seen.query.items()))
    length = lowered.get("content-length", "")
    text = f"{seen.method}\n\n\n{'' if length == '0' else length}\n\n{lowered.get('content-type', '')}\n\n\n\n\n\n\n"
    digest = hmac.new(base64.b64decode(key), (text + x_ms + resource).encode(), hashlib.sha256).digest()
    assert credential == f"{account}:{base64.b64encode(digest).decode()}"
    assert key not in seen.raw and key[:20] not in seen.raw  # only a signature made with the key is sent


def in_path(seen: Seen, key: str, _: dict) -> None:
    assert "Authorization" not in seen.headers and key not in seen.body.decode()


def sigv4(seen: Seen, key: str, partners: dict) -> None:
    """The server recomputes the SigV4 signature from what it received, with the secret from the file."""
    match = re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=(\w+)/(\d{8})/us-east-1/sts/aws4_request, SignedHeaders=([a-z0-9;-]+), "
        r"Signature=([0-9a-f]{64})",
        seen.headers["Authorization"],
    )
    assert match, seen.headers["Authorization"]
    assert match.group(1) == key
    names = match.group(3).split(";")
    assert {"host", "x-amz-date", "content-type"} <= set(names)
    lowered = {k.lower(): v for k, v in seen.headers.items()}
    _, expected = aws.signature(
        method=seen.method,
        path=seen.path,
        query=seen.query.items(),
        headers={n: lowered[n] for n in names},
        body=seen.body,
        secret=partners["secret"],
        amz_date=lowered["x-amz-date"],
        region="us-east-1",
        service="sts",
    )
    assert match.group(4) == expected
    if "session_token" in partners:
        assert lowered["x-amz-security-token"] == partners["session_token"]


@dataclass
class Case:
    provider: str
    kind: str
    var: str
    method: str
    host: str  # may use {key}-derived values through host_of
    path: str  # may contain {key} and partner names
    auth: Callable[[Seen, str, dict], None]
    answers: tuple[tuple[int, Any, str], ...] = (VALID, INVALID, SCOPED)
    partners: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (VARIABLE, provider:kind or literal)
    lines: tuple[str, ...] = ()  # more lines for the file (hosts, user names)
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    json: dict[str, Any] | None = None
    environment: str | None = None
    host_of: Callable[[str], str] | None = None
    # What tells this key's requests apart on the server (default: the key, or a Discord webhook's token part).
    marker: Callable[[str, dict], str] | None = None

    @property
    def id(self) -> str:
        return f"{self.provider}:{self.kind}"


CASES = [
    # source hosting, CI, registries
    Case("github", "personal-access-token", "GITHUB_TOKEN", "GET", "api.github.com", "/rate_limit", bearer,
         headers={"X-GitHub-Api-Version": "2022-11-28", "Accept": "application/vnd.github+json"}),
    Case("github", "fine-grained-personal-access-token", "GH_TOKEN", "GET", "api.github.com", "/rate_limit", bearer),
    Case("gitlab", "personal-access-token", "GITLAB_TOKEN", "GET", "gitlab.com", "/api/v4/personal_access_tokens/self",
         in_header("PRIVATE-TOKEN"),
         answers=((200, {"active": True, "revoked": False}, "valid"),
                  (200, {"active": False, "revoked": True}, "revoked"),
                  (401, {"error": "invalid_token", "error_description": "Token has expired."}, "expired"))),
    Case("bitbucket", "app-password", "BITBUCKET_APP_PASSWORD", "GET", "api.bitbucket.org", "/2.0/user",
         basic("keylint-bot"), lines=("BITBUCKET_USERNAME=keylint-bot",)),
    Case("atlassian", "api-token", "JIRA_API_TOKEN", "GET", "acme-team.atlassian.net", "/rest/api/3/myself",
         basic("dev@acme.example"), lines=("JIRA_URL=https://acme-team.atlassian.net/", "JIRA_EMAIL=dev@acme.example")),
    Case("npm", "access-token", "NPM_TOKEN", "GET", "registry.npmjs.org", "/-/whoami", bearer),
    Case("dockerhub", "personal-access-token", "DOCKERHUB_TOKEN", "POST", "hub.docker.com", "/v2/auth/token",
         in_json("secret"), lines=("DOCKERHUB_USERNAME=keylintbot",), json={"identifier": "keylintbot"},
         answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("postman", "api-key", "POSTMAN_API_KEY", "GET", "api.getpostman.com", "/me", in_header("X-Api-Key")),
    Case("terraform-cloud", "api-token", "TFE_TOKEN", "GET", "app.terraform.io", "/api/v2/account/details", bearer,
         answers=(VALID, INVALID, (404, {}, "unknown"))),
    Case("doppler", "personal-token", "DOPPLER_TOKEN", "GET", "api.doppler.com", "/v3/me", bearer),
    Case("pypi", "api-token", "PYPI_TOKEN", "POST", "upload.pypi.org", "/legacy/",
         in_header("Authorization", "token {key}"), environment="live",
         form={":action": "file_upload", "protocol_version": "1"},
         answers=((400, "Include at least one message digest.", "valid"),
                  (403, "Invalid or non-existent authentication information. See https://pypi.org/help/", "invalid"),
                  (403, "Read-only mode: Uploads are temporarily disabled.", "unknown"))),
    Case("pypi", "api-token", "TWINE_PASSWORD", "POST", "test.pypi.org", "/legacy/",
         in_header("Authorization", "token {key}"), environment="test",
         answers=((400, "'' is an invalid value for Version.", "valid"),
                  (403, "Invalid API Token: token is expired", "invalid"), (404, "Not Found", "unknown"))),
    # AI
    Case("openai", "project-key", "OPENAI_API_KEY", "GET", "api.openai.com", "/v1/models", bearer,
         answers=(VALID, INVALID, (429, {"error": {"code": "insufficient_quota"}}, "valid"))),
    Case("openai", "admin-key", "OPENAI_ADMIN_KEY", "GET", "api.openai.com", "/v1/organization/admin_api_keys",
         bearer, query={"limit": "1"}),
    Case("anthropic", "api-key", "ANTHROPIC_API_KEY", "GET", "api.anthropic.com", "/v1/models",
         in_header("x-api-key"), headers={"anthropic-version": "2023-06-01"}),
    Case("anthropic", "admin-key", "ANTHROPIC_ADMIN_KEY", "GET", "api.anthropic.com", "/v1/organizations/me",
         in_header("x-api-key"), headers={"anthropic-version": "2023-06-01"}),
    Case("gemini", "api-key", "GEMINI_API_KEY", "GET", "generativelanguage.googleapis.com", "/v1beta/models",
         in_header("x-goog-api-key"),
         answers=(VALID, (400, {"error": {"details": [{"reason": "API_KEY_INVALID"}]}}, "invalid"),
                  (403, {"error": {"details": [{"reason": "API_KEY_HTTP_REFERRER_BLOCKED"}]}}, "valid_scoped"))),
    Case("cohere", "api-key", "COHERE_API_KEY", "POST", "api.cohere.com", "/v1/check-api-key", bearer,
         answers=((200, {"valid": True}, "valid"), (200, {"valid": False}, "invalid"), INVALID)),
    Case("mistral", "api-key", "MISTRAL_API_KEY", "GET", "api.mistral.ai", "/v1/models", bearer),
    Case("groq", "api-key", "GROQ_API_KEY", "GET", "api.groq.com", "/openai/v1/models", bearer),
    Case("replicate", "api-token", "REPLICATE_API_TOKEN", "GET", "api.replicate.com", "/v1/account", bearer),
    Case("xai", "api-key", "XAI_API_KEY", "GET", "api.x.ai", "/v1/api-key", bearer,
         answers=((200, {"api_key_blocked": False, "api_key_disabled": False}, "valid"),
                  (200, {"api_key_blocked": True, "api_key_disabled": False}, "revoked"), (400, {}, "invalid"))),
    Case("deepseek", "api-key", "DEEPSEEK_API_KEY", "GET", "api.deepseek.com", "/user/balance", bearer),
    Case("openrouter", "api-key", "OPENROUTER_API_KEY", "GET", "openrouter.ai", "/api/v1/key", bearer),
    Case("huggingface", "user-access-token", "HF_TOKEN", "GET", "huggingface.co", "/api/whoami-v2", bearer),
    Case("elevenlabs", "api-key", "ELEVENLABS_API_KEY", "GET", "api.elevenlabs.io", "/v1/user",
         in_header("xi-api-key"),
         answers=(VALID, INVALID, (401, {"detail": {"status": "missing_permissions"}}, "valid_scoped"))),
    Case("langsmith", "personal-access-token", "LANGSMITH_API_KEY", "GET", "api.smith.langchain.com",
         "/api/v1/api-key", in_header("X-API-Key"), answers=(VALID, INVALID, (403, {}, "invalid"))),
    Case("langfuse", "secret-key", "LANGFUSE_SECRET_KEY", "GET", "cloud.langfuse.com", "/api/public/projects",
         basic("{public_key}"), partners={"public_key": ("LANGFUSE_PUBLIC_KEY", "langfuse:public-key")},
         answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("pinecone", "api-key", "PINECONE_API_KEY", "GET", "api.pinecone.io", "/indexes", in_header("Api-Key"),
         headers={"X-Pinecone-Api-Version": "2025-10"}),
    Case("perplexity", "api-key", "PERPLEXITY_API_KEY", "GET", "api.perplexity.ai", "/async/chat/completions",
         bearer, answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("together", "api-key", "TOGETHER_API_KEY", "GET", "api.together.xyz", "/v1/models", bearer,
         answers=(VALID, INVALID, (403, {}, "unknown"))),
    # cloud
    Case("google", "api-key", "GOOGLE_MAPS_API_KEY", "GET", "www.googleapis.com",
         "/identitytoolkit/v3/relyingparty/getProjectConfig", in_query("key"),
         answers=(VALID, (400, {"error": {"message": "API key not valid. Please pass a valid API key."}}, "invalid"),
                  SCOPED)),
    Case("aws", "access-key-id", "AWS_ACCESS_KEY_ID", "POST", "sts.amazonaws.com", "/", sigv4,
         partners={"secret": ("AWS_SECRET_ACCESS_KEY", "aws:secret-access-key")},
         form={"Action": "GetCallerIdentity", "Version": "2011-06-15"}, headers={"Accept": "application/json"},
         answers=(VALID, (403, "<Error><Code>InvalidClientTokenId</Code></Error>", "invalid"),
                  (403, "<Error><Code>SignatureDoesNotMatch</Code></Error>", "invalid"))),
    Case("aws", "temporary-access-key-id", "AWS_ACCESS_KEY_ID", "POST", "sts.amazonaws.com", "/", sigv4,
         partners={"secret": ("AWS_SECRET_ACCESS_KEY", "aws:secret-access-key"),
                   "session_token": ("AWS_SESSION_TOKEN", "aws:session-token")},
         form={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
         answers=(VALID, (403, {"Error": {"Code": "ExpiredToken"}}, "expired"),
                  (403, {"Error": {"Code": "InvalidClientTokenId"}}, "invalid"))),
    Case("azure-openai", "api-key", "AZURE_OPENAI_API_KEY", "GET", "acme-ai.openai.azure.com", "/openai/models",
         in_header("api-key"), query={"api-version": "2024-10-21"},
         lines=("AZURE_OPENAI_ENDPOINT=https://acme-ai.openai.azure.com/",)),
    Case("azure-storage", "account-key", "AZURE_STORAGE_KEY", "GET", "{account}.blob.core.windows.net", "/",
         shared_key, query={"comp": "list", "maxresults": "1"},
         partners={"account": ("AZURE_STORAGE_ACCOUNT", "keylintacct{seed}")}, marker=lambda _, v: v["account"],
         answers=((200, "<EnumerationResults/>", "valid"),
                  (403, "<Error><Code>AuthenticationFailed</Code></Error>", "invalid"),
                  (403, "<Error><Code>AuthorizationFailure</Code></Error>", "unknown"))),
    Case("azure-entra", "client-secret", "AZURE_CLIENT_SECRET", "POST", "login.microsoftonline.com",
         f"/{TENANT}/oauth2/v2.0/token", in_form("client_secret"),
         lines=(f"AZURE_TENANT_ID={TENANT}", f"AZURE_CLIENT_ID={CLIENT_ID}"),
         form={"client_id": CLIENT_ID, "scope": "https://graph.microsoft.com/.default",
               "grant_type": "client_credentials"},
         answers=((200, {"token_type": "Bearer", "access_token": "eyJ0"}, "valid"),
                  (401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret."},
                   "invalid"),
                  (400, {"error": "invalid_client", "error_description": "AADSTS7000222: The client secret expired."},
                   "expired"))),
    Case("azure-devops", "personal-access-token", "AZURE_DEVOPS_PAT", "GET", "dev.azure.com",
         "/acme-org/_apis/projects", basic(""), lines=("AZURE_DEVOPS_ORG_URL=https://dev.azure.com/acme-org/",),
         query={"api-version": "7.1", "$top": "1"}, headers={"X-TFS-FedAuthRedirect": "Suppress"},
         answers=(VALID, INVALID, (203, "<html>Sign in</html>", "invalid"))),
    Case("cloudflare", "user-api-token", "CLOUDFLARE_API_TOKEN", "GET", "api.cloudflare.com",
         "/client/v4/user/tokens/verify", bearer,
         answers=((200, {"result": {"status": "active"}}, "valid"),
                  (200, {"result": {"status": "disabled"}}, "revoked"), (401, {"success": False}, "invalid"))),
    Case("cloudflare", "account-api-token", "CLOUDFLARE_API_TOKEN", "GET", "api.cloudflare.com",
         "/client/v4/accounts/0123456789abcdef0123456789abcdef/tokens/verify", bearer,
         lines=("CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef",),
         answers=((200, {"result": {"status": "active"}}, "valid"), (200, {"result": {"status": "expired"}}, "expired"),
                  (403, {}, "invalid"))),
    Case("cloudflare", "global-api-key", "CLOUDFLARE_API_KEY", "GET", "api.cloudflare.com", "/client/v4/user",
         in_header("X-Auth-Key"), lines=("CLOUDFLARE_EMAIL=ops@acme.example",),
         headers={"X-Auth-Email": "ops@acme.example"}, answers=(VALID, INVALID, (400, {}, "invalid"))),
    Case("digitalocean", "personal-access-token", "DIGITALOCEAN_TOKEN", "GET", "api.digitalocean.com", "/v2/account",
         bearer),
    Case("heroku", "api-key", "HEROKU_API_KEY", "GET", "api.heroku.com", "/account", bearer,
         headers={"Accept": "application/vnd.heroku+json; version=3"}, answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("vercel", "personal-access-token", "VERCEL_TOKEN", "GET", "api.vercel.com", "/v2/user", bearer,
         answers=(VALID, INVALID, (403, {}, "invalid"))),
    Case("netlify", "personal-access-token", "NETLIFY_AUTH_TOKEN", "GET", "api.netlify.com", "/api/v1/user", bearer,
         answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("flyio", "oauth-token", "FLY_API_TOKEN", "GET", "api.machines.dev", "/v1/apps", bearer,
         query={"org_slug": "personal"}, answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("supabase", "access-token", "SUPABASE_ACCESS_TOKEN", "GET", "api.supabase.com", "/v1/projects", bearer),
    Case("supabase", "secret-key", "SUPABASE_SECRET_KEY", "GET", "abcdefghijklmnopqrst.supabase.co", "/rest/v1/",
         in_header("apikey"), lines=("SUPABASE_URL=https://abcdefghijklmnopqrst.supabase.co",),
         answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("planetscale", "service-token", "PLANETSCALE_SERVICE_TOKEN", "GET", "api.planetscale.com",
         "/v1/organizations", in_header("Authorization", "k3ylintid01:{key}"),
         lines=("PLANETSCALE_SERVICE_TOKEN_ID=k3ylintid01",)),
    Case("databricks", "personal-access-token", "DATABRICKS_TOKEN", "GET", "acme.cloud.databricks.com",
         "/api/2.0/preview/scim/v2/Me", bearer, lines=("DATABRICKS_HOST=https://acme.cloud.databricks.com",)),
    # payments
    Case("stripe", "secret-key", "STRIPE_SECRET_KEY", "GET", "api.stripe.com", "/v1/account", bearer,
         environment="live", answers=(VALID, (401, {"error": {"code": "api_key_expired"}}, "expired"), SCOPED)),
    Case("stripe", "restricted-key", "STRIPE_RESTRICTED_KEY", "GET", "api.stripe.com", "/v1/account", bearer,
         environment="test"),
    Case("braintree", "access-token", "BRAINTREE_ACCESS_TOKEN", "POST", "payments.braintree-api.com", "/graphql",
         bearer, environment="live", headers={"Braintree-Version": "2019-01-01"},
         json={"query": "query { ping }"}, answers=((200, {"data": {"ping": "pong"}}, "valid"), INVALID, SCOPED)),
    Case("braintree", "access-token", "BRAINTREE_ACCESS_TOKEN", "POST", "payments.sandbox.braintree-api.com",
         "/graphql", bearer, environment="test", answers=((200, {"data": {"ping": "pong"}}, "valid"), INVALID, SCOPED)),
    Case("square", "access-token", "SQUARE_ACCESS_TOKEN", "GET", "connect.squareup.com", "/v2/locations", bearer),
    Case("square", "access-token", "SQUARE_ACCESS_TOKEN", "GET", "connect.squareupsandbox.com", "/v2/locations",
         bearer, lines=("SQUARE_ENVIRONMENT=Sandbox",)),
    Case("paypal", "client-secret", "PAYPAL_CLIENT_SECRET", "POST", "api-m.paypal.com", "/v1/oauth2/token",
         basic("{client_id}"), partners={"client_id": ("PAYPAL_CLIENT_ID", "AcLientIdOfKeylintTests{seed}" + "x" * 56)},
         form={"grant_type": "client_credentials"},
         answers=((200, {"access_token": "A21AAtoken", "expires_in": 32400}, "valid"),
                  (401, {"error": "invalid_client", "error_description": "Client Authentication failed"}, "invalid"),
                  (200, {"scope": "none"}, "unknown"))),
    Case("paypal", "client-secret", "PAYPAL_CLIENT_SECRET", "POST", "api-m.sandbox.paypal.com", "/v1/oauth2/token",
         basic("{client_id}"), partners={"client_id": ("PAYPAL_CLIENT_ID", "AcLientIdOfKeylintTests{seed}" + "x" * 56)},
         lines=("PAYPAL_MODE=sandbox",), answers=((200, {"access_token": "A21AAtoken"}, "valid"), INVALID)),
    Case("shopify", "admin-api-access-token", "SHOPIFY_ACCESS_TOKEN", "GET", "acme-store.myshopify.com",
         "/admin/oauth/access_scopes.json", in_header("X-Shopify-Access-Token"), lines=("SHOPIFY_SHOP=acme-store",)),
    # messaging
    Case("slack", "bot-token", "SLACK_BOT_TOKEN", "POST", "slack.com", "/api/auth.test", bearer,
         answers=((200, {"ok": True}, "valid"), (200, {"ok": False, "error": "token_revoked"}, "revoked"),
                  (200, {"ok": False, "error": "invalid_auth"}, "invalid"))),
    Case("slack", "incoming-webhook", "SLACK_WEBHOOK_URL", "POST", "hooks.slack.com", "{hook}", in_path,
         json={"text": ""}, marker=lambda key, _: key.split("hooks.slack.com")[-1],
         answers=((400, "no_text", "valid"), (404, "no_service", "revoked"), (403, "invalid_token", "invalid"))),
    Case("discord", "bot-token", "DISCORD_BOT_TOKEN", "GET", "discord.com", "/api/v10/users/@me",
         in_header("Authorization", "Bot {key}"), answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("discord", "webhook", "DISCORD_WEBHOOK_URL", "GET", "discord.com", "/api/webhooks/{webhook}", in_path,
         answers=(VALID, INVALID, (404, {"code": 10015}, "revoked"))),
    Case("telegram", "bot-token", "TELEGRAM_BOT_TOKEN", "GET", "api.telegram.org", "/bot{key}/getMe", in_path,
         answers=((200, {"ok": True}, "valid"), INVALID, (404, {"ok": False}, "invalid"))),
    Case("twilio", "auth-token", "TWILIO_AUTH_TOKEN", "GET", "api.twilio.com",
         "/2010-04-01/Accounts/{account_sid}.json", basic("{account_sid}"),
         partners={"account_sid": ("TWILIO_ACCOUNT_SID", "twilio:account-sid")},
         answers=((200, {"status": "active"}, "valid"), (200, {"status": "closed"}, "revoked"), INVALID)),
    Case("twilio", "api-key-secret", "TWILIO_API_SECRET", "GET", "api.twilio.com", "/2010-04-01/Accounts.json",
         basic("{api_key_sid}"), partners={"api_key_sid": ("TWILIO_API_KEY", "twilio:api-key-sid")}),
    Case("sendgrid", "api-key", "SENDGRID_API_KEY", "GET", "api.sendgrid.com", "/v3/scopes", bearer),
    Case("mailgun", "private-api-key", "MAILGUN_API_KEY", "GET", "api.mailgun.net", "/v3/domains", basic("api")),
    Case("mailgun", "api-key", "MAILGUN_API_KEY", "GET", "api.eu.mailgun.net", "/v3/domains", basic("api"),
         lines=("MAILGUN_API_BASE_URL=https://api.eu.mailgun.net",), answers=(VALID, (401, {}, "unknown"))),
    Case("mailchimp", "api-key", "MAILCHIMP_API_KEY", "GET", "", "/3.0/ping", basic("keylint"),
         host_of=lambda key: key.rsplit("-", 1)[1] + ".api.mailchimp.com"),
    Case("mandrill", "api-key", "MANDRILL_API_KEY", "POST", "mandrillapp.com", "/api/1.0/users/info", in_json("key"),
         answers=(VALID, (500, {"status": "error", "name": "Invalid_Key"}, "invalid"), INVALID)),
    Case("postmark", "api-token", "POSTMARK_SERVER_TOKEN", "GET", "api.postmarkapp.com", "/server",
         in_header("X-Postmark-Server-Token"), headers={"Accept": "application/json"},
         answers=(VALID, (401, {"ErrorCode": 10, "Message": "Bad or missing Server API token."}, "invalid"),
                  (403, {}, "unknown"))),
    Case("postmark", "api-token", "POSTMARK_ACCOUNT_TOKEN", "GET", "api.postmarkapp.com", "/servers",
         in_header("X-Postmark-Account-Token"), query={"count": "1", "offset": "0"},
         headers={"Accept": "application/json"}, answers=(VALID, INVALID, (403, {}, "unknown"))),
    Case("resend", "api-key", "RESEND_API_KEY", "GET", "api.resend.com", "/domains", bearer,
         answers=(VALID, (400, {"name": "invalid_api_key"}, "invalid"),
                  (401, {"name": "restricted_api_key"}, "valid_scoped"))),
    # observability and productivity
    Case("sentry", "user-auth-token", "SENTRY_AUTH_TOKEN", "GET", "sentry.io", "/api/0/organizations/", bearer),
    Case("datadog", "api-key", "DD_API_KEY", "GET", "api.datadoghq.eu", "/api/v1/validate", in_header("DD-API-KEY"),
         lines=("DD_SITE=datadoghq.eu",),
         answers=((200, {"valid": True}, "valid"), (403, {"errors": ["Forbidden"]}, "invalid"), (401, {}, "unknown"))),
    Case("newrelic", "user-api-key", "NEW_RELIC_API_KEY", "POST", "api.newrelic.com", "/graphql",
         in_header("API-Key"), json={"query": "{ actor { user { id } } }"},
         answers=((200, {"data": {"actor": {"user": {"id": 7}}}}, "valid"), INVALID, (403, {}, "unknown"))),
    Case("grafana", "service-account-token", "GRAFANA_TOKEN", "GET", "acme.grafana.net",
         "/api/access-control/user/permissions", bearer, lines=("GRAFANA_URL=https://acme.grafana.net/",)),
    Case("linear", "personal-api-key", "LINEAR_API_KEY", "POST", "api.linear.app", "/graphql",
         in_header("Authorization", "{key}"), json={"query": "{ viewer { id } }"},
         answers=((200, {"data": {"viewer": {"id": "u1"}}}, "valid"), (400, {"errors": []}, "invalid"), INVALID)),
    Case("notion", "integration-token", "NOTION_TOKEN", "GET", "api.notion.com", "/v1/users/me", bearer,
         headers={"Notion-Version": "2022-06-28"}),
    Case("airtable", "personal-access-token", "AIRTABLE_TOKEN", "GET", "api.airtable.com", "/v0/meta/whoami", bearer),
    # identity, search, maps
    Case("okta", "api-token", "OKTA_API_TOKEN", "GET", "dev-123456.okta.com", "/api/v1/users/me",
         in_header("Authorization", "SSWS {key}"), lines=("OKTA_ORG_URL=https://dev-123456.okta.com",)),
    Case("auth0", "management-api-token", "AUTH0_MANAGEMENT_API_TOKEN", "GET", "acme.eu.auth0.com",
         "/api/v2/clients", bearer, query={"per_page": "1", "fields": "client_id"},
         lines=("AUTH0_DOMAIN=acme.eu.auth0.com",)),
    Case("algolia", "admin-api-key", "ALGOLIA_ADMIN_KEY", "GET", "abcde12345-dsn.algolia.net", "/1/keys/{key}",
         in_header("X-Algolia-API-Key"), lines=("ALGOLIA_APP_ID=ABCDE12345",),
         headers={"X-Algolia-Application-Id": "ABCDE12345"}, answers=(VALID, (403, {}, "invalid"), INVALID)),
    Case("mapbox", "secret-token", "MAPBOX_ACCESS_TOKEN", "GET", "api.mapbox.com", "/tokens/v2",
         in_query("access_token"),
         answers=((200, {"code": "TokenValid"}, "valid"), (200, {"code": "TokenExpired"}, "expired"),
                  (401, {"code": "TokenInvalid"}, "invalid"))),
]  # fmt: skip


def _key(case: Case, seed: int) -> str:
    return make_key(case.provider, case.kind, seed=seed, environment=case.environment)


def _partner(spec: str, seed: int) -> str:
    if ":" not in spec:  # a literal partner (an account name, a client ID), numbered by {seed}
        return spec.format(seed=seed)
    provider_id, kind = spec.split(":")
    return make_key(provider_id, kind, seed=1000 + seed)


def _marker(case: Case, key: str, values: dict) -> str:
    return case.marker(key, values) if case.marker else key.split("/api/webhooks/")[-1]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.id}:{c.environment or ''}".rstrip(":"))
def test_provider_request_and_statuses(case: Case, loopback, cli, tmp_path):
    keys: list[str] = []
    partners: list[dict[str, str]] = []
    for seed in range(len(case.answers)):
        key = _key(case, seed)
        values = {name: _partner(spec, seed) for name, (_, spec) in case.partners.items()}
        lines = [f"{case.var}={key}"]
        lines += [f"{case.partners[name][0]}={value}" for name, value in values.items()]
        lines += list(case.lines)
        folder = tmp_path / f"f{seed}"
        folder.mkdir()
        (folder / ".env").write_text("\n".join(lines) + "\n")
        keys.append(key)
        partners.append(values)
    assert len(set(keys)) == len(keys)

    markers = [_marker(case, key, values) for key, values in zip(keys, partners, strict=True)]

    def answer(seen: Seen) -> tuple[int, Any]:
        for marker, (status, body, _) in zip(markers, case.answers, strict=True):
            if marker in seen.raw:
                return status, body
        return 599, "no key I know"

    loopback.answer(answer)
    report = cli(*SCAN, cwd=tmp_path).json()

    requests = loopback.requests
    assert len(requests) == len(keys), [r.path for r in requests]
    for seed, (key, values) in enumerate(zip(keys, partners, strict=True)):
        expected = verification_of(report, f"f{seed}/.env", key=case.var)
        assert expected["status"] == case.answers[seed][2], (seed, expected)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", expected["checked_at"])
        (seen,) = [r for r in requests if markers[seed] in r.raw]
        webhook = key.split("/api/webhooks/")[-1]
        assert seen.method == case.method
        assert seen.host == (case.host_of(key) if case.host_of else case.host.format(**values))
        assert seen.path == case.path.format(key=key, webhook=webhook, hook=key.split("hooks.slack.com")[-1], **values)
        query_name = getattr(case.auth, "query_name", None)
        assert seen.query == {**case.query, **({query_name: key} if query_name else {})}
        for name, value in case.headers.items():
            assert seen.headers[name] == value, name
        if case.form is not None:
            from urllib.parse import parse_qsl

            form_name = getattr(case.auth, "form_name", None)
            assert {k: v for k, v in parse_qsl(seen.body.decode()) if k != form_name} == case.form
        if case.json is not None:
            body = seen.json()
            for name, value in case.json.items():
                assert body[name] == value
        case.auth(seen, key, values)
        if "{key}" not in case.path and case.auth is not in_path:
            assert key not in seen.path
        assert seen.headers["User-Agent"].startswith("keylint/")


def test_at_least_thirty_providers_are_verified_and_every_one_is_exercised_here():
    verified = {p.id for p in builtin_providers() if checks_of(p)}
    assert len(verified) >= 30
    assert verified <= {case.provider for case in CASES}, verified - {case.provider for case in CASES}


def test_every_kind_with_a_check_is_a_real_kind_of_its_provider():
    for p in builtin_providers():
        kinds = {f.kind for f in p.formats}
        for check in checks_of(p):
            assert set(check.kinds) <= kinds, (p.id, check.kinds)
            for param in check.params:
                assert set(param.kinds) <= kinds, (p.id, param.name)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.id}:{c.environment or ''}".rstrip(":"))
def test_provider_retries_429_and_5xx_and_times_out_slow_answers(case: Case, loopback, cli, tmp_path):
    """Per provider: 429 (Retry-After) then 500 then the valid answer is valid after 3 requests; a slow
    answer beyond --verify-timeout is unknown after 1 (a timeout is not retried)."""
    import threading
    import time

    retried, slow = _key(case, 0), _key(case, 1)
    for seed, key in enumerate((retried, slow)):
        values = {name: _partner(spec, seed) for name, (_, spec) in case.partners.items()}
        lines = [f"{case.var}={key}", *(f"{case.partners[n][0]}={v}" for n, v in values.items()), *case.lines]
        (tmp_path / f"f{seed}").mkdir()
        (tmp_path / f"f{seed}" / ".env").write_text("\n".join(lines) + "\n")
    status, body, expected = case.answers[0]
    seen_retried = seen_slow = 0
    lock = threading.Lock()

    slow_marker = _marker(case, slow, {name: _partner(spec, 1) for name, (_, spec) in case.partners.items()})

    def answer(seen: Seen) -> tuple[int, Any, dict[str, str]]:
        nonlocal seen_retried, seen_slow
        if slow_marker in seen.raw:
            with lock:
                seen_slow += 1
            time.sleep(1.5)  # well past the timeout, which leaves the quick answers room on a loaded machine
            return status, body, {}
        with lock:
            seen_retried += 1
            attempt = seen_retried
        if attempt == 1:
            return 429, {"error": "slow down"}, {"Retry-After": "0"}
        if attempt == 2:
            return 500, "internal error", {"Retry-After": "0"}
        return status, body, {}

    loopback.answer(answer)
    report = cli(*SCAN, "--verify-timeout", "0.6", cwd=tmp_path).json()
    assert verification_of(report, "f0/.env", key=case.var)["status"] == expected
    assert seen_retried == 3
    timed_out = verification_of(report, "f1/.env", key=case.var)
    assert timed_out["status"] == "unknown" and "timed out" in timed_out["detail"]
    assert seen_slow == 1  # a timeout is not retried
