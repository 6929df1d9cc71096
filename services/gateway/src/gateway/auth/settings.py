"""Settings of the gateway's edge: sign-in (OpenID Connect), sessions, the access policy, CORS, limits.

Mixed into :class:`gateway.settings.GatewaySettings`. Sign-in is optional: with ``OIDC_ISSUER`` unset the
gateway still starts (``make dev`` runs without an identity provider) and the sign-in routes answer 503;
API tokens keep working. Half a configuration (a client id without an issuer, say) stops start-up.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings

from hub_shared.settings import CommaList, split_comma_list

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports dropped (how browsers send Origin).

    A malformed URL (a client can send anything) yields ``""``, which matches no allowed origin.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


class AuthSettings(BaseSettings):
    """What the gateway needs to sign people in and guard the edge."""

    # OpenID Connect (Microsoft Entra ID: https://login.microsoftonline.com/<tenant>/v2.0).
    oidc_issuer: AnyHttpUrl | None = None
    # Checked even when unset (validate_default), so half a configuration names the missing variable.
    oidc_client_id: str | None = Field(default=None, validate_default=True)
    oidc_client_secret: SecretStr | None = Field(default=None, validate_default=True)
    oidc_scopes: str = "openid profile email"
    auth_allowed_emails: CommaList = Field(default_factory=list, validate_default=True)
    # The gateway's external URL: the redirect URI and an origin trusted for state-changing requests.
    public_base_url: AnyHttpUrl = AnyHttpUrl("http://localhost:5400")
    # Where the browser lands after sign-in and sign-out; default: the first CORS origin, else the console (/).
    frontend_url: AnyHttpUrl | None = None

    session_cookie_name: str = Field(default="session", pattern=r"^[A-Za-z0-9_.-]+$")
    session_cookie_secure: bool = True
    session_cookie_domain: str | None = None
    session_lifetime_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    # A session unused this long ends (alongside the absolute lifetime above).
    session_idle_minutes: float = Field(default=180.0, ge=1, le=24 * 60 * 30)
    auth_purge_interval_seconds: float = Field(default=300.0, gt=0, le=86_400)
    login_state_minutes: float = Field(default=10.0, gt=0, le=60)

    # Access policy switches (the table itself is gateway.auth.policy.POLICY).
    auth_require_all: bool = False
    auth_require_for_writes: bool = False

    cors_origins: CommaList = Field(default_factory=list)
    # Per replica (in-process buckets); 0 turns a limit off.
    rate_limit_login_per_minute: int = Field(default=10, ge=0, le=100_000)
    rate_limit_api_per_minute: int = Field(default=600, ge=0, le=1_000_000)
    max_request_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024, le=2**34)
    identity_ttl_seconds: int = Field(default=60, ge=5, le=3600)

    @field_validator("auth_allowed_emails", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return split_comma_list(value)

    @field_validator("oidc_client_id", "oidc_client_secret")
    @classmethod
    def _client(cls, value: object, info: ValidationInfo) -> object:
        issuer = info.data.get("oidc_issuer")
        if issuer is None and value:
            raise ValueError("needs OIDC_ISSUER to be set too")
        if issuer is not None and info.field_name == "oidc_client_id" and not value:
            raise ValueError("must be set when OIDC_ISSUER is")
        return value

    @field_validator("oidc_scopes")
    @classmethod
    def _scopes(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("must include openid")
        return value

    @field_validator("auth_allowed_emails")
    @classmethod
    def _emails(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for email in value:
            if "@" not in email or " " in email:
                raise ValueError(f"{email!r} is not an email address")
            if not email.isascii():
                # Unicode case folding maps look-alikes onto ASCII (U+212A KELVIN SIGN lower-cases to "k").
                raise ValueError(f"{email!r} has characters outside ASCII; write the address in ASCII")
        if info.data.get("oidc_issuer") is not None and not value:
            raise ValueError("must list at least one user when OIDC_ISSUER is set")
        return [email.lower() for email in value]

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        origins = []
        for item in value:
            parts = urlsplit(item)
            if item == "*" or parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{item!r} must be an origin like https://dashboards.example.com (no '*')")
            if parts.path not in ("", "/") or parts.query or parts.fragment:
                raise ValueError(f"{item!r} must be an origin, without a path")
            origins.append(origin_of(item))
        return origins

    @property
    def oidc_configured(self) -> bool:
        return self.oidc_issuer is not None and bool(self.oidc_client_id)

    @property
    def issuer(self) -> str:
        return str(self.oidc_issuer).rstrip("/") if self.oidc_issuer else ""

    @property
    def public_origin(self) -> str:
        return origin_of(str(self.public_base_url))

    @property
    def redirect_uri(self) -> str:
        return str(self.public_base_url).rstrip("/") + "/api/auth/microsoft/callback"

    @property
    def after_login_url(self) -> str:
        if self.frontend_url is not None:
            return str(self.frontend_url)
        if self.cors_origins:
            return self.cors_origins[0] + "/"
        return str(self.public_base_url).rstrip("/") + "/"

    @property
    def host_prefixed_cookies(self) -> bool:
        """Secure and host-only: the cookies carry the ``__Host-`` prefix, which a browser accepts only from
        this host over https with ``Path=/`` and no ``Domain`` — a sibling subdomain cannot plant them (no
        login CSRF through a planted login state or session)."""
        return self.session_cookie_secure and not self.session_cookie_domain

    def cookie_name(self, base: str) -> str:
        return f"__Host-{base}" if self.host_prefixed_cookies else base

    @property
    def session_cookie(self) -> str:
        """The session cookie's name as sent: ``__Host-<SESSION_COOKIE_NAME>`` when Secure and host-only."""
        return self.cookie_name(self.session_cookie_name)

    @property
    def trusted_origins(self) -> frozenset[str]:
        """Origins a state-changing request carrying a session cookie may come from."""
        return frozenset([*self.cors_origins, self.public_origin])

    def email_allowed(self, email: str | None) -> bool:
        """Case-insensitive allow-list check (the replaced system compared case-sensitively), ASCII only:
        a non-ASCII address never matches (``\u212a`` would lower-case to ``k``)."""
        if email is None or not email.isascii():
            return False
        return email.strip().lower() in self.auth_allowed_emails
