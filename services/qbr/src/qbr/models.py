"""Tables of the ``qbr`` schema, which only this service writes."""

from __future__ import annotations

from hub_shared.db import schema_metadata
from hub_shared.messaging import messaging_tables

SCHEMA = "qbr"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)
