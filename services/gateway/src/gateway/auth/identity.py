"""Who is calling, and may they: the two middlewares around the gateway's routes and proxy.

``AuthenticationMiddleware`` turns the request's credentials into an :class:`~hub_shared.identity.Identity`
(an ``Authorization: Bearer`` API token wins over a session cookie; neither is anonymous) and keeps it in
the request state; the proxy signs it for the one service it forwards the request to (``aud``).
``AuthorizationMiddleware`` applies the access policy (``policy.py``): 401 with the spec's body when
credentials are needed and missing, 403 when a session's user was taken off the allow-list or a token lacks the scope.

Between the two sits the rate limiter (``edge/security.py``), so limits key on the caller, not only the IP.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth.policy import decide
from gateway.auth.service import AuthService
from hub_shared.db import Database
from hub_shared.identity import Identity, anonymous_identity
from hub_shared.logging import get_logger

log = get_logger(__name__)

UNAUTHENTICATED_BODY = {
    "error": "Authentication required",
    "message": "Please log in to access this resource",
}
REVOKED_BODY = {"error": "Access denied", "message": "Your authorization has been revoked"}
INVALID_TOKEN_MESSAGE = "The API token is invalid, expired or revoked"

# Request-state keys (``request.state.<key>``).
IDENTITY = "identity"
AUTH_SESSION = "auth_session"
AUTH_TOKEN = "auth_token"
AUTH_PROBLEM = "auth_problem"
PROBE_PATHS = frozenset({"/health", "/ready", "/metrics"})


def bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def request_identity(request: Request | HTTPConnection) -> Identity:
    """The caller as the edge established it (anonymous when the edge did not run, as in unit tests)."""
    identity = getattr(request.state, IDENTITY, None)
    return identity if isinstance(identity, Identity) else anonymous_identity()


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def auth_json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp, auth: AuthService, database: Database) -> None:
        self.app = app
        self.auth = auth
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        state = _state(scope)
        auth = self.auth
        identity = anonymous_identity(now=auth.now().timestamp())
        problem: str | None = None
        token = bearer_token(connection.headers)
        session_id = connection.cookies.get(auth.settings.session_cookie)
        try:
            if token is not None:
                async with self.database.transaction() as db:
                    row = await auth.lookup_token(db, token)
                if row is None:
                    problem = "invalid_token"
                else:
                    identity = auth.token_identity(row)
                    state[AUTH_TOKEN] = row
            elif session_id:
                async with self.database.transaction() as db:
                    found = await auth.lookup_session(db, session_id)
                if found.session is not None:
                    identity = auth.session_identity(found.session)
                    state[AUTH_SESSION] = found.session
                else:
                    problem = "revoked" if found.revoked else "stale_session"
                    if found.revoked:
                        log.info("session revoked: user no longer allowed")
        except (SQLAlchemyError, OSError):
            # The credential store is unreachable: public routes carry on anonymously, protected ones
            # answer 503 (never a guess in either direction).
            log.exception("credential lookup failed")
            problem = "store_unavailable"
        state[IDENTITY] = identity
        state[AUTH_PROBLEM] = problem
        if problem in ("revoked", "stale_session"):
            send = self._clearing_cookie(send)
        await self.app(scope, receive, send)

    def _clearing_cookie(self, send: Send) -> Send:
        """Tell the browser to drop a cookie that no longer opens a session (unless one is being set)."""
        name = self.auth.settings.session_cookie

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                sets_cookie = any(
                    key.lower() == b"set-cookie" and value.startswith(f"{name}=".encode()) for key, value in headers
                )
                if not sets_cookie:
                    headers.append((b"set-cookie", expired_cookie_header(self.auth).encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        return wrapped


def expired_cookie_header(auth: AuthService) -> str:
    settings = auth.settings
    parts = [f"{settings.session_cookie}=", "Max-Age=0", "Path=/", "HttpOnly", "SameSite=Lax"]
    if settings.session_cookie_secure:
        parts.append("Secure")
    if settings.session_cookie_domain:
        parts.append(f"Domain={settings.session_cookie_domain}")
    return "; ".join(parts)


class AuthorizationMiddleware:
    def __init__(self, app: ASGIApp, auth: AuthService) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.auth.settings
        decision = decide(
            scope["method"],
            scope["path"],
            require_all=settings.auth_require_all,
            require_for_writes=settings.auth_require_for_writes,
        )
        state = _state(scope)
        identity = state.get(IDENTITY)
        problem = state.get(AUTH_PROBLEM)
        response: JSONResponse | None = None
        challenge = {"WWW-Authenticate": 'Bearer realm="inventory-hub"'}
        if problem == "store_unavailable" and decision.requires_auth:
            body = {"error": "Authentication unavailable", "message": "Sign-in cannot be checked right now"}
            response = auth_json(503, body, {"Retry-After": "5"})
        elif problem == "invalid_token" and decision.rule.area != "auth":
            # A script presenting a bad token should hear so, even on a public route.
            body = {"error": "Authentication required", "message": INVALID_TOKEN_MESSAGE}
            response = auth_json(401, body, {**challenge, "WWW-Authenticate": 'Bearer error="invalid_token"'})
        elif decision.requires_auth and not (isinstance(identity, Identity) and identity.authenticated):
            if problem == "revoked":
                response = auth_json(403, REVOKED_BODY)
            else:
                response = auth_json(401, UNAUTHENTICATED_BODY, challenge)
        elif decision.requires_auth and isinstance(identity, Identity) and not identity.has_scope(decision.scope):
            body = {"error": "Access denied", "message": f"This API token lacks the scope {decision.scope}"}
            response = auth_json(403, {**body, "required_scope": decision.scope})
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
