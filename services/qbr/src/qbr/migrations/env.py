"""Alembic environment of the ``qbr`` schema."""

from hub_shared.migrations import run_env
from qbr.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
