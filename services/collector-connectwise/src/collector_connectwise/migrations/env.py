"""Alembic environment of the ``connectwise`` schema."""

from collector_connectwise.models import SCHEMA, metadata
from hub_shared.migrations import run_env

run_env(metadata, SCHEMA)
