"""All SQL of the cross-vendor checks: the six checks over the collectors' published views, staged into
``FOUND`` for the exception lifecycle (``variance.exceptions.lifecycle``) to apply.

Every check uses the same keys: the collectors' ``match_key`` (lower-cased clean hostname) and the
NetBIOS rule — a ThreatLocker key that matches no Ninja key in full, but whose first 15 characters equal
a 15-character Ninja key, is that Ninja device. A ThreatLocker device's *device key* is the Ninja key it
resolves to, else its own key.

The checks run as a few set-based statements into temporary tables (dropped at commit), built so that
only two passes touch every device: one hash join of ThreatLocker with Ninja carrying the columns the
pair checks compare (keeping only unmatched or flagged rows), and one narrow key count per vendor for
the duplicate checks. Everything else works on those small results, with index lookups on
``(snapshot_date, match_key)``. The big passes run with a larger ``work_mem`` and without nested loops,
because a freshly loaded snapshot has no planner statistics yet (its row estimates are far too low).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.hostnames import NETBIOS_LENGTH
from variance.queries import bind, type_code

FOUND = "pg_temp.variance_found"
PAIRS = "pg_temp.variance_pairs"
NETBIOS = "pg_temp.variance_netbios"
DUP_TL = "pg_temp.variance_dup_tl"
DUP_TL_RAW = "pg_temp.variance_dup_tl_raw"
DUP_NINJA = "pg_temp.variance_dup_ninja"
TEMP_TABLES = (FOUND, PAIRS, NETBIOS, DUP_TL, DUP_TL_RAW, DUP_NINJA)

# Presentation helpers used inside the SQL (NULL/blank organisation → "Unknown").
_ORG = "coalesce(nullif(btrim({0}), ''), 'Unknown')"
_BILLING = "CASE WHEN {0} THEN 'spare' ELSE 'billable' END"
# The ThreatLocker side of a pair, read from the view (pass 1) or from the staged rows (NetBIOS pairs).
_T_FROM_VIEW = {
    "computer_id": "t.computer_id",
    "computer_name": "t.computer_name",
    "raw_hostname": "t.raw_hostname",
    "t_hostname": "t.hostname",
    "t_key": "t.match_key",
    "t_org": "t.organization_name",
    "t_site": "t.group_name",
}
_T_FROM_PAIRS = {name: f"u.{name}" for name in _T_FROM_VIEW}


def _pair_columns(t: dict[str, str], match_type: str) -> str:
    """One ThreatLocker row with its Ninja match ``n`` (if any) and the three pair checks as flags."""
    tl = ", ".join(f"{expression} AS {name}" for name, expression in t.items())
    return f"""
        {tl},
        n.device_id, n.hostname AS n_hostname, n.match_key AS n_key, n.display_name AS n_display,
        n.organization_name AS n_org, n.location_name AS n_site, n.is_spare,
        '{match_type}'::text AS match_type,
        (n.is_spare AND NOT (lower(btrim(coalesce(n.location_name, ''))) = ANY(CAST(:exempt AS text[]))))
            AS spare_flag,
        -- The cheap byte comparison first: most pairs are identical and skip the case folding.
        (n.display_name IS DISTINCT FROM {t["computer_name"]}
         AND lower(btrim(coalesce(n.display_name, ''))) <> lower(btrim(coalesce({t["computer_name"]}, '')))
         AND NOT (btrim(coalesce(n.display_name, '')) = ''
                  AND lower(btrim(coalesce({t["computer_name"]}, '')))
                      IN ({t["t_key"]}, lower(btrim(coalesce({t["raw_hostname"]}, ''))))))
            AS display_flag,
        -- Names equal in both vendors (trimmed, any case) are one organisation; otherwise the alias map
        -- must say so. The alias look-up runs only for the few pairs whose names differ.
        (n.organization_name IS DISTINCT FROM {t["t_org"]}
         AND lower(btrim(coalesce({t["t_org"]}, ''))) <> lower(btrim(coalesce(n.organization_name, '')))
         AND NOT EXISTS (
             SELECT 1 FROM variance.organization_aliases a
             WHERE lower(btrim(a.threatlocker_name)) = lower(btrim(coalesce({t["t_org"]}, '')))
               AND lower(btrim(a.ninja_name)) = lower(btrim(coalesce(n.organization_name, '')))))
            AS site_flag"""


def _lookup(vendor: str, condition: str) -> str:
    """Rows of one vendor's snapshot found by index, for each row of a small staged result.

    Used as ``CROSS JOIN LATERAL``; ``OFFSET 0`` keeps PostgreSQL from flattening it into a join it
    would reorder around its (far too low) estimate of a fresh snapshot's size.
    """
    return f"(SELECT * FROM {vendor}.snapshot_devices_v1 WHERE snapshot_date = :report_date AND {condition} OFFSET 0)"


_FLAGGED = "(spare_flag OR display_flag OR site_flag)"

# Pass 1: every ThreatLocker device joined in full to Ninja; kept when unmatched or a check flags it.
PAIRS_SQL = f"""
CREATE TEMP TABLE variance_pairs ON COMMIT DROP AS
SELECT * FROM (
    SELECT {_pair_columns(_T_FROM_VIEW, "exact")}
    FROM threatlocker.snapshot_devices_v1 t
    LEFT JOIN ninja.snapshot_devices_v1 n ON n.snapshot_date = :report_date AND n.match_key = t.match_key
    WHERE t.snapshot_date = :report_date AND t.match_key <> ''
) joined
WHERE device_id IS NULL OR {_FLAGGED}
"""

# The NetBIOS rule, for the few unmatched long keys: the Ninja key they resolve to.
NETBIOS_SQL = f"""
CREATE TEMP TABLE variance_netbios ON COMMIT DROP AS
SELECT u.computer_id, u.t_key, x.ninja_key
FROM {PAIRS} u
CROSS JOIN LATERAL (
    SELECT n.match_key AS ninja_key FROM ninja.snapshot_devices_v1 n
    WHERE n.snapshot_date = :report_date AND n.match_key = left(u.t_key, {NETBIOS_LENGTH}) LIMIT 1
) x
WHERE u.device_id IS NULL AND length(u.t_key) > {NETBIOS_LENGTH}
"""

NETBIOS_PAIRS_SQL = f"""
INSERT INTO {PAIRS}
SELECT * FROM (
    SELECT {_pair_columns(_T_FROM_PAIRS, "netbios_truncation")}
    FROM {PAIRS} u
    JOIN {NETBIOS} nb ON nb.computer_id = u.computer_id
    CROSS JOIN LATERAL {_lookup("ninja", "match_key = nb.ninja_key")} n
    WHERE u.device_id IS NULL
) joined
WHERE {_FLAGGED}
"""

# Pass 2: one narrow key count per vendor. ThreatLocker duplicates group by device key; NetBIOS
# resolution depends on the key alone, so a raw key's rows all move together and the few moved groups
# are merged in afterwards (DUP_TL_SQL).
DUP_TL_RAW_SQL = """
CREATE TEMP TABLE variance_dup_tl_raw ON COMMIT DROP AS
SELECT match_key FROM threatlocker.snapshot_devices_v1
WHERE snapshot_date = :report_date AND match_key <> ''
GROUP BY match_key HAVING count(*) > 1
"""

DUP_TL_SQL = f"""
CREATE TEMP TABLE variance_dup_tl ON COMMIT DROP AS
SELECT r.match_key AS device_key FROM {DUP_TL_RAW} r
WHERE NOT EXISTS (SELECT 1 FROM {NETBIOS} nb WHERE nb.t_key = r.match_key)
  AND NOT EXISTS (SELECT 1 FROM {NETBIOS} nb WHERE nb.ninja_key = r.match_key)
UNION ALL
SELECT g.ninja_key FROM (SELECT ninja_key, count(*) AS moved FROM {NETBIOS} GROUP BY ninja_key) g
CROSS JOIN LATERAL (
    SELECT count(*) AS exact FROM {_lookup("threatlocker", "match_key = g.ninja_key")} same_key
) e
WHERE g.moved + e.exact > 1
"""

DUP_NINJA_SQL = """
CREATE TEMP TABLE variance_dup_ninja ON COMMIT DROP AS
SELECT match_key FROM ninja.snapshot_devices_v1
WHERE snapshot_date = :report_date AND match_key <> ''
GROUP BY match_key HAVING count(*) > 1
"""

# The six checks' results, one row per (type, key), with what the reports show about each.
FIND_SQL = f"""
CREATE TEMP TABLE variance_found ON COMMIT DROP AS
WITH
missing AS (
    SELECT DISTINCT ON (u.t_key)
           u.t_key AS match_key, u.computer_id, u.computer_name, u.raw_hostname, u.t_hostname AS hostname,
           u.t_org AS organization_name, u.t_site AS group_name,
           count(*) OVER (PARTITION BY u.t_key) AS records
    FROM {PAIRS} u
    WHERE u.device_id IS NULL AND NOT EXISTS (SELECT 1 FROM {NETBIOS} nb WHERE nb.computer_id = u.computer_id)
    ORDER BY u.t_key, u.computer_name, u.computer_id
),
tl_dup_rows AS (
    SELECT t.computer_id, t.computer_name, t.hostname, t.organization_name, t.group_name, k.device_key
    FROM {DUP_TL} k
    CROSS JOIN LATERAL {_lookup("threatlocker", "match_key = k.device_key")} t
    WHERE NOT EXISTS (SELECT 1 FROM {NETBIOS} nb WHERE nb.computer_id = t.computer_id)
    UNION ALL
    SELECT t.computer_id, t.computer_name, t.hostname, t.organization_name, t.group_name, k.device_key
    FROM {DUP_TL} k
    JOIN {NETBIOS} nb ON nb.ninja_key = k.device_key
    CROSS JOIN LATERAL {_lookup("threatlocker", "computer_id = nb.computer_id")} t
),
tl_dups AS (
    SELECT r.device_key,
           count(*) AS records,
           jsonb_agg(r.hostname ORDER BY r.computer_name, r.computer_id) AS hostnames,
           jsonb_agg(r.computer_id ORDER BY r.computer_name, r.computer_id) AS computer_ids,
           jsonb_agg(r.computer_name ORDER BY r.computer_name, r.computer_id) AS names,
           to_jsonb(array_agg(DISTINCT coalesce(r.group_name, ''))) AS sites,
           to_jsonb(array_agg(DISTINCT coalesce(r.organization_name, ''))) AS organizations,
           (array_agg(r.hostname ORDER BY r.computer_name, r.computer_id))[1] AS hostname,
           (array_agg(r.computer_name ORDER BY r.computer_name, r.computer_id))[1] AS computer_name,
           (array_agg(r.organization_name ORDER BY r.computer_name, r.computer_id))[1] AS organization_name
    FROM tl_dup_rows r
    GROUP BY r.device_key
),
tl_dup_ninja AS (
    SELECT DISTINCT ON (n.match_key) n.match_key, n.hostname, n.display_name, n.organization_name, n.is_spare
    FROM {DUP_TL} k
    CROSS JOIN LATERAL {_lookup("ninja", "match_key = k.device_key")} n
    ORDER BY n.match_key, n.device_id
),
ninja_dups AS (
    SELECT n.match_key,
           count(*) AS records,
           jsonb_agg(n.hostname ORDER BY n.device_id) AS hostnames,
           jsonb_agg(n.device_id ORDER BY n.device_id) AS device_ids,
           jsonb_agg(n.display_name ORDER BY n.device_id) AS names,
           jsonb_agg(n.system_name ORDER BY n.device_id) AS system_names,
           jsonb_agg(n.dns_name ORDER BY n.device_id) AS dns_names,
           to_jsonb(array_agg(DISTINCT coalesce(n.location_name, ''))) AS sites,
           to_jsonb(array_agg(DISTINCT coalesce(n.organization_name, ''))) AS organizations,
           (array_agg(n.hostname ORDER BY n.device_id))[1] AS hostname,
           (array_agg(n.display_name ORDER BY n.device_id))[1] AS display_name,
           (array_agg(n.organization_name ORDER BY n.device_id))[1] AS organization_name,
           (array_agg(n.is_spare ORDER BY n.device_id))[1] AS is_spare
    FROM {DUP_NINJA} k
    CROSS JOIN LATERAL {_lookup("ninja", "match_key = k.match_key")} n
    GROUP BY n.match_key
),
ninja_dup_tl AS (
    SELECT DISTINCT ON (ninja_key) ninja_key, hostname, computer_name FROM (
        SELECT k.match_key AS ninja_key, t.hostname, t.computer_name, t.computer_id
        FROM {DUP_NINJA} k
        CROSS JOIN LATERAL {_lookup("threatlocker", "match_key = k.match_key")} t
        UNION ALL
        SELECT nb.ninja_key, t.hostname, t.computer_name, t.computer_id
        FROM {DUP_NINJA} k
        JOIN {NETBIOS} nb ON nb.ninja_key = k.match_key
        CROSS JOIN LATERAL {_lookup("threatlocker", "computer_id = nb.computer_id")} t
    ) matched
    ORDER BY ninja_key, computer_name, computer_id
),
pairs AS (
    SELECT device_id, n_hostname, n_display, n_org, n_site, is_spare, computer_id, t_hostname,
           computer_name AS t_display, t_org, t_site, n_key AS ninja_key, match_type,
           spare_flag, display_flag, site_flag
    FROM {PAIRS} WHERE device_id IS NOT NULL
),
spares AS (
    SELECT DISTINCT ON (ninja_key) * FROM pairs WHERE spare_flag ORDER BY ninja_key, device_id, computer_id
),
displays AS (
    SELECT DISTINCT ON (ninja_key) * FROM pairs WHERE display_flag ORDER BY ninja_key, device_id, computer_id
),
sites AS (
    SELECT DISTINCT ON (ninja_key) * FROM pairs WHERE site_flag ORDER BY ninja_key, device_id, computer_id
)
SELECT {type_code("MISSING_NINJA")} AS type, match_key AS key,
       {_ORG.format("organization_name")} AS organization, 'ThreatLocker'::text AS vendor,
       computer_name AS display_name, 'active'::text AS billing_status,
       NULL::text AS ninja_hostname, hostname AS threatlocker_hostname,
       NULL::text AS ninja_display_name, computer_name AS threatlocker_display_name,
       jsonb_build_object(
           'tl_hostname', hostname, 'tl_canonical_key', match_key, 'tl_site_name', group_name,
           'tl_org_name', organization_name,
           'data_quality_issue', coalesce(raw_hostname, hostname) IS DISTINCT FROM hostname,
           'original_stored_hostname',
               CASE WHEN coalesce(raw_hostname, hostname) IS DISTINCT FROM hostname THEN raw_hostname END,
           'tl_display_name', computer_name, 'tl_computer_id', computer_id, 'tl_records', records
       ) AS details
FROM missing
UNION ALL
SELECT {type_code("DUPLICATE_TL")}, d.device_key,
       {_ORG.format("d.organization_name")}, 'ThreatLocker',
       d.computer_name, CASE WHEN tn.match_key IS NULL THEN 'active' ELSE {_BILLING.format("tn.is_spare")} END,
       tn.hostname, d.hostname, tn.display_name, d.computer_name,
       jsonb_build_object(
           'hostname_base', d.device_key, 'count', d.records, 'duplicate_hostnames', d.hostnames,
           'sites', d.sites, 'organizations', d.organizations, 'tl_org_name', d.organization_name,
           'computer_ids', d.computer_ids, 'display_names', d.names, 'in_ninja', tn.match_key IS NOT NULL,
           'ninja_hostname', tn.hostname, 'ninja_org_name', tn.organization_name
       )
FROM tl_dups d LEFT JOIN tl_dup_ninja tn ON tn.match_key = d.device_key
UNION ALL
SELECT {type_code("DUPLICATE_NINJA")}, d.match_key,
       {_ORG.format("d.organization_name")}, CASE WHEN t1.ninja_key IS NULL THEN 'Ninja' ELSE 'ThreatLocker' END,
       coalesce(nullif(btrim(d.display_name), ''), d.hostname), {_BILLING.format("d.is_spare")},
       d.hostname, t1.hostname, d.display_name, t1.computer_name,
       jsonb_build_object(
           'hostname_base', d.match_key, 'count', d.records, 'duplicate_hostnames', d.hostnames,
           'device_ids', d.device_ids, 'display_names', d.names, 'system_names', d.system_names,
           'dns_names', d.dns_names, 'sites', d.sites, 'organizations', d.organizations,
           'ninja_org_name', d.organization_name, 'tl_hostname', t1.hostname
       )
FROM ninja_dups d LEFT JOIN ninja_dup_tl t1 ON t1.ninja_key = d.match_key
UNION ALL
SELECT {type_code("SPARE_MISMATCH")}, ninja_key,
       {_ORG.format("coalesce(nullif(btrim(n_org), ''), t_org)")}, 'ThreatLocker',
       t_display, 'spare', n_hostname, t_hostname, n_display, t_display,
       jsonb_build_object(
           'hostname_base', ninja_key, 'tl_hostname', t_hostname, 'ninja_hostname', n_hostname,
           'ninja_billing_status', 'spare', 'tl_site', t_site, 'ninja_site', n_site,
           'tl_org_name', t_org, 'ninja_org_name', n_org,
           'note', 'Ninja marks this device as spare (display name or location), but it still has ThreatLocker',
           'ninja_display_name', n_display, 'tl_display_name', t_display,
           'ninja_device_id', device_id, 'tl_computer_id', computer_id, 'match_type', match_type
       )
FROM spares
UNION ALL
SELECT {type_code("DISPLAY_NAME_MISMATCH")}, ninja_key,
       {_ORG.format("coalesce(nullif(btrim(n_org), ''), t_org)")}, 'ThreatLocker',
       coalesce(nullif(btrim(n_display), ''), t_display), {_BILLING.format("is_spare")},
       n_hostname, t_hostname, n_display, t_display,
       jsonb_build_object(
           'tl_hostname', t_hostname, 'ninja_hostname', n_hostname, 'tl_display_name', t_display,
           'ninja_display_name', n_display, 'tl_org_name', t_org, 'ninja_org_name', n_org,
           'hostname_base', ninja_key,
           'note', 'Display names differ between Ninja and ThreatLocker (compared trimmed, ignoring case)',
           'ninja_device_id', device_id, 'tl_computer_id', computer_id, 'match_type', match_type
       )
FROM displays
UNION ALL
SELECT {type_code("SITE_MISMATCH")}, ninja_key,
       {_ORG.format("coalesce(nullif(btrim(n_org), ''), t_org)")}, 'ThreatLocker',
       t_display, {_BILLING.format("is_spare")}, n_hostname, t_hostname, n_display, t_display,
       jsonb_build_object(
           'hostname_base', ninja_key, 'tl_hostname', t_hostname, 'ninja_hostname', n_hostname,
           'tl_site', t_site, 'ninja_site', n_site, 'tl_org', t_org, 'ninja_org', n_org,
           'tl_org_name', t_org, 'ninja_org_name', n_org,
           'alias_applied', (SELECT a.ninja_name FROM variance.organization_aliases a
                             WHERE lower(btrim(a.threatlocker_name)) = lower(btrim(coalesce(t_org, ''))) LIMIT 1),
           'ninja_device_id', device_id, 'tl_computer_id', computer_id, 'match_type', match_type
       )
FROM sites
"""


async def _setting(session: AsyncSession, name: str, value: str) -> None:
    """A planner/executor setting for the rest of this transaction only."""
    await session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


async def find_variances(
    session: AsyncSession, report_date: date, exempt_locations: list[str], work_mem: str = "256MB"
) -> dict[str, int]:
    """Run the six checks for the date into the staging table; returns the count per type.

    A freshly loaded snapshot has no planner statistics, so PostgreSQL believes a date holds a few hundred
    rows. The plans are therefore steered: hash joins and hash aggregates (no nested loops) for the passes
    over every device; LATERAL index lookups (see ``_lookup``) from the small staged results.
    """
    for table in TEMP_TABLES:
        await session.execute(text(f"DROP TABLE IF EXISTS {table}"))
    params = bind(report_date=report_date, exempt=exempt_locations)
    await _setting(session, "work_mem", work_mem)
    # Compiling these plans costs more than running them (and the plan choices below inflate their
    # cost estimates past the JIT thresholds).
    await _setting(session, "jit", "off")

    await _plan(session, "hash")
    for statement in (PAIRS_SQL, DUP_NINJA_SQL, DUP_TL_RAW_SQL):
        await session.execute(text(statement), params)
    await _plan(session, "default")
    await session.execute(text(f"ANALYZE {PAIRS} (device_id, computer_id, t_key)"))
    await session.execute(text(NETBIOS_SQL), params)
    for column in ("computer_id", "t_key", "ninja_key"):
        await session.execute(text(f"CREATE INDEX ON {NETBIOS} ({column})"))
    for table in (NETBIOS, DUP_TL_RAW, DUP_NINJA):
        await session.execute(text(f"ANALYZE {table}"))
    await session.execute(text(NETBIOS_PAIRS_SQL), params)
    await session.execute(text(DUP_TL_SQL), params)
    await session.execute(text(f"ANALYZE {DUP_TL}"))
    await session.execute(text(FIND_SQL), params)
    await _plan(session, "default")
    # The lifecycle statements join this table with the exceptions; give the planner real numbers.
    await session.execute(text(f"ANALYZE {FOUND} (type, key)"))
    rows = await session.execute(text(f"SELECT type, count(*) FROM {FOUND} GROUP BY type"))
    return {str(row[0]): int(row[1]) for row in rows}


_PLANS = {
    # Merge joins would sort a million text keys (collation-aware sorts are slow); hashing is not.
    "hash": {"enable_nestloop": "off", "enable_hashjoin": "on", "enable_mergejoin": "off"},
    "default": {"enable_nestloop": "on", "enable_hashjoin": "on", "enable_mergejoin": "on"},
}


async def _plan(session: AsyncSession, kind: str) -> None:
    for name, value in _PLANS[kind].items():
        await _setting(session, name, value)
