"""Alembic environment of the ``notifier`` schema."""

from hub_shared.migrations import run_env
from notifier.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
