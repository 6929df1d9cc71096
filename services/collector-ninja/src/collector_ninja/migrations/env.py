"""Alembic environment of the ``ninja`` schema."""

from collector_ninja.models import SCHEMA, metadata
from hub_shared.migrations import run_env

run_env(metadata, SCHEMA)
