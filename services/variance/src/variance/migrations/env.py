"""Alembic environment of the ``variance`` schema."""

from hub_shared.migrations import run_env
from variance.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
