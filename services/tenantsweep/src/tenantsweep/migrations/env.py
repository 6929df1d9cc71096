"""Alembic environment of the ``tenantsweep`` schema."""

from hub_shared.migrations import run_env
from tenantsweep.models import SCHEMA, metadata

run_env(metadata, SCHEMA)
