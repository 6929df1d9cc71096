"""The OpenID Connect relying party: discovery, the authorization URL, the code exchange, the ID token.

Authlib builds the authorization request (authorization code flow with PKCE S256, ``state``, ``nonce``)
and performs the token exchange; joserfc verifies the ID token: its signature against the provider's
JWKS (refetched once when an unknown key id appears, which is how providers rotate keys, and at the
latest every 24 hours, so a withdrawn key stops being accepted), and its
``iss``, ``aud`` (and ``azp`` when several audiences), ``exp``, ``iat`` and ``nonce`` claims, with a
minute of clock leeway. Only asymmetric signature algorithms are accepted: ``none`` and HMAC (which a
forger could compute with the public client id) never are.

The issuer must be tenant-specific for Microsoft (``https://login.microsoftonline.com/<tenant>/v2.0``):
the multi-tenant ``common`` document names a templated issuer, which discovery rejects, because the
allow-list matches on email and another tenant could mint any email it likes.

Who signed in (:func:`identify`): only a *verified* ``email`` claim is matched against the allow-list.
``email_verified`` must be true whenever the token carries it or the provider lists it among its
``claims_supported``. Microsoft Entra ID sends no ``email_verified`` and lets users and admins set the
``email`` claim, so there a person is the tenant's ``tid`` + ``oid`` and the email counts only when the
optional claim ``xms_edov`` (email domain owner verified) is true. The mutable ``preferred_username`` /
``upn`` are never used as an email.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from authlib.deprecate import AuthlibDeprecationWarning

# Authlib 1.9 prefers the httpx2 fork but fully supports httpx, which the whole hub uses; one HTTP client
# library is enough.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "The httpx module is deprecated", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from gateway.auth.settings import AuthSettings

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
CLOCK_LEEWAY_SECONDS = 60
METADATA_TTL_SECONDS = 3600
JWKS_MIN_REFRESH_SECONDS = 60
# The key set's lifetime: a key the provider withdrew stops being accepted within this long (before, the
# set was refetched only for an unknown key id, so a withdrawn key stayed good for the process's life).
JWKS_LIFETIME_SECONDS = 24 * 3600
HTTP_TIMEOUT_SECONDS = 10.0


class OidcError(Exception):
    """A sign-in step failed; ``status``/``error``/``details`` become the callback's JSON answer."""

    def __init__(self, status: int, error: str, details: str) -> None:
        super().__init__(f"{error}: {details}")
        self.status = status
        self.error = error
        self.details = details


def provider_unavailable(details: str) -> OidcError:
    return OidcError(502, "Sign-in provider unavailable", details)


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    algorithms: tuple[str, ...]
    claims_supported: tuple[str, ...] = ()


class OidcClient:
    """One per gateway process; caches the discovery document and the signing keys."""

    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.http = http
        self.clock = clock
        self._metadata: ProviderMetadata | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0
        self._oauth: AsyncOAuth2Client | None = None

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = await self.http.get(url, timeout=HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise provider_unavailable(f"could not read the provider's {what}: {exc}") from exc
        if not isinstance(body, dict):
            raise provider_unavailable(f"the provider's {what} is not a JSON object")
        return body

    async def metadata(self) -> ProviderMetadata:
        if self._metadata is not None and time.monotonic() - self._metadata_at < METADATA_TTL_SECONDS:
            return self._metadata
        issuer = self.settings.issuer
        document = await self._get_json(f"{issuer}/.well-known/openid-configuration", "discovery document")
        advertised = str(document.get("issuer", ""))
        # OIDC Discovery §4.3: the document's issuer must be the one we asked; it is also what ``iss`` is
        # compared with.
        if advertised.rstrip("/") != issuer:
            raise OidcError(
                502,
                "Sign-in provider misconfigured",
                f"discovery names issuer {advertised!r}, expected {issuer!r} (use a tenant-specific issuer)",
            )
        try:
            algorithms = tuple(
                alg
                for alg in document.get("id_token_signing_alg_values_supported", ["RS256"])
                if alg in ASYMMETRIC_ALGORITHMS
            )
            metadata = ProviderMetadata(
                issuer=advertised,
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                end_session_endpoint=document.get("end_session_endpoint"),
                algorithms=algorithms or ("RS256",),
                claims_supported=tuple(str(claim) for claim in document.get("claims_supported") or ()),
            )
        except KeyError as exc:
            raise provider_unavailable(f"the discovery document lacks {exc.args[0]}") from exc
        self._metadata, self._metadata_at = metadata, time.monotonic()
        return metadata

    def _seconds(self) -> float:
        # The service's clock (tests move it), not the monotonic one: key ages span hours.
        return self.clock().timestamp()

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        age = self._seconds() - self._keys_at
        expired = age >= JWKS_LIFETIME_SECONDS or age < 0
        if self._keys is None or expired or (refresh and age >= JWKS_MIN_REFRESH_SECONDS):
            metadata = await self.metadata()
            document = await self._get_json(metadata.jwks_uri, "signing keys")
            try:
                self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError) as exc:
                raise provider_unavailable(f"the provider's signing keys are unusable: {exc}") from exc
            self._keys_at = self._seconds()
        return self._keys

    def _oauth_client(self) -> AsyncOAuth2Client:
        # One client for the process (its connection pool and TLS context are reused). Calls pass every
        # parameter explicitly, so the token it remembers from the last exchange is never used.
        if self._oauth is None:
            self._oauth = self._new_oauth_client()
        return self._oauth

    async def aclose(self) -> None:
        if self._oauth is not None:
            await self._oauth.aclose()

    def _new_oauth_client(self) -> AsyncOAuth2Client:
        secret = self.settings.oidc_client_secret
        return AsyncOAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            # Microsoft and most providers accept the secret in the form body; a public client sends none.
            token_endpoint_auth_method="client_secret_post" if secret else "none",
            scope=self.settings.oidc_scopes,
            redirect_uri=self.settings.redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT_SECONDS,
        )

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        metadata = await self.metadata()
        url, _ = self._oauth_client().create_authorization_url(
            metadata.authorization_endpoint, state=state, code_verifier=code_verifier, nonce=nonce
        )
        return str(url)

    async def exchange_code(self, *, code: str, code_verifier: str) -> dict[str, Any]:
        metadata = await self.metadata()
        try:
            token = await self._oauth_client().fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=self.settings.redirect_uri,
            )
        except OAuthError as exc:
            raise OidcError(400, "Failed to obtain access token", exc.description or exc.error) from exc
        except httpx.HTTPStatusError as exc:
            raise provider_unavailable(f"token endpoint answered {exc.response.status_code}") from exc
        except httpx.HTTPError as exc:
            raise provider_unavailable(f"token endpoint unreachable: {exc}") from exc
        except ValueError as exc:
            raise OidcError(400, "Failed to obtain access token", "the token response is not JSON") from exc
        return dict(token)

    async def verify_id_token(self, id_token: object, *, nonce: str) -> dict[str, Any]:
        """The ID token's claims once signature, issuer, audience, expiry and nonce all check out."""
        if not isinstance(id_token, str) or not id_token:
            raise OidcError(400, "Invalid ID token", "the provider returned no ID token")
        metadata = await self.metadata()
        try:
            try:
                token = jwt.decode(id_token, await self._key_set(), algorithms=list(metadata.algorithms))
            except InvalidKeyIdError:
                # A key id we have not seen: the provider may have rotated its keys.
                token = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=list(metadata.algorithms))
            client_id = self.settings.oidc_client_id or ""
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(self.clock().timestamp()),
                leeway=CLOCK_LEEWAY_SECONDS,
                iss={"essential": True, "value": metadata.issuer},
                aud={"essential": True, "value": client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(token.claims)
        except ExpiredTokenError as exc:
            raise OidcError(400, "Invalid ID token", "the ID token has expired") from exc
        except InvalidClaimError as exc:
            raise OidcError(400, "Invalid ID token", f"the {exc.claim} claim is wrong") from exc
        except MissingClaimError as exc:
            raise OidcError(400, "Invalid ID token", f"the {exc.claim} claim is missing") from exc
        except (JoseError, ValueError) as exc:
            raise OidcError(400, "Invalid ID token", f"verification failed: {exc}") from exc
        claims = dict(token.claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # OIDC Core §3.1.3.7: with several audiences the authorized party must be us.
        if len(audiences) > 1 and claims.get("azp") != client_id:
            raise OidcError(400, "Invalid ID token", "the azp claim is wrong")
        return claims

    async def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """The provider's sign-out page (RP-initiated logout), or None when it has none or is down."""
        try:
            metadata = await self.metadata()
        except OidcError:
            return None
        if not metadata.end_session_endpoint:
            return None
        query = urlencode(
            {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": self.settings.oidc_client_id}
        )
        separator = "&" if "?" in metadata.end_session_endpoint else "?"
        return f"{metadata.end_session_endpoint}{separator}{query}"


MICROSOFT_HOSTS = frozenset(
    {"login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"}
)


def is_microsoft(issuer: str) -> bool:
    return (urlsplit(issuer).hostname or "").lower() in MICROSOFT_HOSTS


def _true(value: object) -> bool:
    # Some providers send booleans as strings ("true").
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


@dataclass(frozen=True)
class Person:
    email: str
    subject: str  # who the provider says this is, for good: ``sub``, or ``<tid>/<oid>`` for Microsoft


def identify(claims: dict[str, Any], metadata: ProviderMetadata) -> Person:
    """The person a verified ID token names, by a verified email only (raises OidcError)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email.strip():
        raise OidcError(400, "Failed to get user profile", "the ID token carries no email address")
    email = email.strip().lower()
    if is_microsoft(metadata.issuer):
        tid, oid = claims.get("tid"), claims.get("oid")
        if not (isinstance(tid, str) and tid and isinstance(oid, str) and oid):
            raise OidcError(400, "Failed to get user profile", "the ID token lacks the tid and oid claims")
        # The issuer is tenant-specific (.../<tenant id>/v2.0) and ``iss`` was checked against it.
        if f"/{tid.lower()}/" not in metadata.issuer.lower() + "/":
            raise OidcError(400, "Invalid ID token", "the tid claim is not the configured tenant's")
        if not (_true(claims.get("xms_edov")) or _true(claims.get("email_verified"))):
            raise OidcError(
                400,
                "Failed to get user profile",
                "the email address is not verified (add the optional claims email and xms_edov to the app "
                "registration's ID token)",
            )
        return Person(email=email, subject=f"{tid}/{oid}")
    if ("email_verified" in claims or "email_verified" in metadata.claims_supported) and not _true(
        claims.get("email_verified")
    ):
        raise OidcError(400, "Failed to get user profile", "the provider has not verified the email address")
    subject = claims.get("sub")
    return Person(email=email, subject=subject if isinstance(subject, str) else "")


def name_from_claims(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    return name if isinstance(name, str) and name.strip() else email
