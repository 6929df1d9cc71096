"""Sign-in: sessions, pending OIDC logins and API tokens.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "gateway_0002"
down_revision = "gateway_0001"
branch_labels = None
depends_on = None

SCHEMA = "gateway"


def upgrade() -> None:
    op.create_table(
        "auth_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("subject", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id_hash", name="pk_auth_sessions"),
        schema=SCHEMA,
    )
    op.create_index("ix_auth_sessions_expires_at", "auth_sessions", ["expires_at"], schema=SCHEMA)
    op.create_table(
        "auth_login_states",
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name="pk_auth_login_states"),
        schema=SCHEMA,
    )
    op.create_index("ix_auth_login_states_expires_at", "auth_login_states", ["expires_at"], schema=SCHEMA)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("name", name="uq_api_tokens_name"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.CheckConstraint("name <> ''", name="ck_api_tokens_name_not_blank"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("api_tokens", schema=SCHEMA)
    op.drop_index("ix_auth_login_states_expires_at", "auth_login_states", schema=SCHEMA)
    op.drop_table("auth_login_states", schema=SCHEMA)
    op.drop_index("ix_auth_sessions_expires_at", "auth_sessions", schema=SCHEMA)
    op.drop_table("auth_sessions", schema=SCHEMA)
