"""All SQL of the device search: both vendors' newest snapshots (each vendor its own newest date)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.hostnames import NETBIOS_LENGTH
from variance.queries import like_pattern

_NINJA = f"""
SELECT 'Ninja' AS vendor, n.hostname, n.display_name, n.organization_name, n.snapshot_date, n.match_key,
       n.device_id::text AS device_id, n.location_name AS site, n.device_type, n.is_spare
FROM ninja.snapshot_devices_v1 n
WHERE n.snapshot_date = (SELECT max(snapshot_date) FROM ninja.snapshots_v1)
  AND (n.hostname ILIKE :pattern ESCAPE '\\' OR n.match_key = :key
       OR left(n.match_key, {NETBIOS_LENGTH}) = left(:key, {NETBIOS_LENGTH}))
"""
_THREATLOCKER = f"""
SELECT 'ThreatLocker' AS vendor, t.hostname, t.computer_name AS display_name, t.organization_name, t.snapshot_date,
       t.match_key, t.computer_id AS device_id, t.group_name AS site, NULL::text AS device_type,
       NULL::boolean AS is_spare
FROM threatlocker.snapshot_devices_v1 t
WHERE t.snapshot_date = (SELECT max(snapshot_date) FROM threatlocker.snapshots_v1)
  AND (t.hostname ILIKE :pattern ESCAPE '\\' OR t.match_key = :key
       OR left(t.match_key, {NETBIOS_LENGTH}) = left(:key, {NETBIOS_LENGTH}))
"""


async def search(session: AsyncSession, *, host: str, key: str, vendor: str | None, limit: int) -> list[RowMapping]:
    """Rows whose hostname contains ``host`` (wildcards literal), or whose key (or its first 15) is ``key``'s."""
    parts = [sql for name, sql in (("ninja", _NINJA), ("threatlocker", _THREATLOCKER)) if vendor in (None, name)]
    statement = " UNION ALL ".join(f"({part})" for part in parts) + " ORDER BY vendor, hostname, device_id LIMIT :limit"
    rows = await session.execute(text(statement), {"pattern": like_pattern(host), "key": key, "limit": limit})
    return list(rows.mappings())
