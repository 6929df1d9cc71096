"""Alembic for every service: one tree per service, version table inside the service's schema.

Each service's ``migrations/env.py`` calls :func:`run_env`; ``python -m <service> migrate`` calls
:func:`upgrade`. Revision files are date-prefixed (``YYYY_MM_DD_<rev>_<slug>.py``). Concurrent
migrators of one schema (replicas starting together) serialise on an advisory lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from hub_shared.runtime import ServiceSpec

FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"


def alembic_config(spec: ServiceSpec, database_url: str) -> Config:
    config = Config()
    script_location = resources.files(spec.package) / "migrations"
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(spec: ServiceSpec, database_url: str, revision: str = "heads") -> None:
    """Apply the service's migrations (synchronously; call from a thread inside an event loop)."""
    command.upgrade(alembic_config(spec, database_url), revision)


def run_env(metadata: MetaData, schema: str) -> None:
    """Body of each service's ``migrations/env.py``."""
    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    assert url, "no database URL for migrations"

    def include_name(name: str | None, type_: str, _parent: object) -> bool:
        return type_ != "schema" or name == schema

    def migrate(connection: Connection) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:schema))"), {"schema": schema})
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=include_name,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(migrate)
        finally:
            await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, version_table_schema=schema, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(run_async())


def create_messaging_tables(schema: str) -> None:
    """Migration operation: the outbox and inbox tables every service has (see messaging.py)."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.dialects.postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("payload", sa.dialects.postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        schema=schema,
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        schema=schema,
        postgresql_where=text("published_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("event_id", sa.dialects.postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
        schema=schema,
    )
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"], schema=schema)


def drop_messaging_tables(schema: str) -> None:
    op.drop_table("inbox", schema=schema)
    op.drop_table("outbox", schema=schema)


def rename_constraints(schema: str, renames: Sequence[tuple[str, str, str]], *, reverse: bool = False) -> None:
    """``(table, old name, new name)`` for each constraint; ``reverse`` for a downgrade."""
    for table, old, new in reversed(renames) if reverse else renames:
        before, after = (new, old) if reverse else (old, new)
        op.execute(f'ALTER TABLE "{schema}"."{table}" RENAME CONSTRAINT "{before}" TO "{after}"')
