"""Alembic environment of the ``threatlocker`` schema."""

from hub_shared.migrations import run_env

from collector_threatlocker.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
