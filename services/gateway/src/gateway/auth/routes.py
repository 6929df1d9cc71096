"""Sign-in routes: ``/api/auth/microsoft/login``, ``/callback``, ``/api/auth/status``, ``/api/auth/logout``.

The handlers own their transactions (``runtime.database.transaction()``); the network steps (discovery,
the code exchange) run outside any transaction. Errors use the auth family's bodies
(``response-shapes.md`` §10): 400 for a failed or forged sign-in, 403 for someone not on the allow-list
(who gets no session), 502 when the provider cannot be reached, 503 when sign-in is not configured.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from gateway.auth.identity import AUTH_SESSION, AUTH_TOKEN, request_identity
from gateway.auth.oidc import OidcError
from gateway.auth.return_to import landing_url, safe_return_path
from gateway.auth.schemas import AuthError, AuthStatus, AuthUser, LoggedOut, NotAuthenticated
from gateway.auth.service import AuthService, NotAllowed, SessionRow, TokenRow
from hub_shared.db import Database
from hub_shared.logging import get_logger
from hub_shared.timefmt import rfc3339

log = get_logger(__name__)

router = APIRouter(prefix="/api/auth", tags=["auth"])

# The state travels in the URL and in this cookie: the callback must come back to the browser that
# started the sign-in (a state alone would let an attacker complete their own login in a victim's browser).
# With Secure, host-only cookies the names carry ``__Host-`` (which requires Path=/): see
# ``AuthSettings.host_prefixed_cookies``.
LOGIN_COOKIE = "hub_login_state"
LOGIN_COOKIE_PATH = "/api/auth/microsoft"
# The page to come back to (``?return_to=``), kept beside the state until the callback (checked again there).
RETURN_COOKIE = "hub_login_return"
NOT_CONFIGURED = {"error": "Sign-in not configured", "message": "OIDC_ISSUER and OIDC_CLIENT_ID are not set"}


class Redirected(BaseModel):
    """The body of a sign-in redirect: where the ``Location`` header points (no answer goes out untyped)."""

    location: str


class Redirect(JSONResponse):
    """A 302 to ``url`` whose body names the target too, so it carries a content type like every answer."""

    def __init__(self, url: str, status_code: int = 302) -> None:
        super().__init__(Redirected(location=url).model_dump(), status_code=status_code, headers={"location": url})


def _redirect_doc(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"Location": {"description": "Where to go next", "schema": {"type": "string"}}},
    }


# What return_to.safe_return_path accepts, as a pattern for the document (no lookaheads, so generators can
# use it): one "/", then anything but a second "/", an /api path, or an encoded slash or backslash; no
# backslash, space or control character anywhere.
_NOT = r"\\\x00-\x20\x7f"
_REST = rf"[^{_NOT}]*"
RETURN_PATH = (
    rf"^/(|[^/a%{_NOT}]{_REST}|a|a[^p{_NOT}]{_REST}|ap|ap[^i{_NOT}]{_REST}|api[^/?#{_NOT}]{_REST}"
    rf"|%|%[^25{_NOT}]{_REST}|%2|%2[^fF{_NOT}]{_REST}|%5|%5[^cC{_NOT}]{_REST})$"
)


def _auth(request: Request) -> AuthService:
    auth: AuthService = request.app.state.runtime.state["auth"]
    return auth


def _database(request: Request) -> Database:
    database: Database = request.app.state.runtime.database
    return database


def _error(status: int, error: str, *, message: str | None = None, details: str | None = None) -> JSONResponse:
    body = AuthError(error=error, message=message, details=details).model_dump(exclude_none=True)
    response = JSONResponse(body, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_cookie(auth: AuthService, base: str) -> tuple[str, str]:
    """A sign-in cookie's name and path: ``__Host-`` names need ``Path=/``."""
    settings = auth.settings
    return settings.cookie_name(base), "/" if settings.host_prefixed_cookies else LOGIN_COOKIE_PATH


def _forget_login(response: Response, auth: AuthService) -> Response:
    for base in (LOGIN_COOKIE, RETURN_COOKIE):
        name, path = _login_cookie(auth, base)
        response.delete_cookie(
            name,
            path=path,
            secure=auth.settings.session_cookie_secure,
            httponly=True,
            samesite="lax",
        )
    return response


def _clear_session_cookie(response: Response, auth: AuthService) -> None:
    settings = auth.settings
    response.delete_cookie(
        settings.session_cookie,
        path="/",
        domain=settings.session_cookie_domain,
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite="lax",
    )


@router.get(
    "/microsoft/login",
    summary="Start Microsoft 365 sign-in (302 to the identity provider)",
    status_code=302,
    response_model=Redirected,
    responses={
        302: _redirect_doc("Redirect to the provider"),
        400: {"model": AuthError, "description": "return_to is not a path of this site"},
        502: {"model": AuthError, "description": "The provider cannot be reached"},
        503: {"model": AuthError, "description": "Sign-in is not configured"},
    },
)
async def login(
    request: Request,
    return_to: Annotated[
        str | None,
        # The pattern is documented, not enforced by the model: safe_return_path below checks the same rule and
        # answers with the route's own message ("Invalid return_to" and how to fix it).
        Query(
            max_length=2048,
            description="A page of the dashboard, e.g. /variance",
            json_schema_extra={"pattern": RETURN_PATH},
        ),
    ] = None,
) -> Response:
    """``return_to``: a path of the dashboard (e.g. ``/variance?type=MISSING_NINJA``) to land on after
    sign-in instead of ``FRONTEND_URL``; an absolute URL or another site's address is refused."""
    auth = _auth(request)
    if auth.oidc is None:
        return _error(503, NOT_CONFIGURED["error"], message=NOT_CONFIGURED["message"])
    return_path = safe_return_path(return_to) if return_to is not None else None
    if return_to is not None and return_path is None:
        return _error(400, "Invalid return_to", details="return_to must be a path of this site, like /variance")
    try:
        pending = await auth.prepare_login()
    except OidcError as exc:
        return _error(exc.status, exc.error, details=exc.details)
    async with _database(request).transaction() as db:
        await auth.save_login(db, pending)
    response = Redirect(pending.authorization_url, status_code=302)
    response.headers["Cache-Control"] = "no-store"
    login_cookie, login_path = _login_cookie(auth, LOGIN_COOKIE)
    response.set_cookie(
        login_cookie,
        pending.state,
        max_age=int(auth.settings.login_state_minutes * 60),
        path=login_path,
        secure=auth.settings.session_cookie_secure,
        httponly=True,
        samesite="lax",
    )
    if return_path is not None:
        return_cookie, return_cookie_path = _login_cookie(auth, RETURN_COOKIE)
        response.set_cookie(
            return_cookie,
            quote(return_path, safe=""),  # a plain token: no cookie quoting rules to trip on
            max_age=int(auth.settings.login_state_minutes * 60),
            path=return_cookie_path,
            secure=auth.settings.session_cookie_secure,
            httponly=True,
            samesite="lax",
        )
    return response


@router.get(
    "/microsoft/callback",
    summary="Where the provider returns after sign-in (not for direct use)",
    status_code=302,
    response_model=Redirected,
    responses={
        302: _redirect_doc("Signed in: to the dashboard, with the session cookie"),
        400: {"model": AuthError, "description": "A failed, expired or forged sign-in"},
        403: {"model": AuthError, "description": "Not on the allow-list"},
        502: {"model": AuthError, "description": "The provider cannot be reached"},
        503: {"model": AuthError, "description": "Sign-in is not configured"},
    },
)
async def callback(
    request: Request,
    state: Annotated[str | None, Query(max_length=512)] = None,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=512)] = None,
    error_description: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response:
    auth = _auth(request)
    if auth.oidc is None:
        return _error(503, NOT_CONFIGURED["error"], message=NOT_CONFIGURED["message"])
    response = await _finish_sign_in(request, auth, state, code, error, error_description)
    return _forget_login(response, auth)


async def _finish_sign_in(
    request: Request,
    auth: AuthService,
    state: str | None,
    code: str | None,
    error: str | None,
    error_description: str | None,
) -> Response:
    if error:
        return _error(400, "Authentication failed", details=error_description or error)
    expected = request.cookies.get(_login_cookie(auth, LOGIN_COOKIE)[0])
    if not state or not expected or not hmac.compare_digest(state.encode(), expected.encode()):
        log.warning("sign-in refused: state does not match this browser's")
        return _error(400, "Invalid login state", details="The sign-in did not start in this browser; start again")
    async with _database(request).transaction() as db:
        login_state = await auth.take_login(db, state)
    if login_state is None:
        return _error(400, "Invalid login state", details="The sign-in expired or was already used; start again")
    if not code:
        return _error(400, "Authentication failed", details="No authorization code received")
    try:
        user = await auth.sign_in(login_state, code)
    except NotAllowed as exc:
        log.warning("sign-in refused: not on the allow-list", email=exc.email)
        return _error(
            403,
            "Access denied",
            message=f"Your account ({exc.email}) is not authorized to access this dashboard. "
            "Please contact your administrator.",
        )
    except OidcError as exc:
        log.warning("sign-in failed", error=exc.error, details=exc.details)
        return _error(exc.status, exc.error, details=exc.details)
    previous = request.cookies.get(auth.settings.session_cookie)
    async with _database(request).transaction() as db:
        if previous:
            await auth.end_session(db, previous)  # no session fixation: a sign-in always starts afresh
        session_id, expires_at = await auth.open_session(db, user)
    log.info("signed in", email=user.email)
    # Checked again: a cookie is input too.
    return_path = safe_return_path(unquote(request.cookies.get(_login_cookie(auth, RETURN_COOKIE)[0], "")))
    response = Redirect(landing_url(auth.settings.after_login_url, return_path), status_code=302)
    response.headers["Cache-Control"] = "no-store"
    settings = auth.settings
    response.set_cookie(
        settings.session_cookie,
        session_id,
        max_age=max(0, round((expires_at - auth.now()).total_seconds())),
        path="/",
        domain=settings.session_cookie_domain,
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


def _status_body(request: Request) -> dict[str, Any] | None:
    identity = request_identity(request)
    if identity.method == "session":
        session: SessionRow = getattr(request.state, AUTH_SESSION)
        return AuthStatus(
            user_email=session.email,
            user_name=session.name,
            login_time=rfc3339(session.created_at),
            user=AuthUser(email=session.email, name=session.name),
            auth_method="session",
            expires_at=rfc3339(session.expires_at),
            scopes=list(identity.scopes),
        ).model_dump()
    if identity.method == "token":
        token: TokenRow = getattr(request.state, AUTH_TOKEN)
        return AuthStatus(
            user_email=None,
            user_name=token.name,
            login_time=None,
            user=AuthUser(email=None, name=token.name),
            auth_method="token",
            expires_at=rfc3339(token.expires_at),
            scopes=list(token.scopes),
        ).model_dump()
    return None


@router.get(
    "/status",
    summary="Whether the caller is signed in (200) or not (401)",
    response_model=AuthStatus,
    responses={401: {"model": NotAuthenticated, "description": "Not signed in"}},
)
async def status(request: Request) -> JSONResponse:
    body = _status_body(request)
    if body is None:
        return JSONResponse(NotAuthenticated().model_dump(), status_code=401, headers={"Cache-Control": "no-store"})
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


_LOGOUT_DOC: dict[str, Any] = {
    "summary": "End the session (302 to the provider's sign-out, then the dashboard)",
    "status_code": 302,
    "response_model": Redirected,
    "responses": {
        200: {"model": LoggedOut, "description": "When the caller asks for JSON (Accept: application/json)"},
        302: _redirect_doc("To the provider's sign-out, then the dashboard"),
    },
}


# One handler, two methods; separate registrations give each its own OpenAPI operation id.
@router.get("/logout", operation_id="logout_get", **_LOGOUT_DOC)
@router.post("/logout", operation_id="logout_post", **_LOGOUT_DOC)
async def logout(request: Request) -> Response:
    auth = _auth(request)
    session_id = request.cookies.get(auth.settings.session_cookie)
    if session_id:
        async with _database(request).transaction() as db:
            ended = await auth.end_session(db, session_id)
        if ended:
            log.info("signed out", email=request_identity(request).email)
    target = auth.settings.after_login_url
    if auth.oidc is not None:
        target = await auth.oidc.logout_url(target) or target
    response: Response
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        # A fetch() from the dashboard cannot follow a redirect to the provider; it gets the URL instead.
        response = JSONResponse(LoggedOut(logout_url=target).model_dump())
    else:
        response = Redirect(target, status_code=302)
    response.headers["Cache-Control"] = "no-store"
    _clear_session_cookie(response, auth)
    return response
