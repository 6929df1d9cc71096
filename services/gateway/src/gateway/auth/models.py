"""Tables of sign-in: sessions, pending logins and API tokens (in the ``gateway`` schema).

Secrets are never stored: a session id and an API token are kept only as their SHA-256 (hex), so a copy
of the database cannot be replayed as a login. Pending logins hold the OIDC nonce and PKCE verifier for
the few minutes between ``/login`` and ``/callback``, keyed by the hash of the ``state`` they were sent
with.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Index,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from gateway.models import metadata

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text),
    Column("subject", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    # When the session last opened a request (to the minute): idle for SESSION_IDLE_MINUTES, it ends.
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_auth_sessions_expires_at", "expires_at"),
)

auth_login_states = Table(
    "auth_login_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_auth_login_states_expires_at", "expires_at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    # The first characters of the token, so a person can tell which token a script holds.
    Column("prefix", String(16), nullable=False),
    Column("scopes", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    CheckConstraint("name <> ''", name="name_not_blank"),
)
