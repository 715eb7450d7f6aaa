"""Source hosting, CI, package registries and developer secret stores."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider
from keylint.verify.spec import Check, NoCheck, Param, basic, bearer, header, instance, json_field, on, standard

# Devise.friendly_token (used for GitLab's 20-character tokens) maps l, I, O and 0 to s, x, y, z.
_FRIENDLY = "[A-HJ-NP-Za-km-z1-9_-]"
_UUID = "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"
# Routable GitLab tokens: unpadded base64url payload, ".01." version, 2-char base36 payload length, CRC.
_ROUTABLE = "{b64url:27-300}.01.{lower:2}{lower:7}"


def _pypi_upload(url: str, environment: str) -> Check:
    """PyPI has no read-only token endpoint. Its upload endpoint checks the token before it reads a single field
    (pypi/warehouse forklift/legacy.py file_upload: 403 "Invalid or non-existent authentication information"
    without a valid identity), then refuses a form that carries no file with 400: a form body can hold no
    file, so nothing can ever be uploaded. trufflehog's pypi detector reads the same 400/403."""
    return Check(
        url,
        method="POST",
        auth=header("Authorization", "token {key}"),
        form=((":action", "file_upload"), ("protocol_version", "1")),
        kinds=("api-token",),
        environments=(environment,),
        outcomes=(
            on(400, "valid", detail="PyPI accepted the token and refused the empty upload (nothing was uploaded)"),
            on(403, "invalid", contains="non-existent authentication", detail="PyPI says the token is invalid"),
            on(403, "invalid", contains="Invalid API Token", detail="PyPI says the token is invalid"),
        ),
        note="POSTs an upload form without a file: PyPI checks the token, then refuses the form; nothing is uploaded",
    )


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="github",
        name="GitHub",
        formats=(
            KeyFormat("ghp_{base62:30}{base62:6}", kind="personal-access-token", checksum="github-crc32"),
            KeyFormat("gho_{base62:30}{base62:6}", kind="oauth-token", checksum="github-crc32"),
            KeyFormat("ghu_{base62:30}{base62:6}", kind="user-to-server-token", checksum="github-crc32"),
            KeyFormat("ghs_{base62:30}{base62:6}", kind="server-to-server-token", checksum="github-crc32"),
            KeyFormat(
                "github_pat_{base62:22}_{base62:43}{base62:8}{base62:8}",
                kind="fine-grained-personal-access-token",
                checksum="github-pat-sha256",
            ),
            # 80 characters: the classic CRC32 over the 70 random characters (GitHub's token-format blog post
            # gives every new-format token one; mongodb/kingfisher's rule kingfisher.github.6 checks it at this size).
            KeyFormat("ghr_{base62:70}{base62:6}", kind="refresh-token", checksum="github-crc32"),
            KeyFormat(
                "ghs_{digit:1-12}_eyJ{b64url:10-400}.eyJ{b64url:20-2000}.{b64url:20-700}",
                kind="stateless-installation-token",
                description="ghs_<app id>_<GitHub-signed JWT> (GitHub.com, from 2026-04); no CRC",
            ),
        ),
        env_vars=("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "GH_PAT", "GH_ENTERPRISE_TOKEN", "GITHUB_APP_PRIVATE_KEY"),
        rotate_url="https://github.com/settings/tokens",
        docs_url="https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats",
        extra={
            "rotate_urls": {
                "fine-grained-personal-access-token": "https://github.com/settings/personal-access-tokens",
            },
        },
        verify=Check(
            "https://api.github.com/rate_limit",  # does not count against the rate limit
            auth=bearer(),
            headers=(("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")),
            kinds=(
                "personal-access-token",
                "oauth-token",
                "user-to-server-token",
                "server-to-server-token",
                "fine-grained-personal-access-token",
                "stateless-installation-token",
            ),
            params=(
                instance(
                    "GH_HOST",
                    "GITHUB_SERVER_URL",
                    "GITHUB_API_URL",
                    hosts=("github.com", "api.github.com"),
                    default="github.com",
                ),
            ),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="gitlab",
        name="GitLab",
        formats=(
            KeyFormat(
                "glpat-" + _ROUTABLE,
                kind="personal-access-token",
                checksum="gitlab-routable-crc32",
                description="routable token: payload decodes to owner/organization ids",
            ),
            # An earlier routable framing without the version field; its checksum is not verified here.
            KeyFormat("glpat-{b64url:27-300}.{lower:2}{lower:7}", kind="personal-access-token"),
            KeyFormat(f"glpat-{{{_FRIENDLY}:20}}", kind="personal-access-token", description="legacy, not routable"),
            KeyFormat(
                "glrt-t{digit:1}_" + _ROUTABLE, kind="runner-authentication-token", checksum="gitlab-routable-crc32"
            ),
            KeyFormat(f"glrt-{{{_FRIENDLY}:20}}", kind="runner-authentication-token"),
            KeyFormat(f"glrtr-{{{_FRIENDLY}:20}}", kind="runner-authentication-token"),
            KeyFormat("GR1348941{b64url:20}", kind="runner-registration-token", description="legacy"),
            KeyFormat("gloas-{b64url:64}", kind="oauth-application-secret"),
            KeyFormat(f"gldt-{{{_FRIENDLY}:20}}", kind="deploy-token"),
            KeyFormat(f"glcbt-{{alnum:1-5}}_{{{_FRIENDLY}:20}}", kind="ci-job-token"),
            KeyFormat("glptt-{hex:40}", kind="pipeline-trigger-token"),
            KeyFormat(f"glft-{{{_FRIENDLY}:20}}", kind="feed-token"),
            KeyFormat("glimt-{b64url:25}", kind="incoming-mail-token"),
            KeyFormat("glagent-{b64url:50}", kind="kubernetes-agent-token"),
            KeyFormat(f"glsoat-{{{_FRIENDLY}:20}}", kind="scim-token"),
            KeyFormat(f"glffct-{{{_FRIENDLY}:20}}", kind="feature-flag-client-token"),
            KeyFormat("_gitlab_session={hex:32}", kind="session-cookie"),
        ),
        env_vars=("GITLAB_TOKEN", "GITLAB_PRIVATE_TOKEN", "GL_TOKEN", "CI_JOB_TOKEN", "GITLAB_RUNNER_TOKEN"),
        rotate_url="https://gitlab.com/-/user_settings/personal_access_tokens",
        docs_url="https://docs.gitlab.com/security/tokens/",
        extra={"related_env_vars": ("CI_SERVER_URL",)},
        verify=Check(
            "https://gitlab.com/api/v4/personal_access_tokens/self",
            auth=header("PRIVATE-TOKEN"),
            kinds=("personal-access-token",),
            params=(
                instance(
                    "CI_SERVER_URL",
                    "GITLAB_URL",
                    "GITLAB_HOST",
                    "CI_SERVER_HOST",
                    hosts=("gitlab.com",),
                    default="gitlab.com",
                ),
            ),
            outcomes=standard(
                on(200, "revoked", field="revoked", equals=True, detail="GitLab marks the token revoked"),
                on(200, "expired", field="active", equals=False, detail="GitLab marks the token inactive (expired)"),
                on(401, "revoked", contains="Token was revoked", detail="GitLab says the token was revoked"),
                on(401, "expired", contains="Token has expired", detail="GitLab says the token has expired"),
            ),
        ),
    ),
    Provider(
        id="bitbucket",
        name="Bitbucket",
        formats=(
            KeyFormat("ATBB{alnum:24}{HEX:8}", kind="app-password", checksum="atlassian-crc32"),
            KeyFormat(
                "ATCTT3xFfGN0{b64url:171}={HEX:8}",
                kind="access-token",
                checksum="atlassian-crc32",
                description="repository/project/workspace access token (also Atlassian org admin API keys)",
            ),
            KeyFormat("BBDC-{b64:44}", kind="data-center-http-access-token"),
        ),
        env_vars=("BITBUCKET_APP_PASSWORD", "BITBUCKET_TOKEN", "BITBUCKET_ACCESS_TOKEN"),
        rotate_url="https://bitbucket.org/account/settings/app-passwords/",
        docs_url="https://support.atlassian.com/bitbucket-cloud/docs/access-tokens/",
        extra={"related_env_vars": ("BITBUCKET_USERNAME",)},
        verify=Check(
            "https://api.bitbucket.org/2.0/user",
            auth=basic("{username}", "{key}"),
            kinds=("app-password",),
            params=(
                Param("username", env_vars=("BITBUCKET_USERNAME", "BITBUCKET_USER"), pattern=r"[A-Za-z0-9_.-]{1,100}"),
            ),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="atlassian",
        name="Atlassian (Jira, Confluence)",
        formats=(
            KeyFormat("ATATT3xFfGF0{b64url:171}={HEX:8}", kind="api-token", checksum="atlassian-crc32"),
            KeyFormat("{alnum:24}", kind="api-token", needs_context=True, description="legacy API token"),
            # Data Center PATs: base64 of "<numeric id>:<random>", so the first character is M, N or O.
            KeyFormat("{[MNO]:1}{b64:43}", kind="data-center-personal-access-token", needs_context=True),
        ),
        env_vars=("JIRA_API_TOKEN", "ATLASSIAN_API_TOKEN", "CONFLUENCE_API_TOKEN"),
        rotate_url="https://id.atlassian.com/manage-profile/security/api-tokens",
        docs_url="https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/",
        extra={"related_env_vars": ("JIRA_EMAIL", "JIRA_USER", "JIRA_URL", "JIRA_BASE_URL")},
        verify=Check(
            "https://{site}.atlassian.net/rest/api/3/myself",
            auth=basic("{email}", "{key}"),
            kinds=("api-token",),
            params=(
                Param(
                    "site",
                    env_vars=(
                        "JIRA_URL",
                        "JIRA_BASE_URL",
                        "JIRA_HOST",
                        "CONFLUENCE_URL",
                        "ATLASSIAN_URL",
                        "ATLASSIAN_SITE",
                    ),
                    extract=r"^(?:https://)?([A-Za-z0-9][A-Za-z0-9-]{0,62})\.atlassian\.net/?(?:[/?#].*)?$",
                    pattern=r"[a-z0-9][a-z0-9-]{0,62}",
                    label="the Atlassian site URL (JIRA_URL, JIRA_BASE_URL)",
                ),
                Param(
                    "email",
                    env_vars=(
                        "JIRA_EMAIL",
                        "JIRA_USER",
                        "JIRA_USERNAME",
                        "ATLASSIAN_EMAIL",
                        "CONFLUENCE_EMAIL",
                        "CONFLUENCE_USER",
                    ),
                    pattern=r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}",
                    label="the account e-mail (JIRA_EMAIL, JIRA_USER)",
                ),
            ),
            domains=("atlassian.net",),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="npm",
        name="npm",
        formats=(
            KeyFormat("npm_{base62:30}{base62:6}", kind="access-token", checksum="github-crc32"),
            KeyFormat(_UUID, kind="access-token", needs_context=True, description="pre-2021 token"),
        ),
        env_vars=("NPM_TOKEN", "NPM_AUTH_TOKEN", "NODE_AUTH_TOKEN"),
        rotate_url="https://www.npmjs.com/settings/~/tokens",
        docs_url="https://docs.npmjs.com/about-access-tokens",
        verify=Check("https://registry.npmjs.org/-/whoami", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="pypi",
        name="PyPI",
        formats=(
            # base64url macaroon; the fixed start encodes version 2 and the location pypi.org / test.pypi.org.
            KeyFormat("pypi-AgEIcHlwaS5vcmc{b64url:50-1000}", kind="api-token", environment="live"),
            KeyFormat(
                "pypi-AgENdGVzdC5weXBpLm9yZw{b64url:50-1000}",
                kind="api-token",
                environment="test",
                description="TestPyPI token (test.pypi.org)",
            ),
        ),
        env_vars=(
            "PYPI_TOKEN",
            "PYPI_API_TOKEN",
            "TWINE_PASSWORD",
            "UV_PUBLISH_TOKEN",
            "POETRY_PYPI_TOKEN_PYPI",
            "FLIT_PASSWORD",
        ),
        rotate_url="https://pypi.org/manage/account/token/",
        docs_url="https://pypi.org/help/#apitoken",
        extra={"related_env_vars": ("TWINE_USERNAME",)},
        verify=(
            _pypi_upload("https://upload.pypi.org/legacy/", "live"),
            _pypi_upload("https://test.pypi.org/legacy/", "test"),  # TestPyPI tokens name test.pypi.org
        ),
    ),
    Provider(
        id="dockerhub",
        name="Docker Hub",
        formats=(
            KeyFormat("dckr_pat_{b64url:27}", kind="personal-access-token"),
            KeyFormat("dckr_oat_{b64url:32}", kind="organization-access-token"),
            KeyFormat(_UUID, kind="access-token", needs_context=True, description="legacy access token"),
        ),
        env_vars=("DOCKERHUB_TOKEN", "DOCKER_PASSWORD"),
        rotate_url="https://app.docker.com/settings/personal-access-tokens",
        docs_url="https://docs.docker.com/security/for-developers/access-tokens/",
        extra={"related_env_vars": ("DOCKERHUB_USERNAME", "DOCKER_USERNAME")},
        verify=Check(
            "https://hub.docker.com/v2/auth/token",
            method="POST",
            json={"identifier": "{username}"},
            auth=json_field("secret"),
            kinds=("personal-access-token", "organization-access-token"),
            params=(
                Param(
                    "username",
                    env_vars=(
                        "DOCKERHUB_USERNAME",
                        "DOCKER_USERNAME",
                        "DOCKERHUB_USER",
                        "DOCKER_USER",
                        "DOCKERHUB_ORG",
                    ),
                    pattern=r"[a-z0-9][a-z0-9_.-]{1,99}",
                ),
            ),
            outcomes=standard(scoped=None),
            note="mints a short-lived session token; changes nothing",
        ),
    ),
    Provider(
        id="postman",
        name="Postman",
        formats=(
            KeyFormat("PMAK-{hex:24}-{hex:34}", kind="api-key"),
            KeyFormat("PMAT-{alnum:26}", kind="access-token"),
        ),
        env_vars=("POSTMAN_API_KEY",),
        rotate_url="https://go.postman.co/settings/me/api-keys",
        docs_url="https://learning.postman.com/docs/developer/postman-api/authentication/",
        verify=Check(
            "https://api.getpostman.com/me", auth=header("X-Api-Key"), kinds=("api-key",), outcomes=standard()
        ),
    ),
    Provider(
        id="hashicorp-vault",
        name="HashiCorp Vault",
        formats=(
            # Dev-server root tokens are hvs. + 24; server-side-consistent tokens run to ~120.
            KeyFormat("hvs.{b64url:24-130}", kind="service-token"),
            KeyFormat("hvb.{b64url:100-400}", kind="batch-token"),
            KeyFormat("hvr.{b64url:24-130}", kind="recovery-token"),
            KeyFormat("s.{alnum:24}", kind="service-token", needs_context=True, description="Vault 1.0-1.9"),
            KeyFormat("b.{b64url:50-400}", kind="batch-token", needs_context=True, description="Vault 1.0-1.9"),
            KeyFormat(_UUID, kind="service-token", needs_context=True, description="before Vault 1.0"),
        ),
        env_vars=("VAULT_TOKEN",),
        rotate_url="https://developer.hashicorp.com/vault/docs/commands/token/revoke",
        docs_url="https://developer.hashicorp.com/vault/docs/concepts/tokens",
        extra={"related_env_vars": ("VAULT_ADDR", "VAULT_NAMESPACE")},
        verify=NoCheck(
            "Vault is self-hosted: the only server that knows the token is the one VAULT_ADDR names, and keylint "
            "never sends a key to a host taken from scanned files"
        ),
    ),
    Provider(
        id="terraform-cloud",
        name="HCP Terraform (Terraform Cloud)",
        formats=(
            # The ".atlasv1." marker is distinctive, but it is not a leading literal.
            KeyFormat("{alnum:14}.atlasv1.{[A-Za-z0-9_=-]:60-70}", kind="api-token", needs_context=True),
        ),
        env_vars=("TFE_TOKEN", "TF_API_TOKEN", "TF_TOKEN_APP_TERRAFORM_IO", "ATLAS_TOKEN"),
        rotate_url="https://app.terraform.io/app/settings/tokens",
        docs_url="https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens",
        verify=Check(
            "https://app.terraform.io/api/v2/account/details",
            auth=bearer(),
            headers=(("Accept", "application/vnd.api+json"),),
            params=(
                instance("TFE_HOSTNAME", "TF_CLOUD_HOSTNAME", hosts=("app.terraform.io",), default="app.terraform.io"),
            ),
            outcomes=standard(
                on(404, "unknown", detail="accepted but not a user token (a team or organization token)"),
                scoped=None,
            ),
        ),
    ),
    Provider(
        id="doppler",
        name="Doppler",
        formats=(
            KeyFormat("dp.pt.{alnum:43}", kind="personal-token"),
            KeyFormat("dp.st.{alnum:40-44}", kind="service-token"),
            KeyFormat("dp.st.{[a-z0-9_-]:1-64}.{alnum:40-44}", kind="service-token", description="config-scoped"),
            KeyFormat("dp.sa.{alnum:40-44}", kind="service-account-token"),
            KeyFormat("dp.ct.{alnum:40-44}", kind="cli-token"),
            KeyFormat("dp.scim.{alnum:40-44}", kind="scim-token"),
            KeyFormat("dp.audit.{alnum:40-44}", kind="audit-token"),
        ),
        env_vars=("DOPPLER_TOKEN",),
        rotate_url="https://dashboard.doppler.com/",
        docs_url="https://docs.doppler.com/reference/auth-token-formats",
        verify=Check("https://api.doppler.com/v3/me", auth=bearer(), outcomes=standard()),
    ),
    Provider(
        id="1password",
        name="1Password",
        formats=(
            # base64(url) JSON with signInAddress, email, secretKey ...
            KeyFormat("ops_eyJ{[A-Za-z0-9+/_-]:243-4000}{[=]:0-2}", kind="service-account-token"),
            KeyFormat("A3-{upper:6}-{upper:6}-{upper:5}-{upper:5}-{upper:5}-{upper:5}", kind="secret-key"),
            KeyFormat("A3-{upper:6}-{upper:11}-{upper:5}-{upper:5}-{upper:5}", kind="secret-key"),
            KeyFormat(
                "eyJ{b64url:10-2000}.eyJ{b64url:10-8000}.{b64url:20-2000}",
                kind="connect-token",
                needs_context=True,
                env_vars=("OP_CONNECT_TOKEN",),
            ),
        ),
        env_vars=("OP_SERVICE_ACCOUNT_TOKEN", "OP_CONNECT_TOKEN"),
        rotate_url="https://my.1password.com/",
        docs_url="https://developer.1password.com/docs/service-accounts/",
        extra={"related_env_vars": ("OP_CONNECT_HOST",)},
    ),
)
