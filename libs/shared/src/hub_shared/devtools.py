"""Whole-system chores for ``make dev`` and CI: create the database, migrate every service.

``python -m hub_shared.devtools prepare`` creates the database named by ``DATABASE_URL`` when it is
missing, then applies every installed service's migrations.
"""

from __future__ import annotations

import argparse
import asyncio

import asyncpg
import httpx
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


async def seed_demo(sim_url: str, gateway_url: str, token: str, wait_seconds: float = 120) -> int:
    """Load the simulator's organisation alias map into the hub through the public API (development only), so the
    demo report shows the simulator's planted site mismatches, not the organisations it renames on purpose.
    Returns how many aliases were added (0 when they all exist already)."""
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            try:
                truth = (await client.get(f"{sim_url}/_sim/truth")).raise_for_status().json()
                existing = (await client.get(f"{gateway_url}/api/organization-aliases")).raise_for_status().json()
                break
            except (httpx.HTTPError, ValueError):
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(1)
        present = {(alias["ninja_name"].lower(), alias["threatlocker_name"].lower()) for alias in existing["aliases"]}
        missing = [
            pair
            for pair in truth["organization_aliases"]
            if (pair["ninja"].lower(), pair["threatlocker"].lower()) not in present
        ]
        for index, pair in enumerate(missing):
            body = {"ninja_name": pair["ninja"], "threatlocker_name": pair["threatlocker"], "notes": "vendor simulator"}
            # One report recomputation, after the last alias, rather than one per alias.
            recompute = "true" if index == len(missing) - 1 else "false"
            answer = await client.post(
                f"{gateway_url}/api/organization-aliases", json=body, params={"recompute": recompute}
            )
            answer.raise_for_status()
        return len(missing)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hub_shared.devtools")
    parser.add_argument("command", choices=["prepare", "migrate-all", "list-services", "seed-demo"])
    parser.add_argument("--sim", default="http://127.0.0.1:5409", help="seed-demo: the vendor simulator")
    parser.add_argument("--gateway", default="http://127.0.0.1:5400", help="seed-demo: the hub's gateway")
    parser.add_argument("--token", help="seed-demo: an API token with variance:write")
    args = parser.parse_args()
    if args.command == "seed-demo":
        if not args.token:
            parser.error("seed-demo needs --token")
        added = asyncio.run(seed_demo(args.sim.rstrip("/"), args.gateway.rstrip("/"), args.token))
        print(f"demo organisation aliases loaded from the simulator: {added} added")
        return
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
