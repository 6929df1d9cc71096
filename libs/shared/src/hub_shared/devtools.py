"""Whole-system chores for ``make dev`` and CI: create the database, migrate every service.

``python -m hub_shared.devtools prepare`` creates the database named by ``DATABASE_URL`` when it is
missing, then applies every installed service's migrations.
"""

from __future__ import annotations

import argparse
import asyncio

import asyncpg
from sqlalchemy.engine import make_url

from hub_shared.migrations import upgrade
from hub_shared.registry import installed_services
from hub_shared.settings import ServiceSettings, load_settings


async def ensure_database(database_url: str) -> bool:
    """Create the database when missing; returns True when it was created."""
    url = make_url(database_url)
    name = url.database
    assert name, "DATABASE_URL names no database"
    admin = url.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False), timeout=10)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        await connection.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await connection.close()


async def drop_database(database_url: str) -> None:
    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False), timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await connection.close()


def migrate_all(database_url: str) -> list[str]:
    migrated = []
    for spec in installed_services():
        upgrade(spec, database_url)
        migrated.append(spec.schema)
    return migrated


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hub_shared.devtools")
    parser.add_argument("command", choices=["prepare", "migrate-all", "list-services"])
    args = parser.parse_args()
    settings = load_settings(ServiceSettings)
    if args.command == "list-services":
        for spec in installed_services():
            print(spec.name)
        return
    if args.command == "prepare" and asyncio.run(ensure_database(settings.database_url)):
        print(f"created database {make_url(settings.database_url).database}")
    schemas = migrate_all(settings.database_url)
    print(f"migrated schemas: {', '.join(schemas)}")


if __name__ == "__main__":
    main()
