"""All SQL of sign-in: sessions, pending logins and API tokens. Callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import api_tokens, auth_login_states, auth_sessions

# Recording every use of a token would turn each API call into a write; a minute's precision is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionRow:
    email: str
    name: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class LoginState:
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


# --- sessions ---


async def insert_session(
    session: AsyncSession,
    *,
    id_hash: str,
    email: str,
    name: str | None,
    subject: str | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    await session.execute(
        insert(auth_sessions).values(
            id_hash=id_hash,
            email=email,
            name=name,
            subject=subject,
            created_at=now,
            expires_at=expires_at,
            last_seen_at=now,
        )
    )


async def live_session(session: AsyncSession, id_hash: str, now: datetime, idle: timedelta) -> SessionRow | None:
    """The session, unless revoked, past its lifetime or unused for longer than ``idle``; its use is
    recorded (to the minute, so not every request writes)."""
    row = (
        await session.execute(
            select(
                auth_sessions.c.email,
                auth_sessions.c.name,
                auth_sessions.c.created_at,
                auth_sessions.c.expires_at,
                auth_sessions.c.last_seen_at,
            ).where(
                auth_sessions.c.id_hash == id_hash,
                auth_sessions.c.revoked_at.is_(None),
                auth_sessions.c.expires_at > now,
                auth_sessions.c.last_seen_at > now - idle,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    if row.last_seen_at < now - LAST_USED_PRECISION:
        await session.execute(update(auth_sessions).where(auth_sessions.c.id_hash == id_hash).values(last_seen_at=now))
    return SessionRow(email=row.email, name=row.name, created_at=row.created_at, expires_at=row.expires_at)


async def revoke_session(session: AsyncSession, id_hash: str, now: datetime) -> bool:
    result = await session.execute(
        update(auth_sessions)
        .where(auth_sessions.c.id_hash == id_hash, auth_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


# --- pending logins ---


async def insert_login_state(
    session: AsyncSession,
    *,
    state_hash: str,
    nonce: str,
    code_verifier: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await session.execute(
        insert(auth_login_states).values(
            state_hash=state_hash,
            nonce=nonce,
            code_verifier=code_verifier,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def take_login_state(session: AsyncSession, state_hash: str, now: datetime) -> LoginState | None:
    """The pending login for ``state``, consumed: a state is good for one callback only."""
    row = (
        await session.execute(
            delete(auth_login_states)
            .where(auth_login_states.c.state_hash == state_hash)
            .returning(auth_login_states.c.nonce, auth_login_states.c.code_verifier, auth_login_states.c.expires_at)
        )
    ).one_or_none()
    if row is None or row.expires_at <= now:
        return None
    return LoginState(nonce=row.nonce, code_verifier=row.code_verifier)


async def purge_expired(session: AsyncSession, now: datetime, idle: timedelta) -> tuple[int, int]:
    """Delete sessions that expired, idled out or were revoked, and logins never completed. Returns the
    counts."""
    sessions = await session.execute(
        delete(auth_sessions).where(
            or_(
                auth_sessions.c.expires_at <= now,
                auth_sessions.c.last_seen_at <= now - idle,
                auth_sessions.c.revoked_at.is_not(None),
            )
        )
    )
    logins = await session.execute(delete(auth_login_states).where(auth_login_states.c.expires_at <= now))
    return int(getattr(sessions, "rowcount", 0)), int(getattr(logins, "rowcount", 0))


# --- API tokens ---

_TOKEN_COLUMNS = (
    api_tokens.c.id,
    api_tokens.c.name,
    api_tokens.c.prefix,
    api_tokens.c.scopes,
    api_tokens.c.created_at,
    api_tokens.c.expires_at,
    api_tokens.c.revoked_at,
    api_tokens.c.last_used_at,
)


def _token(row: Any) -> TokenRow:
    values = row._mapping
    return TokenRow(
        id=values["id"],
        name=values["name"],
        prefix=values["prefix"],
        scopes=tuple(values["scopes"]),
        created_at=values["created_at"],
        expires_at=values["expires_at"],
        revoked_at=values["revoked_at"],
        last_used_at=values["last_used_at"],
    )


async def insert_token(
    session: AsyncSession,
    *,
    name: str,
    token_hash: str,
    prefix: str,
    scopes: list[str],
    now: datetime,
    expires_at: datetime,
) -> TokenRow:
    row = (
        await session.execute(
            insert(api_tokens)
            .values(
                name=name,
                token_hash=token_hash,
                prefix=prefix,
                scopes=scopes,
                created_at=now,
                expires_at=expires_at,
            )
            .returning(*_TOKEN_COLUMNS)
        )
    ).one()
    return _token(row)


async def token_name_taken(session: AsyncSession, name: str) -> bool:
    found = await session.scalar(select(func.count()).select_from(api_tokens).where(api_tokens.c.name == name))
    return bool(found)


async def usable_token(session: AsyncSession, token_hash: str, now: datetime) -> TokenRow | None:
    row = (
        await session.execute(
            select(*_TOKEN_COLUMNS).where(
                api_tokens.c.token_hash == token_hash,
                api_tokens.c.revoked_at.is_(None),
                api_tokens.c.expires_at > now,
            )
        )
    ).one_or_none()
    return _token(row) if row else None


async def record_token_use(session: AsyncSession, token_id: int, now: datetime) -> None:
    await session.execute(
        update(api_tokens)
        .where(
            api_tokens.c.id == token_id,
            or_(api_tokens.c.last_used_at.is_(None), api_tokens.c.last_used_at < now - LAST_USED_PRECISION),
        )
        .values(last_used_at=now)
    )


async def list_tokens(session: AsyncSession) -> list[TokenRow]:
    rows = await session.execute(select(*_TOKEN_COLUMNS).order_by(api_tokens.c.id))
    return [_token(row) for row in rows]


async def revoke_token(session: AsyncSession, id_or_name: str, now: datetime) -> TokenRow | None:
    """Revoke by numeric id, else by name; None when no such token. Revoking twice keeps the first time."""
    matches = [api_tokens.c.name == id_or_name]
    if id_or_name.isdigit():
        matches.insert(0, api_tokens.c.id == int(id_or_name))
    for match in matches:
        row = (
            await session.execute(
                update(api_tokens)
                .where(match)
                .values(revoked_at=func.coalesce(api_tokens.c.revoked_at, now))
                .returning(*_TOKEN_COLUMNS)
            )
        ).one_or_none()
        if row is not None:
            return _token(row)
    return None
