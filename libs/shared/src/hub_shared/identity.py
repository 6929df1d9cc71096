"""The caller's identity as the gateway vouches for it: the signed ``X-Hub-Identity`` header.

The gateway authenticates every request (session cookie, API token, or nobody) and forwards a short-lived,
HMAC-SHA256-signed statement of who the caller is to the owning service. Services never see the caller's
cookie or token; they verify this header with the shared ``HUB_INTERNAL_SIGNING_KEY`` and trust nothing
else, so a client that sends its own header (the gateway drops it) or a request that bypasses the gateway
is not believed.

Format: ``v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, "v1." + payload))>``. The payload is
``{"sub", "method", "email", "name", "scopes", "aud", "iat", "exp"}``; ``exp`` is about a minute after the
gateway saw the request, which bounds the replay window of a leaked header. ``aud`` is the service the
gateway forwarded the request to (its ``ServiceSpec.name``): a service believes only headers minted for
itself, so a header captured at one service cannot be replayed to another.

Services use :func:`current_identity` (``Identity | None``), :func:`require_identity` (401 unless an
authenticated caller) or :func:`require_scope` as FastAPI dependencies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from fastapi import Request

from hub_shared.errors import ApiError

IDENTITY_HEADER = "x-hub-identity"
DEFAULT_TTL_SECONDS = 60
# Headers are small; anything much larger is not ours and is refused before any work.
MAX_HEADER_LENGTH = 4096
_VERSION = "v1"

AuthMethod = Literal["session", "token", "anonymous"]
AUTH_METHODS: tuple[str, ...] = get_args(AuthMethod)
ANONYMOUS_USER = "anonymous"
# A scope that grants everything: what a signed-in (allow-listed) person holds.
ALL_SCOPES = "*"


def scope_allows(granted: Iterable[str], needed: str) -> bool:
    """Whether ``granted`` scopes cover ``needed`` (``<area>:read`` or ``<area>:write``).

    ``*`` grants everything; ``<area>:write`` implies ``<area>:read``; ``*:read`` / ``*:write`` grant that
    action in every area.
    """
    area, _, action = needed.partition(":")
    granted = set(granted)
    if ALL_SCOPES in granted or needed in granted or f"*:{action}" in granted:
        return True
    return action == "read" and (f"{area}:write" in granted or "*:write" in granted)


@dataclass(frozen=True)
class Identity:
    """Who made a request, as the gateway established it."""

    user: str  # the email for a session, ``token:<name>`` for an API token, ``anonymous`` otherwise
    method: AuthMethod
    expires_at: int  # Unix seconds; the header is worthless after this
    issued_at: int = 0
    email: str | None = None
    name: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def authenticated(self) -> bool:
        return self.method != "anonymous"

    def has_scope(self, scope: str) -> bool:
        return self.authenticated and scope_allows(self.scopes, scope)

    def to_payload(self) -> dict[str, Any]:
        return {
            "sub": self.user,
            "method": self.method,
            "email": self.email,
            "name": self.name,
            "scopes": list(self.scopes),
            "iat": self.issued_at,
            "exp": self.expires_at,
        }


def issue_identity(
    user: str,
    method: AuthMethod,
    *,
    email: str | None = None,
    name: str | None = None,
    scopes: Iterable[str] = (),
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> Identity:
    """An identity valid for ``ttl_seconds`` from ``now``."""
    issued = int(time.time() if now is None else now)
    return Identity(
        user=user,
        method=method,
        email=email,
        name=name,
        scopes=tuple(scopes),
        issued_at=issued,
        expires_at=issued + ttl_seconds,
    )


def anonymous_identity(*, ttl_seconds: int = DEFAULT_TTL_SECONDS, now: float | None = None) -> Identity:
    return issue_identity(ANONYMOUS_USER, "anonymous", ttl_seconds=ttl_seconds, now=now)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: str, signed_part: str) -> str:
    digest = hmac.new(key.encode("utf-8"), signed_part.encode("ascii"), hashlib.sha256).digest()
    return _b64encode(digest)


def sign_identity(identity: Identity, key: str, *, audience: str) -> str:
    """The header value that vouches for ``identity`` to the service ``audience`` (signed with the shared
    key)."""
    claims = {**identity.to_payload(), "aud": audience}
    payload = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8")
    signed_part = f"{_VERSION}.{_b64encode(payload)}"
    return f"{signed_part}.{_signature(key, signed_part)}"


def verify_identity(header: str | None, key: str, *, audience: str, now: float | None = None) -> Identity | None:
    """The identity in ``header`` if it is well-formed, signed with ``key``, minted for ``audience`` and not
    expired; else None."""
    # Header values arrive decoded as latin-1: anything outside ASCII is not ours (and would make the
    # comparison below raise instead of answer).
    if not header or len(header) > MAX_HEADER_LENGTH or not header.isascii():
        return None
    parts = header.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        return None
    signed_part = f"{parts[0]}.{parts[1]}"
    # Constant-time comparison of bytes: the signature must not be guessable byte by byte.
    if not hmac.compare_digest(_signature(key, signed_part).encode("ascii"), parts[2].encode("ascii")):
        return None
    try:
        payload = json.loads(_b64decode(parts[1]))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(payload, dict) or payload.get("aud") != audience:
        return None
    return _identity_from_payload(payload, time.time() if now is None else now)


def _identity_from_payload(payload: object, now: float) -> Identity | None:
    if not isinstance(payload, dict):
        return None
    user, method, expires, issued = (payload.get(k) for k in ("sub", "method", "exp", "iat"))
    email, name, scopes = payload.get("email"), payload.get("name"), payload.get("scopes", [])
    if not isinstance(user, str) or method not in AUTH_METHODS:
        return None
    if not isinstance(expires, int) or isinstance(expires, bool) or expires <= now:
        return None
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        return None
    if not all(value is None or isinstance(value, str) for value in (email, name)):
        return None
    return Identity(
        user=user,
        method=cast(AuthMethod, method),
        expires_at=expires,
        issued_at=issued if isinstance(issued, int) else 0,
        email=email,
        name=name,
        scopes=tuple(scopes),
    )


def _signing_key(request: Request) -> str:
    key: str = request.app.state.runtime.settings.hub_internal_signing_key
    return key


def _audience(request: Request) -> str:
    """This service's name: the audience a header must have been minted for."""
    name: str = request.app.state.runtime.spec.name
    return name


def current_identity(request: Request) -> Identity | None:
    """FastAPI dependency: the verified caller, or None when the header is missing, forged, stale or
    minted for another service."""
    cached = request.scope.get("hub_identity_verified")
    if cached is not None:
        return cast(Identity | None, cached[0])
    identity = verify_identity(request.headers.get(IDENTITY_HEADER), _signing_key(request), audience=_audience(request))
    request.scope["hub_identity_verified"] = (identity,)
    return identity


def require_identity(request: Request) -> Identity:
    """FastAPI dependency: an authenticated caller (session or token) vouched for by the gateway."""
    identity = current_identity(request)
    if identity is None or not identity.authenticated:
        raise ApiError(401, "Authentication required", code="UNAUTHORIZED")
    return identity


def require_scope(scope: str) -> Callable[[Request], Identity]:
    """FastAPI dependency factory: an authenticated caller holding ``scope`` (403 otherwise)."""

    def dependency(request: Request) -> Identity:
        identity = require_identity(request)
        if not identity.has_scope(scope):
            raise ApiError(403, f"The caller lacks the scope {scope}", code="FORBIDDEN")
        return identity

    return dependency
