"""Alembic environment of the ``threatlocker`` schema."""

from collector_threatlocker.models import SCHEMA, metadata
from hub_shared.migrations import run_env

run_env(metadata, SCHEMA)
