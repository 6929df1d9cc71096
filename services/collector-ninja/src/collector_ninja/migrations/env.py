"""Alembic environment of the ``ninja`` schema."""

from hub_shared.migrations import run_env

from collector_ninja.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
