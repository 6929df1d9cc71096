"""Alembic environment of the ``assessment`` schema."""

from assessment.models import SCHEMA, metadata
from hub_shared.migrations import run_env

run_env(metadata, SCHEMA)
