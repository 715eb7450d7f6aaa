"""Cloud platforms, hosting and managed databases."""

from __future__ import annotations

from keylint.providers.schema import KeyFormat, Provider
from keylint.verify.spec import (
    URL_HOST,
    Auth,
    Check,
    NoCheck,
    Param,
    basic,
    bearer,
    form,
    header,
    instance,
    on,
    query,
    standard,
)

_UUID = "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"
_GOOGLE_API_KEY = "AIza{b64url:35}"
_GOOGLE_REFRESH_TOKEN = "1//0{b64url:40-500}"
# Microsoft "Common Annotated Security Key": 52 random, JQQJ9 + variant, year (A=2024), month (A=Jan),
# 16 reserved, a 4-char service signature at offset 76, 4-char checksum (keylint.checksums "cask-marvin32").
_CASK_HEAD = "{base62:52}JQQJ9"
_CASK_DATE = "{upalpha:1}{[A-L]:1}{base62:16}"
_ENTRA = "[A-Za-z0-9._~-]"

_AWS_SECRET = Param(
    "secret",
    kinds=("secret-access-key",),
    env_vars=("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
    pattern=r"[A-Za-z0-9/+]{40}",
    secret=True,
    label="its secret access key (AWS_SECRET_ACCESS_KEY)",
)
_AWS_OUTCOMES = (
    on(200, "valid"),
    on(403, "invalid", contains="InvalidClientTokenId", detail="AWS does not know this access key id (deleted?)"),
    on(403, "invalid", contains="SignatureDoesNotMatch", detail="the secret does not belong to this access key id"),
    on((400, 403), "expired", contains="ExpiredToken", detail="AWS says the session token has expired"),
)
_CLOUDFLARE_ACCOUNT = Param(
    "account_id",
    env_vars=("CLOUDFLARE_ACCOUNT_ID", "CF_ACCOUNT_ID"),
    pattern=r"[0-9a-f]{32}",
    label="the account id (CLOUDFLARE_ACCOUNT_ID)",
)
_CLOUDFLARE_TOKEN_OUTCOMES = (
    on(200, "valid", field="result.status", equals="active"),
    on(200, "revoked", field="result.status", equals="disabled", detail="Cloudflare reports the token disabled"),
    on(200, "expired", field="result.status", equals="expired", detail="Cloudflare reports the token expired"),
)
_UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Storage account names are 3-24 lowercase letters and digits: nothing else can reach the host.
_STORAGE_ACCOUNT = Param(
    "account",
    env_vars=("AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_ACCOUNT_NAME"),
    pattern=r"[a-z0-9]{3,24}",
    label="the account name (AZURE_STORAGE_ACCOUNT)",
)
_ENTRA_OUTCOMES = (
    on(200, "valid", field="access_token"),
    on((400, 401), "expired", contains="AADSTS7000222", detail="Entra ID says AADSTS7000222: the secret has expired"),
    on((400, 401), "invalid", contains="AADSTS7000215", detail="Entra ID says AADSTS7000215: not this app's secret"),
    on(
        (400, 401),
        "unknown",
        contains="AADSTS700016",
        detail="Entra ID does not know the client ID in this tenant (AADSTS700016); the secret was not judged",
    ),
    on(
        (400, 401),
        "unknown",
        contains="AADSTS90002",
        detail="Entra ID does not know the tenant (AADSTS90002); the secret was not judged",
    ),
)
_SUPABASE_REF = Param(
    "ref",
    env_vars=("SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_URL", "VITE_SUPABASE_URL", "EXPO_PUBLIC_SUPABASE_URL"),
    extract=r"^(?:https://)?([a-z0-9]{20})\.supabase\.co/?(?:[/?#].*)?$",
    pattern=r"[a-z0-9]{20}",
    label="the project URL (SUPABASE_URL)",
)

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        id="google",
        name="Google Cloud",
        formats=(
            KeyFormat(
                _GOOGLE_API_KEY,
                kind="api-key",
                description="Maps, YouTube, Firebase and Gemini keys share this shape; browser keys are public",
            ),
            KeyFormat("GOCSPX-{b64url:28}", kind="oauth-client-secret"),
            KeyFormat("ya29.{[A-Za-z0-9._-]:20-2048}", kind="oauth-access-token"),
            KeyFormat(_GOOGLE_REFRESH_TOKEN, kind="oauth-refresh-token"),
        ),
        env_vars=(
            "GOOGLE_API_KEY",
            "GOOGLE_MAPS_API_KEY",
            "NEXT_PUBLIC_GOOGLE_MAPS_API_KEY",
            "YOUTUBE_API_KEY",
            "GOOGLE_CLIENT_SECRET",
            "GCP_SA_KEY",
        ),
        rotate_url="https://console.cloud.google.com/apis/credentials",
        docs_url="https://cloud.google.com/docs/authentication/api-keys",
        extra={"related_env_vars": ("GOOGLE_APPLICATION_CREDENTIALS",)},
        verify=Check(
            # Answers 400 for a key that does not exist, whatever APIs the key is allowed to call.
            "https://www.googleapis.com/identitytoolkit/v3/relyingparty/getProjectConfig",
            auth=query("key"),
            kinds=("api-key",),
            outcomes=standard(
                on(400, "invalid", contains="API_KEY_INVALID", detail="Google says API_KEY_INVALID"),
                on(400, "invalid", contains="API key not valid", detail="Google says the API key is not valid"),
                on(403, "valid_scoped", detail="a real key, restricted or without this API enabled"),
                invalid=None,
            ),
        ),
    ),
    Provider(
        id="firebase",
        name="Firebase",
        formats=(
            KeyFormat(
                _GOOGLE_API_KEY,
                kind="web-api-key",
                secret=False,
                needs_context=True,
                description="public by design (web app config)",
            ),
            # The legacy FCM HTTP API was shut down in 2024: such keys are dead but still secrets to remove.
            KeyFormat("AAAA{b64url:7}:APA91b{b64url:130-140}", kind="fcm-legacy-server-key"),
            KeyFormat(
                _GOOGLE_REFRESH_TOKEN,
                kind="ci-token",
                needs_context=True,
                description="`firebase login:ci` token (a Google refresh token)",
            ),
        ),
        env_vars=(
            "FIREBASE_API_KEY",
            "NEXT_PUBLIC_FIREBASE_API_KEY",
            "FIREBASE_TOKEN",
            "FCM_SERVER_KEY",
            "FIREBASE_SERVICE_ACCOUNT",
        ),
        rotate_url="https://console.firebase.google.com/",
        docs_url="https://firebase.google.com/docs/projects/api-keys",
        verify=(
            NoCheck(
                "public by design: a web app's config ships it to every browser; restrict it (HTTP referrers, "
                "APIs) in the Google Cloud console instead",
                kinds=("web-api-key",),
            ),
            NoCheck(
                "the legacy FCM HTTP API was shut down in 2024: no endpoint accepts these keys any more; remove it",
                kinds=("fcm-legacy-server-key",),
            ),
            NoCheck(
                "a `firebase login:ci` token is a Google refresh token: checking it means minting an access token "
                "as the Firebase CLI's own OAuth client, which keylint does not do",
                kinds=("ci-token",),
            ),
        ),
    ),
    Provider(
        id="aws",
        name="AWS",
        formats=(
            KeyFormat(
                "AKIA{base32:16}",
                kind="access-key-id",
                examples=("AKIAIOSFODNN7EXAMPLE",),
                description="long-term (IAM user or root)",
            ),
            KeyFormat("ASIA{base32:16}", kind="temporary-access-key-id", description="STS; needs a session token"),
            KeyFormat("ABIA{base32:16}", kind="bearer-token-key-id", description="STS service bearer token"),
            KeyFormat("ACCA{base32:16}", kind="context-specific-credential"),
            KeyFormat(
                "{b64:40}",
                kind="secret-access-key",
                needs_context=True,
                examples=("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",),
            ),
            KeyFormat("{b64:100-4000}{[=]:0-2}", kind="session-token", needs_context=True),
            KeyFormat("ABSK{b64:109-269}{[=]:0-2}", kind="bedrock-api-key", description="long-term Bedrock key"),
            # base64 of "bedrock.amazonaws.com" follows the prefix.
            KeyFormat(
                "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t{b64:20-4000}{[=]:0-2}",
                kind="bedrock-short-term-api-key",
            ),
        ),
        env_vars=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"),
        rotate_url="https://console.aws.amazon.com/iam/",
        docs_url="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids",
        extra={"related_env_vars": ("AWS_DEFAULT_REGION",)},
        verify=(
            Check(
                "https://sts.amazonaws.com/",
                method="POST",
                auth=Auth("aws-sigv4"),
                signer="aws-sigv4",
                form=(("Action", "GetCallerIdentity"), ("Version", "2011-06-15")),
                headers=(("Accept", "application/json"),),
                kinds=("access-key-id",),
                params=(_AWS_SECRET,),
                outcomes=_AWS_OUTCOMES,
                note="sts:GetCallerIdentity: needs no permission, changes nothing, is logged in the owner's CloudTrail",
            ),
            Check(
                "https://sts.amazonaws.com/",
                method="POST",
                auth=Auth("aws-sigv4"),
                signer="aws-sigv4",
                form=(("Action", "GetCallerIdentity"), ("Version", "2011-06-15")),
                headers=(("Accept", "application/json"),),
                kinds=("temporary-access-key-id",),
                params=(
                    _AWS_SECRET,
                    Param(
                        "session_token",
                        kinds=("session-token",),
                        env_vars=("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"),
                        pattern=r"[A-Za-z0-9/+=]{16,8000}",
                        secret=True,
                        label="its session token (AWS_SESSION_TOKEN)",
                    ),
                ),
                outcomes=_AWS_OUTCOMES,
                note="sts:GetCallerIdentity with the session token",
            ),
        ),
    ),
    Provider(
        id="azure-storage",
        name="Azure Storage",
        formats=(
            # The "+ASt" signature at offset 76 is distinctive, but it is not a leading literal.
            KeyFormat(
                "{b64:76}+ASt{b64:5}{[AQgw]:1}==",
                kind="account-key",
                checksum="azure-storage-marvin32",
                needs_context=True,
                description="identifiable account key",
            ),
            KeyFormat("{b64:86}==", kind="account-key", needs_context=True, description="pre-identifiable key"),
        ),
        env_vars=(
            "AZURE_STORAGE_KEY",
            "AZURE_STORAGE_ACCOUNT_KEY",
            "AZURE_STORAGE_CONNECTION_STRING",
            "AZUREWEBJOBSSTORAGE",  # AzureWebJobsStorage; names are compared upper-cased
        ),
        rotate_url="https://portal.azure.com/#browse/Microsoft.Storage%2FStorageAccounts",
        docs_url="https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage",
        extra={"related_env_vars": ("AZURE_STORAGE_ACCOUNT",)},
        verify=Check(
            # List Containers, at most one (learn.microsoft.com/rest/api/storageservices/list-containers2):
            # read-only. Signed with the key (keylint.verify.azure): the key itself never leaves the machine.
            "https://{account}.blob.core.windows.net/?comp=list&maxresults=1",
            auth=Auth("azure-shared-key"),
            signer="azure-shared-key",
            kinds=("account-key",),
            params=(_STORAGE_ACCOUNT,),
            domains=("blob.core.windows.net",),
            host_pattern=r"[a-z0-9]{3,24}\.blob\.core\.windows\.net",
            outcomes=(
                on(200, "valid"),
                on(
                    403,
                    "invalid",
                    contains="AuthenticationFailed",
                    detail="Azure says AuthenticationFailed: the key is not this account's",
                ),
                on(
                    403,
                    "unknown",
                    contains="AuthorizationFailure",
                    detail="the account's network rules refused the request; the key was not judged",
                ),
            ),
            note="lists at most one container with a Shared Key signature: the key itself is never sent",
        ),
    ),
    Provider(
        id="azure-openai",
        name="Azure OpenAI / Azure AI services",
        formats=(
            KeyFormat(
                _CASK_HEAD + "9" + _CASK_DATE + "ACOG{base62:4}",
                kind="api-key",
                checksum="cask-marvin32",
                needs_context=True,
                description="CASK key",
            ),
            KeyFormat("{hex:32}", kind="api-key", needs_context=True, description="legacy key"),
        ),
        env_vars=("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"),
        rotate_url="https://portal.azure.com/",
        docs_url="https://learn.microsoft.com/azure/ai-services/openai/reference",
        extra={"related_env_vars": ("AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION")},
        verify=Check(
            "https://{resource}.openai.azure.com/openai/models?api-version=2024-10-21",
            auth=header("api-key"),
            params=(
                Param(
                    "resource",
                    env_vars=("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_BASE_URL", "AZURE_OPENAI_API_BASE"),
                    extract=r"^(?:https://)?([A-Za-z0-9][A-Za-z0-9-]{1,62})\.openai\.azure\.com/?(?:[/?#].*)?$",
                    pattern=r"[a-z0-9][a-z0-9-]{1,62}",
                    label="the resource endpoint (AZURE_OPENAI_ENDPOINT)",
                ),
            ),
            domains=("openai.azure.com",),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="azure-entra",
        name="Microsoft Entra ID (Azure AD)",
        formats=(
            # The 8Q~ / 7Q~ marker sits at offset 3, so there is no leading literal to index.
            KeyFormat(
                f"{{{_ENTRA}:3}}8Q~{{{_ENTRA}:34}}",
                kind="client-secret",
                checksum="entra-marvin32",
                needs_context=True,
            ),
            KeyFormat(
                f"{{{_ENTRA}:3}}7Q~{{{_ENTRA}:34}}", kind="client-secret", needs_context=True, description="legacy"
            ),
        ),
        env_vars=("AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"),
        rotate_url="https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
        docs_url="https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials",
        extra={"related_env_vars": ("AZURE_CLIENT_ID", "AZURE_TENANT_ID")},
        verify=Check(
            # The client-credentials grant:
            # learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
            "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
            method="POST",
            auth=form("client_secret"),
            form=(
                ("client_id", "{client_id}"),
                ("scope", "https://graph.microsoft.com/.default"),
                ("grant_type", "client_credentials"),
            ),
            kinds=("client-secret",),
            params=(
                Param(
                    "tenant",
                    env_vars=("AZURE_TENANT_ID", "ARM_TENANT_ID", "AZURE_AD_TENANT_ID"),
                    pattern=_UUID_PATTERN + r"|[a-z0-9][a-z0-9-]{0,62}\.onmicrosoft\.com",
                    label="the tenant ID (AZURE_TENANT_ID)",
                ),
                Param(
                    "client_id",
                    env_vars=("AZURE_CLIENT_ID", "ARM_CLIENT_ID", "AZURE_AD_CLIENT_ID"),
                    pattern=_UUID_PATTERN,
                    label="the application (client) ID (AZURE_CLIENT_ID)",
                ),
                # Government and China clouds sign in elsewhere: such a secret is left unverified.
                instance(
                    "AZURE_AUTHORITY_HOST", hosts=("login.microsoftonline.com",), default="login.microsoftonline.com"
                ),
            ),
            outcomes=_ENTRA_OUTCOMES,
            note="mints a short-lived access token (client-credentials grant); changes nothing",
        ),
    ),
    Provider(
        id="azure-devops",
        name="Azure DevOps",
        formats=(
            KeyFormat(
                _CASK_HEAD + "{[9DH]:1}" + _CASK_DATE + "AZDO{base62:4}",
                kind="personal-access-token",
                checksum="cask-marvin32",
                needs_context=True,
                description="CASK PAT",
            ),
            KeyFormat("{[a-z2-7]:52}", kind="personal-access-token", needs_context=True, description="legacy"),
        ),
        env_vars=("AZURE_DEVOPS_PAT", "AZURE_DEVOPS_EXT_PAT", "SYSTEM_ACCESSTOKEN"),
        rotate_url="https://dev.azure.com/",
        docs_url="https://learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate",
        extra={"related_env_vars": ("AZURE_DEVOPS_ORG_URL", "AZDO_ORG_SERVICE_URL", "SYSTEM_COLLECTIONURI")},
        verify=Check(
            # A PAT belongs to organizations, so the check lists (at most) one project of the one named next to it.
            # X-TFS-FedAuthRedirect: Suppress asks for a 401 instead of the sign-in page (203) for a refused PAT.
            "https://dev.azure.com/{organization}/_apis/projects?api-version=7.1&$top=1",
            auth=basic("", "{key}"),
            headers=(("X-TFS-FedAuthRedirect", "Suppress"),),
            kinds=("personal-access-token",),
            params=(
                Param(
                    "organization",
                    env_vars=(
                        "AZURE_DEVOPS_ORG_URL",
                        "AZURE_DEVOPS_ORG_SERVICE_URL",
                        "AZDO_ORG_SERVICE_URL",
                        "SYSTEM_COLLECTIONURI",
                        "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI",
                        "AZURE_DEVOPS_ORG",
                        "AZURE_DEVOPS_ORGANIZATION",
                    ),
                    extract=r"^(?:https://)?(?:dev\.azure\.com/)?([A-Za-z0-9][A-Za-z0-9-]{0,48})(?:\.visualstudio\.com)?/?$",
                    pattern=r"[a-z0-9][a-z0-9-]{0,48}",
                    label="the organization URL (AZURE_DEVOPS_ORG_URL, SYSTEM_COLLECTIONURI)",
                ),
            ),
            outcomes=standard(
                on(203, "invalid", detail="Azure DevOps answered with its sign-in page: the PAT was not accepted"),
                scoped=None,
            ),
        ),
    ),
    Provider(
        id="cloudflare",
        name="Cloudflare",
        formats=(
            KeyFormat("cfk_{alnum:40}{hex:8}", kind="global-api-key", checksum="cloudflare-crc32"),
            KeyFormat("cfut_{alnum:40}{hex:8}", kind="user-api-token", checksum="cloudflare-crc32"),
            KeyFormat("cfat_{alnum:40}{hex:8}", kind="account-api-token", checksum="cloudflare-crc32"),
            KeyFormat("v1.0-{hex:24}-{hex:146}", kind="origin-ca-key"),
            KeyFormat(
                "{b64url:40}",
                kind="api-token",
                needs_context=True,
                description="legacy token",
                env_vars=("CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"),
            ),
            KeyFormat(
                "{hex:37}",
                kind="global-api-key",
                needs_context=True,
                description="legacy key, used with the account e-mail",
                env_vars=("CLOUDFLARE_API_KEY",),
            ),
        ),
        env_vars=("CLOUDFLARE_API_TOKEN", "CF_API_TOKEN", "CLOUDFLARE_API_KEY"),
        rotate_url="https://dash.cloudflare.com/profile/api-tokens",
        docs_url="https://developers.cloudflare.com/fundamentals/api/get-started/token-formats/",
        extra={"related_env_vars": ("CLOUDFLARE_EMAIL", "CLOUDFLARE_ACCOUNT_ID")},
        verify=(
            Check(
                "https://api.cloudflare.com/client/v4/user/tokens/verify",
                auth=bearer(),
                kinds=("user-api-token",),
                outcomes=(*_CLOUDFLARE_TOKEN_OUTCOMES, on((400, 401, 403), "invalid")),
            ),
            Check(
                "https://api.cloudflare.com/client/v4/accounts/{account_id}/tokens/verify",
                auth=bearer(),
                kinds=("account-api-token",),
                params=(_CLOUDFLARE_ACCOUNT,),
                outcomes=(*_CLOUDFLARE_TOKEN_OUTCOMES, on((400, 401, 403), "invalid")),
            ),
            Check(
                # A legacy token may be user- or account-owned: a refusal here is not conclusive.
                "https://api.cloudflare.com/client/v4/user/tokens/verify",
                auth=bearer(),
                kinds=("api-token",),
                outcomes=(
                    *_CLOUDFLARE_TOKEN_OUTCOMES,
                    on((400, 401, 403), "unknown", detail="not a user token (it may be an account-owned token)"),
                ),
            ),
            Check(
                "https://api.cloudflare.com/client/v4/user",
                auth=header("X-Auth-Key"),
                headers=(("X-Auth-Email", "{email}"),),
                kinds=("global-api-key",),
                params=(
                    Param(
                        "email",
                        env_vars=("CLOUDFLARE_EMAIL", "CF_API_EMAIL", "CLOUDFLARE_API_EMAIL"),
                        pattern=r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}",
                        label="the account e-mail (CLOUDFLARE_EMAIL)",
                    ),
                ),
                outcomes=standard(invalid=(400, 401, 403), scoped=None),
            ),
        ),
    ),
    Provider(
        id="digitalocean",
        name="DigitalOcean",
        formats=(
            KeyFormat("dop_v1_{hex:64}", kind="personal-access-token"),
            KeyFormat("doo_v1_{hex:64}", kind="oauth-access-token"),
            KeyFormat("dor_v1_{hex:64}", kind="oauth-refresh-token"),
            KeyFormat("{hex:64}", kind="personal-access-token", needs_context=True, description="legacy"),
        ),
        env_vars=("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "DO_TOKEN"),
        rotate_url="https://cloud.digitalocean.com/account/api/tokens",
        docs_url="https://docs.digitalocean.com/reference/api/create-personal-access-token/",
        verify=Check(
            "https://api.digitalocean.com/v2/account",
            auth=bearer(),
            kinds=("personal-access-token", "oauth-access-token"),  # never a refresh token: using it rotates it
            outcomes=standard(),
        ),
    ),
    Provider(
        id="heroku",
        name="Heroku",
        formats=(
            KeyFormat("HRKU-AA{b64url:58}", kind="api-key"),
            KeyFormat(_UUID, kind="api-key", needs_context=True, description="legacy"),
        ),
        env_vars=("HEROKU_API_KEY",),
        rotate_url="https://dashboard.heroku.com/account",
        docs_url="https://devcenter.heroku.com/articles/authentication",
        verify=Check(
            "https://api.heroku.com/account",
            auth=bearer(),
            headers=(("Accept", "application/vnd.heroku+json; version=3"),),
            outcomes=standard(scoped=None),
        ),
    ),
    Provider(
        id="vercel",
        name="Vercel",
        formats=(
            KeyFormat("vcp_{b64url:56}", kind="personal-access-token"),
            KeyFormat("vci_{b64url:56}", kind="integration-token"),
            KeyFormat("vca_{b64url:56}", kind="app-access-token"),
            KeyFormat("vcr_{b64url:56}", kind="app-refresh-token"),
            KeyFormat("vck_{b64url:56}", kind="api-key", description="AI Gateway key"),
            KeyFormat("{alnum:24}", kind="access-token", needs_context=True, description="legacy"),
        ),
        env_vars=("VERCEL_TOKEN", "VERCEL_ACCESS_TOKEN", "AI_GATEWAY_API_KEY"),
        rotate_url="https://vercel.com/account/settings/tokens",
        docs_url="https://vercel.com/changelog/new-token-formats-and-secret-scanning",
        verify=Check(
            "https://api.vercel.com/v2/user",
            auth=bearer(),
            kinds=("personal-access-token", "integration-token", "access-token"),
            outcomes=standard(invalid=(401, 403), scoped=None),
        ),
    ),
    Provider(
        id="netlify",
        name="Netlify",
        formats=(
            KeyFormat("nfp_{alnum:36}", kind="personal-access-token"),
            KeyFormat("{b64url:43-45}", kind="personal-access-token", needs_context=True, description="legacy"),
        ),
        env_vars=("NETLIFY_AUTH_TOKEN", "NETLIFY_TOKEN"),
        rotate_url="https://app.netlify.com/user/applications#personal-access-tokens",
        docs_url="https://docs.netlify.com/api/get-started/#authentication",
        verify=Check("https://api.netlify.com/api/v1/user", auth=bearer(), outcomes=standard(scoped=None)),
    ),
    Provider(
        id="flyio",
        name="Fly.io",
        formats=(
            # One or more comma-separated macaroons (fm2_, fm1r_, fm1a_ ...) after the "FlyV1 " scheme.
            KeyFormat("FlyV1 fm{digit:1}{lowalpha:0-1}_{[A-Za-z0-9+/=,_-]:90-8000}", kind="macaroon-token"),
            KeyFormat("fo1_{b64url:43}", kind="oauth-token", description="legacy personal token"),
        ),
        env_vars=("FLY_API_TOKEN", "FLY_ACCESS_TOKEN"),
        rotate_url="https://fly.io/dashboard",
        docs_url="https://fly.io/docs/security/tokens/",
        verify=(
            Check(
                "https://api.machines.dev/v1/apps?org_slug=personal",
                auth=header("Authorization", "{key}"),  # the token carries its own "FlyV1" scheme
                kinds=("macaroon-token",),
                outcomes=standard(scoped=None),
            ),
            Check(
                "https://api.machines.dev/v1/apps?org_slug=personal",
                auth=bearer(),
                kinds=("oauth-token",),
                outcomes=standard(scoped=None),
            ),
        ),
    ),
    Provider(
        id="supabase",
        name="Supabase",
        formats=(
            # The 8-character tail is described as a checksum, but its algorithm is unpublished.
            KeyFormat("sb_secret_{b64url:22}_{b64url:8}", kind="secret-key"),
            KeyFormat("sb_publishable_{b64url:22}_{b64url:8}", kind="publishable-key", secret=False),
            KeyFormat("sbp_{hex:40}", kind="access-token", description="personal/management access token"),
            KeyFormat(
                "eyJ{b64url:15-200}.eyJ{b64url:40-1000}.{b64url:43}",
                kind="service-role-key",
                needs_context=True,
                description="legacy HS256 JWT with role service_role",
                env_vars=("SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_SECRET_KEY"),
            ),
            KeyFormat(
                "eyJ{b64url:15-200}.eyJ{b64url:40-1000}.{b64url:43}",
                kind="anon-key",
                secret=False,
                needs_context=True,
                description="legacy HS256 JWT with role anon",
                env_vars=("SUPABASE_ANON_KEY", "NEXT_PUBLIC_SUPABASE_ANON_KEY", "SUPABASE_PUBLISHABLE_KEY"),
            ),
        ),
        env_vars=(
            "SUPABASE_SERVICE_ROLE_KEY",
            "SUPABASE_SECRET_KEY",
            "SUPABASE_ANON_KEY",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "SUPABASE_PUBLISHABLE_KEY",
            "SUPABASE_ACCESS_TOKEN",
        ),
        rotate_url="https://supabase.com/dashboard/project/_/settings/api-keys",
        docs_url="https://supabase.com/docs/guides/api/api-keys",
        extra={
            "related_env_vars": ("SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_URL"),
            "rotate_urls": {"access-token": "https://supabase.com/dashboard/account/tokens"},
        },
        verify=(
            Check("https://api.supabase.com/v1/projects", auth=bearer(), kinds=("access-token",), outcomes=standard()),
            Check(
                "https://{ref}.supabase.co/rest/v1/",
                auth=header("apikey"),
                kinds=("secret-key",),
                params=(_SUPABASE_REF,),
                domains=("supabase.co",),
                outcomes=standard(scoped=None),
            ),
            Check(
                "https://{ref}.supabase.co/rest/v1/",
                auth=header("apikey"),
                headers=(("Authorization", "Bearer {key}"),),
                kinds=("service-role-key",),
                params=(_SUPABASE_REF,),
                domains=("supabase.co",),
                outcomes=standard(scoped=None),
            ),
        ),
    ),
    Provider(
        id="planetscale",
        name="PlanetScale",
        formats=(
            KeyFormat("pscale_tkn_{[A-Za-z0-9_=.-]:32-64}", kind="service-token"),
            KeyFormat("pscale_pw_{[A-Za-z0-9_=.-]:32-64}", kind="database-password"),
            KeyFormat("pscale_oauth_{[A-Za-z0-9_=.-]:32-64}", kind="oauth-token"),
        ),
        env_vars=("PLANETSCALE_SERVICE_TOKEN",),
        rotate_url="https://app.planetscale.com/",
        docs_url="https://planetscale.com/docs/concepts/service-tokens",
        # pscale_pw_ passwords usually sit inside DATABASE_URL (mysql://user:pscale_pw_...@host/db).
        extra={"related_env_vars": ("PLANETSCALE_SERVICE_TOKEN_ID", "DATABASE_URL")},
        verify=Check(
            "https://api.planetscale.com/v1/organizations",
            auth=header("Authorization", "{token_id}:{key}"),
            kinds=("service-token",),
            params=(
                Param(
                    "token_id",
                    env_vars=("PLANETSCALE_SERVICE_TOKEN_ID", "PSCALE_SERVICE_TOKEN_ID"),
                    pattern=r"[A-Za-z0-9_-]{6,64}",
                    label="the service token id (PLANETSCALE_SERVICE_TOKEN_ID)",
                ),
            ),
            outcomes=standard(),
        ),
    ),
    Provider(
        id="databricks",
        name="Databricks",
        formats=(
            KeyFormat("dapi{hex:32}", kind="personal-access-token"),
            KeyFormat("dapi{hex:32}-{digit:1}", kind="personal-access-token"),
        ),
        env_vars=("DATABRICKS_TOKEN",),
        rotate_url="https://docs.databricks.com/en/dev-tools/auth/pat.html",
        docs_url="https://docs.databricks.com/en/dev-tools/auth/pat.html",
        extra={"related_env_vars": ("DATABRICKS_HOST",)},
        verify=Check(
            "https://{workspace}/api/2.0/preview/scim/v2/Me",
            auth=bearer(),
            params=(
                Param(
                    "workspace",
                    env_vars=("DATABRICKS_HOST", "DATABRICKS_SERVER_HOSTNAME", "DATABRICKS_WORKSPACE_URL"),
                    extract=URL_HOST,
                    pattern=r"[a-z0-9][a-z0-9.-]{0,200}",
                    label="the workspace host (DATABRICKS_HOST)",
                ),
            ),
            domains=("cloud.databricks.com", "azuredatabricks.net", "gcp.databricks.com"),
            outcomes=standard(),
        ),
    ),
)
