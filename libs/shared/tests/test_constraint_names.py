"""Constraint and index names in the migrated database are the ones the naming convention renders.

Every service's metadata has ``NAMING_CONVENTION``; a migration that passes an already-full name
(``CheckConstraint(..., name="ck_t_x")``) gets it prefixed again (``ck_t_ck_t_x``), truncated and hashed
past PostgreSQL's 63 bytes. These tests read ``pg_constraint`` and ``pg_indexes`` of the database the test
session migrated, so they see what the migrations really created:

- no name carries the convention's prefix twice;
- per table, the constraints the metadata renders (primary, unique, check, foreign key, exclusion) are
  exactly the database's, and every index the metadata declares exists under the name it renders;
- the renaming migrations go down to the old names and back up on a scratch database.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterator

import asyncpg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Index, Table
from sqlalchemy.engine import Dialect, make_url

from hub_shared.db import Database
from hub_shared.devtools import drop_database, ensure_database
from hub_shared.migrations import alembic_config, upgrade
from hub_shared.registry import installed_services
from hub_shared.runtime import ServiceSpec
from hub_shared.testing.infrastructure import run_sync

# A convention prefix followed by the same prefix again: ck_exceptions_ck_exceptions_type.
DOUBLED = re.compile(r"^(ck|uq|fk|pk|ix)_(\w+?)_\1_\2_")

CHECKED = list(installed_services())

# The migrations that renamed doubled names: service -> (revision, the revision before it).
RENAMING_MIGRATIONS = {
    "gateway": ("gateway_0004", "gateway_0003"),
    "variance": ("variance_0003", "variance_0002"),
    "assessment": ("assessment_0003", "assessment_0002"),
    "qbr": ("qbr_0003", "qbr_0002"),
}

# Table constraints SQLAlchemy names (PostgreSQL 18's NOT NULL constraints, contype 'n', are not among them).
CONSTRAINT_TYPES = ["p", "u", "c", "f", "x"]

CONSTRAINTS_SQL = """
SELECT t.relname, c.conname
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1 AND c.contype::text = ANY($2::text[]) AND t.relname <> 'alembic_version'
"""
INDEXES_SQL = "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1 AND tablename <> 'alembic_version'"
TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'alembic_version'"


def by_schema(spec: ServiceSpec) -> str:
    return spec.schema


async def connect(database_url: str) -> asyncpg.Connection:
    url = make_url(database_url).set(drivername="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False), timeout=10)


async def database_names(database_url: str, schema: str) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """(table -> constraint names, table -> index names, tables) of one schema."""
    connection = await connect(database_url)
    try:
        constraints: dict[str, set[str]] = defaultdict(set)
        for table, name in await connection.fetch(CONSTRAINTS_SQL, schema, CONSTRAINT_TYPES):
            constraints[table].add(name)
        indexes: dict[str, set[str]] = defaultdict(set)
        for table, name in await connection.fetch(INDEXES_SQL, schema):
            indexes[table].add(name)
        tables = {row[0] for row in await connection.fetch(TABLES_SQL, schema)}
    finally:
        await connection.close()
    return constraints, indexes, tables


def rendered_name(dialect: Dialect, constraint: object) -> str:
    """The name DDL would give the constraint or index: the convention applied, then truncated to fit."""
    name = dialect.identifier_preparer.format_constraint(constraint, _alembic_quote=False)  # type: ignore[arg-type]
    assert name, f"{constraint!r} renders no name"
    return name


def rendered_constraints(table: Table, dialect: Dialect) -> set[str]:
    return {rendered_name(dialect, constraint) for constraint in table.constraints}


def rendered_indexes(table: Table, dialect: Dialect) -> set[str]:
    return {rendered_name(dialect, index) for index in table.indexes if isinstance(index, Index)}


def doubled_names(constraints: dict[str, set[str]], indexes: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{table}.{name}"
        for names in (constraints, indexes)
        for table, table_names in names.items()
        for name in table_names
        if DOUBLED.match(name)
    )


def test_doubled_pattern() -> None:
    assert DOUBLED.match("ck_exceptions_ck_exceptions_type")
    assert DOUBLED.match("ck_organization_aliases_ck_organization_aliases_threatl_3369")
    assert not DOUBLED.match("ck_exceptions_type")
    assert not DOUBLED.match("uq_monthly_metrics_organization_id_period_metric_name")


@pytest.mark.parametrize("spec", CHECKED, ids=by_schema)
async def test_no_doubled_convention_prefix(database: Database, spec: ServiceSpec) -> None:
    constraints, indexes, _ = await database_names(database.url, spec.schema)
    assert constraints, f"schema {spec.schema} has no constraints: not migrated?"
    assert doubled_names(constraints, indexes) == []


@pytest.mark.parametrize("spec", CHECKED, ids=by_schema)
async def test_metadata_names_match_database(database: Database, spec: ServiceSpec) -> None:
    async with database.engine.connect():  # the dialect learns the server's identifier limit
        dialect = database.engine.dialect
    constraints, indexes, tables = await database_names(database.url, spec.schema)
    declared = {table.name: table for table in spec.metadata.tables.values() if table.schema == spec.schema}
    # Every table the migrations made is described by the metadata, so no constraint escapes the comparison.
    assert set(declared) == tables
    differences = {}
    for name, table in sorted(declared.items()):
        rendered = rendered_constraints(table, dialect)
        if rendered != constraints[name]:
            differences[f"{name} constraints"] = {
                "metadata only": sorted(rendered - constraints[name]),
                "database only": sorted(constraints[name] - rendered),
            }
        # Indexes made only by migrations (e.g. on expressions) need not be in the metadata; the reverse must hold.
        missing = rendered_indexes(table, dialect) - indexes[name]
        if missing:
            differences[f"{name} indexes"] = {"metadata only": sorted(missing)}
    assert differences == {}, f"schema {spec.schema}"


@pytest.fixture
def scratch_database_url(database_url: str) -> Iterator[str]:
    """A second database with the renaming services migrated, for migrations that go down and up again."""
    url = make_url(database_url).set(database=f"hub_scratch_{uuid.uuid4().hex[:10]}")
    rendered = url.render_as_string(hide_password=False)
    run_sync(ensure_database(rendered))
    try:
        for spec in installed_services():
            if spec.name in RENAMING_MIGRATIONS:
                upgrade(spec, rendered)
        yield rendered
    finally:
        run_sync(drop_database(rendered))


def test_renaming_migrations_downgrade_and_upgrade(scratch_database_url: str) -> None:
    specs = {spec.name: spec for spec in installed_services()}
    for service, (revision, previous) in RENAMING_MIGRATIONS.items():
        spec = specs[service]
        config = alembic_config(spec, scratch_database_url)
        script = ScriptDirectory.from_config(config).get_revision(revision)
        assert script is not None and script.down_revision == previous
        renames: tuple[tuple[str, str, str], ...] = script.module.RENAMES
        assert all(DOUBLED.match(old) and not DOUBLED.match(new) for _, old, new in renames)
        renamed = schema_constraints(scratch_database_url, spec.schema)
        assert doubled_names(renamed, {}) == []

        command.downgrade(config, previous)
        # Exactly the old names are back, where the migration found them.
        expected = {table: set(names) for table, names in renamed.items()}
        for table, old, new in renames:
            expected[table].remove(new)
            expected[table].add(old)
        assert schema_constraints(scratch_database_url, spec.schema) == expected, f"{service}: down to {previous}"

        upgrade(spec, scratch_database_url, revision)
        assert schema_constraints(scratch_database_url, spec.schema) == renamed, f"{service}: up to {revision}"


def schema_constraints(database_url: str, schema: str) -> dict[str, set[str]]:
    constraints, _, _ = run_sync(database_names(database_url, schema))  # type: ignore[misc]
    return dict(constraints)
