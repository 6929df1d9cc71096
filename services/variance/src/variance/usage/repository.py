"""All SQL of the Ninja usage-change routes, over ``ninja.snapshot_devices_v1`` (and, for the
ThreatLocker hostname of listed devices, ``threatlocker.snapshot_devices_v1``).

A device is its Ninja device id. Missing at the start → added; missing at the end → removed; in both
with another organisation (by id, else by name) → org_changed; otherwise spare ↔ billable →
billing_changed. VM guests are not billed devices and stay out, as everywhere in the hub's counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.hostnames import NETBIOS_LENGTH

_SIDE = """
SELECT device_id, hostname, display_name, organization_id, organization_name, device_type, is_spare, location_name
FROM ninja.snapshot_devices_v1 WHERE snapshot_date = :{day} AND device_type <> 'vm_guest'
"""

# Every device of either date with its change (NULL = unchanged), restricted to an organisation if asked.
CLASSIFIED = f"""
WITH s AS MATERIALIZED ({_SIDE.format(day="start")}),
     e AS MATERIALIZED ({_SIDE.format(day="end")}),
joined AS (
    SELECT coalesce(s.device_id, e.device_id) AS id,
           s.device_id IS NOT NULL AS in_start, e.device_id IS NOT NULL AS in_end,
           coalesce(nullif(btrim(s.organization_name), ''), 'Unknown') AS s_org,
           coalesce(nullif(btrim(e.organization_name), ''), 'Unknown') AS e_org,
           s.organization_id AS s_org_id, e.organization_id AS e_org_id,
           s.is_spare AS s_spare, e.is_spare AS e_spare,
           coalesce(e.hostname, s.hostname) AS hostname, coalesce(e.display_name, s.display_name) AS display_name,
           coalesce(e.device_type, s.device_type) AS device_type,
           s.location_name AS s_location, e.location_name AS e_location
    FROM s FULL JOIN e ON e.device_id = s.device_id
),
classified AS (
    SELECT j.*,
           CASE
             WHEN NOT j.in_start THEN 'added'
             WHEN NOT j.in_end THEN 'removed'
             WHEN coalesce(j.s_org_id::text, j.s_org) IS DISTINCT FROM coalesce(j.e_org_id::text, j.e_org)
               THEN 'org_changed'
             WHEN j.s_spare IS DISTINCT FROM j.e_spare THEN 'billing_changed'
           END AS change
    FROM joined j
    WHERE CAST(:organization AS text) IS NULL
       OR (j.in_start AND lower(j.s_org) = lower(btrim(CAST(:organization AS text))))
       OR (j.in_end AND lower(j.e_org) = lower(btrim(CAST(:organization AS text))))
)
"""

SUMMARY_SQL = f"""
{CLASSIFIED}
SELECT count(*) FILTER (WHERE in_start
                        AND (CAST(:organization AS text) IS NULL
                             OR lower(s_org) = lower(btrim(CAST(:organization AS text))))) AS start_total,
       count(*) FILTER (WHERE in_end
                        AND (CAST(:organization AS text) IS NULL
                             OR lower(e_org) = lower(btrim(CAST(:organization AS text))))) AS end_total,
       count(*) FILTER (WHERE change = 'added') AS added,
       count(*) FILTER (WHERE change = 'removed') AS removed,
       count(*) FILTER (WHERE change = 'org_changed') AS org_changed,
       count(*) FILTER (WHERE change = 'billing_changed') AS billing_changed
FROM classified
"""

# Each device counts for its start organisation and its end organisation (org_changed: out of one,
# into the other); billing changes and additions go to the end organisation, removals to the start one.
BY_ORGANIZATION_SQL = f"""
{CLASSIFIED}
SELECT v.org, sum(v.start_count) AS start_count, sum(v.end_count) AS end_count, sum(v.added) AS added,
       sum(v.removed) AS removed, sum(v.org_in) AS org_in, sum(v.org_out) AS org_out,
       sum(v.billing_changed) AS billing_changed
FROM classified c,
LATERAL (VALUES
    (CASE WHEN c.in_start THEN c.s_org END, 1, 0, 0, (c.change = 'removed')::int, 0,
     (c.change = 'org_changed')::int, 0),
    (CASE WHEN c.in_end THEN c.e_org END, 0, 1, (c.change = 'added')::int, 0, (c.change = 'org_changed')::int, 0,
     (c.change = 'billing_changed')::int)
) AS v(org, start_count, end_count, added, removed, org_in, org_out, billing_changed)
WHERE v.org IS NOT NULL
GROUP BY v.org
ORDER BY v.org
"""

# The changed devices, with when the new state first showed, when a removed device was last seen, and
# its ThreatLocker hostname (newest ThreatLocker snapshot up to the end date; NetBIOS rule included).
CHANGES_SQL = f"""
{CLASSIFIED},
changed AS MATERIALIZED (SELECT * FROM classified WHERE change IS NOT NULL),
seen AS (
    SELECT c.id,
           min(x.snapshot_date) FILTER (
               WHERE x.snapshot_date > :start AND (
                   c.change = 'added'
                OR (c.change = 'org_changed'
                    AND coalesce(x.organization_id::text, x.organization_name) = coalesce(c.e_org_id::text, c.e_org))
                OR (c.change = 'billing_changed' AND x.is_spare = c.e_spare))) AS change_date,
           max(x.snapshot_date) FILTER (WHERE x.snapshot_date < :end) AS last_seen_date
    FROM changed c
    JOIN ninja.snapshot_devices_v1 x
      ON x.device_id = c.id AND x.snapshot_date BETWEEN :start AND :end
    GROUP BY c.id
),
tl AS MATERIALIZED (
    SELECT DISTINCT ON (match_key) match_key, hostname, computer_name
    FROM threatlocker.snapshot_devices_v1
    WHERE snapshot_date = (SELECT max(snapshot_date) FROM threatlocker.snapshots_v1 WHERE snapshot_date <= :end)
    ORDER BY match_key, computer_name, computer_id
)
SELECT c.*, seen.change_date, seen.last_seen_date,
       coalesce(exact.hostname, netbios.hostname) AS tl_hostname,
       coalesce(exact.computer_name, netbios.computer_name) AS tl_display_name
FROM changed c
LEFT JOIN seen ON seen.id = c.id
LEFT JOIN tl exact ON exact.match_key = lower(c.hostname)
LEFT JOIN tl netbios
       ON exact.match_key IS NULL AND length(c.hostname) = {NETBIOS_LENGTH}
      AND length(netbios.match_key) > {NETBIOS_LENGTH}
      AND left(netbios.match_key, {NETBIOS_LENGTH}) = lower(c.hostname)
ORDER BY c.change, c.hostname, c.id
"""


def _params(start: date, end: date, organization: str | None) -> dict[str, Any]:
    return {"start": start, "end": end, "organization": organization}


async def has_device_data(session: AsyncSession, day: date) -> bool:
    value = await session.execute(
        text("SELECT EXISTS (SELECT 1 FROM ninja.snapshot_devices_v1 WHERE snapshot_date = :day)"), {"day": day}
    )
    return bool(value.scalar_one())


async def summary(session: AsyncSession, start: date, end: date, organization: str | None) -> RowMapping:
    row = await session.execute(text(SUMMARY_SQL), _params(start, end, organization))
    return row.mappings().one()


async def by_organization(session: AsyncSession, start: date, end: date, organization: str | None) -> list[RowMapping]:
    rows = await session.execute(text(BY_ORGANIZATION_SQL), _params(start, end, organization))
    return list(rows.mappings())


async def changes(session: AsyncSession, start: date, end: date, organization: str | None) -> list[RowMapping]:
    rows = await session.execute(text(CHANGES_SQL), _params(start, end, organization))
    return list(rows.mappings())


async def available_dates(session: AsyncSession, start: date, end: date) -> list[date]:
    """Ninja snapshot dates in the range that still have device-level data, oldest first."""
    rows = await session.execute(
        text(
            """
            SELECT s.snapshot_date FROM ninja.snapshots_v1 s
            WHERE s.snapshot_date BETWEEN :start AND :end
              AND EXISTS (SELECT 1 FROM ninja.snapshot_devices_v1 d WHERE d.snapshot_date = s.snapshot_date)
            ORDER BY s.snapshot_date
            """
        ),
        {"start": start, "end": end},
    )
    return [row[0] for row in rows]
