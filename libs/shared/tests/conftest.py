"""Fixtures for the shared library's own tests: a scratch schema with an outbox, inbox and effects."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.dialects.postgresql import UUID

from hub_shared.db import Database, schema_metadata
from hub_shared.messaging import MessagingTables, messaging_tables

SCRATCH_SCHEMA = "shared_tests"


def scratch_tables() -> tuple[MetaData, MessagingTables, Table]:
    metadata = schema_metadata(SCRATCH_SCHEMA)
    tables = messaging_tables(metadata)
    # What a consumer "does": one row per event, a counter that would show a second application.
    effects = Table(
        "effects",
        metadata,
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("applied", Integer, nullable=False),
    )
    return metadata, tables, effects


METADATA, TABLES, EFFECTS = scratch_tables()


@pytest_asyncio.fixture
async def scratch(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=5, application_name="shared-tests")
    async with database.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCRATCH_SCHEMA}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{SCRATCH_SCHEMA}"'))
        await connection.run_sync(METADATA.create_all)
    try:
        yield database
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCRATCH_SCHEMA}" CASCADE'))
        await database.dispose()
