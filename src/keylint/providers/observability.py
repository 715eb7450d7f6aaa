"""Monitoring, observability and productivity tools."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider
from keylint.verify.spec import Check, Param, bearer, header, instance, on, standard

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="sentry",
        name="Sentry",
        formats=(
            # Payload is base64 JSON starting {"iat": ; the part after the last "_" is the secret.
            KeyFormat("sntrys_eyJpYXQiO{b64:20-400}{[=]:0-2}_{b64:43}", kind="organization-auth-token"),
            KeyFormat("sntryu_{hex:64}", kind="user-auth-token"),
            # DSNs are public by design; their only leading literal, "https://", would make every URL a
            # candidate, so they are recognised in Sentry variables only.
            KeyFormat(
                "https://{hex:32}@o{digit:1-12}.ingest.sentry.io/{digit:1-12}",
                kind="dsn",
                secret=False,
                needs_context=True,
            ),
            KeyFormat(
                "https://{hex:32}@o{digit:1-12}.ingest.{lowalpha:2}.sentry.io/{digit:1-12}",
                kind="dsn",
                secret=False,
                needs_context=True,
                description="regional ingest host",
            ),
            KeyFormat("{hex:64}", kind="auth-token", needs_context=True, env_vars=("SENTRY_AUTH_TOKEN",)),
        ),
        env_vars=("SENTRY_AUTH_TOKEN", "SENTRY_DSN", "NEXT_PUBLIC_SENTRY_DSN"),
        rotate_url="https://sentry.io/settings/account/api/auth-tokens/",
        docs_url="https://docs.sentry.io/account/auth-tokens/",
        extra={"related_env_vars": ("SENTRY_ORG", "SENTRY_PROJECT", "SENTRY_URL")},
        verify=Check(
            "https://sentry.io/api/0/organizations/",
            auth=bearer(),
            kinds=("user-auth-token", "auth-token"),
            params=(instance("SENTRY_URL", hosts=("sentry.io", "us.sentry.io"), default="sentry.io"),),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="datadog",
        name="Datadog",
        formats=(
            KeyFormat("{hex:32}", kind="api-key", needs_context=True),
            KeyFormat("{hex:40}", kind="application-key", needs_context=True),
        ),
        env_vars=("DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY", "DD_APPLICATION_KEY", "DATADOG_APP_KEY"),
        rotate_url="https://app.datadoghq.com/organization-settings/api-keys",
        docs_url="https://docs.datadoghq.com/account_management/api-app-keys/",
        extra={
            "related_env_vars": ("DD_SITE",),
            "rotate_urls": {"application-key": "https://app.datadoghq.com/organization-settings/application-keys"},
        },
        verify=Check(
            "https://api.{site}/api/v1/validate",
            auth=header("DD-API-KEY"),
            kinds=("api-key",),
            params=(
                Param(
                    "site",
                    env_vars=("DD_SITE", "DATADOG_SITE"),
                    extract=r"^(?:https://)?(?:app\.|api\.)?([A-Za-z0-9.-]+?)/?$",
                    pattern=r"[a-z0-9.-]{1,64}",
                    choices=(
                        "datadoghq.com",
                        "us3.datadoghq.com",
                        "us5.datadoghq.com",
                        "datadoghq.eu",
                        "ap1.datadoghq.com",
                        "ap2.datadoghq.com",
                        "ddog-gov.com",
                    ),
                    default="datadoghq.com",
                    label="the site (DD_SITE)",
                ),
            ),
            domains=("datadoghq.com", "datadoghq.eu", "ddog-gov.com"),
            outcomes=(
                on(200, "valid", field="valid", equals=True),
                on(
                    403, "invalid", detail="Datadog rejects it (for this site: set DD_SITE if the account is elsewhere)"
                ),
            ),
        ),
    ),
    Provider(
        id="newrelic",
        name="New Relic",
        formats=(
            KeyFormat("NRAK-{upper:27}", kind="user-api-key"),
            KeyFormat("eu01xx{hex:30}NRAL", kind="license-key", description="EU region"),
            KeyFormat("{hex:36}NRAL", kind="license-key", needs_context=True, description="US region"),
            KeyFormat("NRII-{b64url:32}", kind="insights-insert-key"),
            KeyFormat("NRIQ-{b64url:25}", kind="insights-query-key"),
            KeyFormat("NRJS-{hex:19}", kind="browser-key", secret=False),
        ),
        env_vars=("NEW_RELIC_LICENSE_KEY", "NEW_RELIC_API_KEY", "NEW_RELIC_USER_KEY"),
        rotate_url="https://one.newrelic.com/api-keys",
        docs_url="https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/",
        extra={"related_env_vars": ("NEW_RELIC_ACCOUNT_ID", "NEW_RELIC_REGION")},
        verify=Check(
            "https://api.newrelic.com/graphql",
            method="POST",
            auth=header("API-Key"),
            json={"query": "{ actor { user { id } } }"},
            kinds=("user-api-key",),
            params=(
                Param(
                    "region", env_vars=("NEW_RELIC_REGION",), pattern=r"[A-Za-z]{2}", choices=("US", "us"), default="US"
                ),
            ),
            outcomes=(
                on(200, "valid", field="data.actor.user.id"),
                on(401, "invalid"),
                on(403, "unknown", detail="refused by the US endpoint (an EU-region key?)"),
            ),
        ),
    ),
    Provider(
        id="grafana",
        name="Grafana",
        formats=(
            KeyFormat("glsa_{alnum:32}_{hex:8}", kind="service-account-token", checksum="grafana-crc32"),
            KeyFormat("glc_eyJ{b64:29-397}{[=]:0-2}", kind="cloud-access-policy-token"),
            # base64 JSON {"k": ..., "n": ..., "id": ...}
            KeyFormat("eyJrIjoi{b64:70-400}{[=]:0-2}", kind="api-key", description="legacy"),
        ),
        env_vars=(
            "GRAFANA_SERVICE_ACCOUNT_TOKEN",
            "GRAFANA_TOKEN",
            "GRAFANA_API_KEY",
            "GRAFANA_CLOUD_ACCESS_POLICY_TOKEN",
        ),
        rotate_url="https://grafana.com/docs/grafana/latest/administration/service-accounts/",
        docs_url="https://grafana.com/docs/grafana/latest/administration/service-accounts/",
        extra={"related_env_vars": ("GRAFANA_URL",)},
        verify=Check(
            "https://{stack}.grafana.net/api/access-control/user/permissions",
            auth=bearer(),
            kinds=("service-account-token",),
            params=(
                Param(
                    "stack",
                    env_vars=("GRAFANA_URL", "GRAFANA_HOST", "GRAFANA_INSTANCE_URL"),
                    extract=r"^(?:https://)?([A-Za-z0-9][A-Za-z0-9-]{0,62})\.grafana\.net/?(?:[/?#].*)?$",
                    pattern=r"[a-z0-9][a-z0-9-]{0,62}",
                    label="the Grafana Cloud stack URL (GRAFANA_URL)",
                ),
            ),
            domains=("grafana.net",),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="linear",
        name="Linear",
        formats=(KeyFormat("lin_api_{alnum:40}", kind="personal-api-key"),),
        env_vars=("LINEAR_API_KEY",),
        rotate_url="https://linear.app/settings/account/security",
        docs_url="https://linear.app/developers/graphql#personal-api-keys",
        verify=Check(
            "https://api.linear.app/graphql",
            method="POST",
            auth=header("Authorization", "{key}"),  # personal API keys take no "Bearer"
            json={"query": "{ viewer { id } }"},
            outcomes=(on(200, "valid", field="data.viewer.id"), on((400, 401), "invalid")),
        ),
    ),
    Provider(
        id="notion",
        name="Notion",
        formats=(
            KeyFormat("ntn_{digit:11}{alnum:35}", kind="integration-token"),
            KeyFormat("secret_{alnum:43}", kind="integration-token", description="legacy"),
        ),
        env_vars=("NOTION_TOKEN", "NOTION_API_KEY", "NOTION_SECRET"),
        rotate_url="https://www.notion.so/profile/integrations",
        docs_url="https://developers.notion.com/docs/authorization",
        verify=Check(
            "https://api.notion.com/v1/users/me",
            auth=bearer(),
            headers=(("Notion-Version", "2022-06-28"),),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="airtable",
        name="Airtable",
        formats=(KeyFormat("pat{alnum:14}.{hex:64}", kind="personal-access-token"),),
        env_vars=("AIRTABLE_API_KEY", "AIRTABLE_TOKEN", "AIRTABLE_PAT"),
        rotate_url="https://airtable.com/create/tokens",
        docs_url="https://airtable.com/developers/web/guides/personal-access-tokens",
        extra={"related_env_vars": ("AIRTABLE_BASE_ID",)},
        verify=Check("https://api.airtable.com/v0/meta/whoami", auth=bearer(), outcomes=standard()),
    ),
)
