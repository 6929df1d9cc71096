"""Alembic environment of the ``assessment`` schema."""

from hub_shared.migrations import run_env

from assessment.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
