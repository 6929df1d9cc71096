"""Alembic environment of the ``gateway`` schema."""

from hub_shared.migrations import run_env

from gateway.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
