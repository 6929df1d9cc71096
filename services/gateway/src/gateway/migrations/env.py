"""Alembic environment of the ``gateway`` schema."""

from gateway.models import SCHEMA, metadata
from hub_shared.migrations import run_env

run_env(metadata, SCHEMA)
