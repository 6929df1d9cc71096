"""Sign-in logic: pending logins, sessions, API tokens, and who a request's credentials belong to.

No SQL (that is ``repository.py``) and no HTTP handling (``routes.py``, ``identity.py``): methods take the
caller's database session and only flush; the caller owns the transaction. The clock is a seam
(``AuthService.clock``) so tests can move time instead of waiting eight hours.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from authlib.common.security import generate_token
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import repository
from gateway.auth.oidc import OidcClient, identify, name_from_claims
from gateway.auth.policy import valid_scope
from gateway.auth.repository import LoginState, SessionRow, TokenRow
from gateway.auth.settings import AuthSettings
from hub_shared.identity import ALL_SCOPES, Identity, issue_identity

TOKEN_PREFIX = "hub_"
DEFAULT_TOKEN_DAYS = 90
# An API token lives at most this long: a forgotten script's token must not open the hub forever.
MAX_TOKEN_DAYS = 365


def utcnow() -> datetime:
    return datetime.now(UTC)


def hash_secret(value: str) -> str:
    """What is stored in place of a session id or an API token (SHA-256, hex)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class NotAllowed(Exception):
    """The provider vouched for someone who is not on AUTH_ALLOWED_EMAILS."""

    def __init__(self, email: str | None) -> None:
        super().__init__(email or "(no email)")
        self.email = email


@dataclass(frozen=True)
class PendingLogin:
    state: str
    nonce: str
    code_verifier: str
    authorization_url: str


@dataclass(frozen=True)
class SignedInUser:
    email: str
    name: str
    subject: str | None


@dataclass(frozen=True)
class SessionLookup:
    """A session cookie's meaning: a live session, one whose user lost access, or nothing."""

    session: SessionRow | None = None
    revoked: bool = False


class AuthService:
    """One per gateway process (``runtime.state["auth"]``)."""

    def __init__(
        self,
        settings: AuthSettings,
        oidc: OidcClient | None,
        clock: Callable[[], datetime] = utcnow,
        signing_key: str = "",
    ) -> None:
        self.settings = settings
        self.oidc = oidc
        self.clock = clock
        self.signing_key = signing_key

    def now(self) -> datetime:
        return self.clock()

    # --- sign-in ---

    async def prepare_login(self) -> PendingLogin:
        """A fresh state, nonce and PKCE verifier, and the provider URL that carries them."""
        assert self.oidc is not None
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        url = await self.oidc.authorization_url(state=state, nonce=nonce, code_verifier=verifier)
        return PendingLogin(state=state, nonce=nonce, code_verifier=verifier, authorization_url=url)

    async def save_login(self, db: AsyncSession, pending: PendingLogin) -> None:
        now = self.now()
        await repository.insert_login_state(
            db,
            state_hash=hash_secret(pending.state),
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            now=now,
            expires_at=now + timedelta(minutes=self.settings.login_state_minutes),
        )

    async def take_login(self, db: AsyncSession, state: str) -> LoginState | None:
        return await repository.take_login_state(db, hash_secret(state), self.now())

    async def sign_in(self, login: LoginState, code: str) -> SignedInUser:
        """Exchange the code, verify the ID token, and check the allow-list (raises OidcError/NotAllowed)."""
        assert self.oidc is not None
        token = await self.oidc.exchange_code(code=code, code_verifier=login.code_verifier)
        claims = await self.oidc.verify_id_token(token.get("id_token"), nonce=login.nonce)
        person = identify(claims, await self.oidc.metadata())
        if not self.settings.email_allowed(person.email):
            raise NotAllowed(person.email)
        return SignedInUser(
            email=person.email, name=name_from_claims(claims, person.email), subject=person.subject or None
        )

    # --- sessions ---

    async def open_session(self, db: AsyncSession, user: SignedInUser) -> tuple[str, datetime]:
        """A new session; returns the id for the cookie (only its hash is stored) and its expiry."""
        session_id = secrets.token_urlsafe(32)
        now = self.now()
        expires_at = now + timedelta(hours=self.settings.session_lifetime_hours)
        await repository.insert_session(
            db,
            id_hash=hash_secret(session_id),
            email=user.email,
            name=user.name,
            subject=user.subject,
            now=now,
            expires_at=expires_at,
        )
        return session_id, expires_at

    async def lookup_session(self, db: AsyncSession, session_id: str) -> SessionLookup:
        id_hash = hash_secret(session_id)
        row = await repository.live_session(db, id_hash, self.now(), self.idle)
        if row is None:
            return SessionLookup()
        if not self.settings.email_allowed(row.email):
            # Taken off the allow-list since signing in: the session ends now, not at its expiry.
            await repository.revoke_session(db, id_hash, self.now())
            return SessionLookup(revoked=True)
        return SessionLookup(session=row)

    async def end_session(self, db: AsyncSession, session_id: str) -> bool:
        return await repository.revoke_session(db, hash_secret(session_id), self.now())

    def session_identity(self, row: SessionRow) -> Identity:
        return issue_identity(
            row.email,
            "session",
            email=row.email,
            name=row.name,
            scopes=(ALL_SCOPES,),
            ttl_seconds=self.settings.identity_ttl_seconds,
            now=self.now().timestamp(),
        )

    # --- API tokens ---

    async def lookup_token(self, db: AsyncSession, token: str) -> TokenRow | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        row = await repository.usable_token(db, hash_secret(token), self.now())
        if row is not None:
            await repository.record_token_use(db, row.id, self.now())
        return row

    def token_identity(self, row: TokenRow) -> Identity:
        return issue_identity(
            f"token:{row.name}",
            "token",
            name=row.name,
            scopes=row.scopes,
            ttl_seconds=self.settings.identity_ttl_seconds,
            now=self.now().timestamp(),
        )

    async def create_token(
        self, db: AsyncSession, *, name: str, scopes: list[str], expires_at: datetime
    ) -> tuple[str, TokenRow]:
        """A new API token: the secret (shown once, never stored) and its row. Raises ValueError."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ValueError("the name must be 1 to 100 characters")
        if not scopes:
            raise ValueError("at least one scope is needed")
        if expires_at <= self.now():
            raise ValueError("the expiry must be in the future")
        if expires_at > self.now() + timedelta(days=MAX_TOKEN_DAYS):
            raise ValueError(f"the expiry may be at most {MAX_TOKEN_DAYS} days away; create a new token then")
        if await repository.token_name_taken(db, name):
            raise ValueError(f"a token named {name!r} already exists")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = await repository.insert_token(
            db,
            name=name,
            token_hash=hash_secret(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            scopes=scopes,
            now=self.now(),
            expires_at=expires_at,
        )
        return secret, row

    async def purge(self, db: AsyncSession) -> tuple[int, int]:
        return await repository.purge_expired(db, self.now(), self.idle)

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.settings.session_idle_minutes)


def parse_scopes(text: str) -> list[str]:
    """``qbr:read,tenantsweep:write`` → a checked, de-duplicated list (raises ValueError)."""
    scopes = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [scope for scope in scopes if not valid_scope(scope)]
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}")
    if not scopes:
        raise ValueError("at least one scope is needed")
    return scopes


def parse_expiry(text: str | None, now: datetime) -> datetime:
    """``2027-01-01`` (the start of that day, UTC), an RFC 3339 time, or a duration from now (``12h``,
    ``30d``, ``2w``); default: 90 days from now."""
    if text is None:
        return now + timedelta(days=DEFAULT_TOKEN_DAYS)
    duration = _DURATION.fullmatch(text.strip().lower())
    if duration is not None:
        amount, unit = int(duration[1]), duration[2]
        if amount == 0:
            raise ValueError(f"{text!r} is a zero duration: the token would be expired at once")
        return now + timedelta(hours=amount * _DURATION_HOURS[unit])
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD), an RFC 3339 time or a duration (12h, 30d, 2w)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_DURATION = re.compile(r"([0-9]{1,5})\s*([hdw])")
_DURATION_HOURS = {"h": 1, "d": 24, "w": 24 * 7}
