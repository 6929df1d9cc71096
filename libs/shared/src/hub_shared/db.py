"""Async SQLAlchemy engine, per-schema metadata, and the transaction-owning session.

The HTTP request or bus message handler owns the transaction: it opens one with
:meth:`Database.transaction` (or the :func:`session_dependency` for routes), services only ``flush``,
and the commit happens once, at the end, together with any outbox rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import Request
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# Constraint names follow one convention so migrations can drop and rename them predictably.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


class Database:
    """One engine per process; sessions are cheap and short-lived."""

    def __init__(self, url: str, *, pool_size: int = 10, application_name: str = "inventory-hub") -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={
                "server_settings": {"application_name": application_name},
                "timeout": 5,
                "command_timeout": 300,
            },
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def ping(self, timeout: float = 2.0) -> bool:
        try:
            async with asyncio.timeout(timeout), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


def get_database(request: Request) -> Database:
    database: Database = request.app.state.runtime.database
    return database


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """Route dependency: the request's transaction, committed before the response is sent.

    Use with ``Depends(session_dependency, scope="function")`` (see :data:`Session`) so the commit
    happens before FastAPI writes the response: a failed commit must become an error response.
    """
    async with get_database(request).transaction() as session:
        yield session


async def raw_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session's transaction, for what SQLAlchemy cannot do (COPY).

    SQLAlchemy sends BEGIN lazily, with its first statement; work on the raw connection before that would
    autocommit outside the session's transaction, so the transaction is started first when needed.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if not driver.is_in_transaction():
        await session.execute(text("SELECT 1"))
    return driver


async def copy_rows(
    session: AsyncSession,
    table: str,
    rows: Sequence[tuple[Any, ...]],
    columns: Sequence[str],
    *,
    schema: str | None = None,
) -> int:
    """COPY ``rows`` into ``table`` inside the session's transaction (one round trip for any number of
    rows); returns how many were sent."""
    if not rows:
        return 0
    driver = await raw_connection(session)
    await driver.copy_records_to_table(table, records=rows, columns=list(columns), schema_name=schema)
    return len(rows)
