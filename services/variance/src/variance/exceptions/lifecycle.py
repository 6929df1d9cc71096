"""The exception lifecycle, in one place: every state transition (collector-driven after a computation,
person-driven through the API), the lock they share, the per-date counts they leave behind and the
report revision they bump. The rules are the tables below; the SQL is generated from them and binds the
catalogue's states and type codes as parameters (``variance.queries``), never as literals.

An exception is an identity (type + match key) kept across days, in one of the catalogue's states:
``active``, ``resolved``, ``manually_fixed``, ``collector_verified``, ``stale``.

Collector-driven (``after_collection``, run by every computation of a report date, in its transaction):

- ``DETECTED``: a new identity is ``active``.
- ``FOUND_AGAIN``: an identity the date's findings contain again, first matching rule wins. A person's
  resolution stays while the condition persists and reopens only after the condition went away on an
  earlier report date; a manual fix stays until a collection *newer than the fix* still shows it.
- ``GONE``: an identity shown before (or still open) that the findings no longer contain. An open
  exception is resolved by the collector while its device is still in a vendor, else it is ``stale``; a
  manual fix is verified (absence in an older collection verifies it too; ``FOUND_AGAIN`` judges a
  verification again when a same-date re-collection contradicts it).

Same-date re-collections are computed after each vendor's snapshot, so one computation may briefly see a
new ThreatLocker snapshot with the old Ninja one; the rules keep such a half-way view from reopening a
person's decision.

Person-driven (``apply_person_change``): ``PERSON_ACTIONS`` — ``resolve``, ``mark_manually_fixed``,
``reset_status``.

Every transition writes one history row (action, from, to, who and from where, report date, note). Both
kinds take ``lock`` first: a computation rewrites exception rows set-wise in its own order, so a person's
change and a computation (or two bulk changes) queue instead of deadlocking. After a change the affected
dates' counts are refreshed and their reports' revision bumped (cached bodies retire; every process is
told at commit through ``NOTIFY``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from variance.catalog import (
    ACTIVE,
    COLLECTOR_ACTOR,
    COLLECTOR_SOURCE,
    COLLECTOR_VERIFIED,
    MANUALLY_FIXED,
    RESOLVED,
    STALE,
)
from variance.models import ENTRY_COLUMNS
from variance.queries import COLLECTOR, REPORT_CHANGES_CHANNEL, bind, state, states

LOCK_KEY = "variance.checks"


@dataclass(frozen=True)
class Transition:
    """An identity in one of ``from_states`` for which ``when`` holds moves to ``to``.

    ``when`` is a SQL condition over the exception ``e`` and the statement's parameters (``:report_date``,
    ``:collected_at`` — the older of the two vendors' collection times, NULL unless both collected).
    """

    name: str
    from_states: tuple[str, ...]
    to: str
    action: str  # the history row's action
    note: str
    when: str = "true"
    sets_resolution: bool = False  # resolved_date / resolved_by become the report date / the collector


# A manual fix made before both vendors' snapshots of the report date were collected.
_FIX_OLDER = "e.manually_updated_at < :collected_at"
# Verified earlier on this same report date (a re-collection seen half-way).
_VERIFIED_TODAY = "e.absent_since = :report_date AND e.manually_updated_at IS NOT NULL"
_FIX_CONTRADICTED = "Reopened: a collection after the manual fix still shows the condition"
_DETECTED_AGAIN = "Reopened: the condition was detected again"

DETECTED = Transition("new", (), ACTIVE, "detected", "Detected by the cross-vendor checks")

FOUND_AGAIN: tuple[Transition, ...] = (
    Transition("fix contradicted", (MANUALLY_FIXED,), ACTIVE, "reopened", _FIX_CONTRADICTED, when=_FIX_OLDER),
    Transition(
        "same-day verification contradicted",
        (COLLECTOR_VERIFIED,),
        ACTIVE,
        "reopened",
        _FIX_CONTRADICTED,
        when=f"{_VERIFIED_TODAY} AND {_FIX_OLDER}",
    ),
    Transition(
        "same-day verification withdrawn",
        (COLLECTOR_VERIFIED,),
        MANUALLY_FIXED,
        MANUALLY_FIXED,
        "The fix awaits a collection made after it",
        when=_VERIFIED_TODAY,
    ),
    Transition(
        "verified fix contradicted",
        (COLLECTOR_VERIFIED,),
        ACTIVE,
        "reopened",
        _FIX_CONTRADICTED,
        when="e.manually_updated_at IS NOT NULL",
    ),
    Transition("condition back", (COLLECTOR_VERIFIED, STALE), ACTIVE, "reopened", _DETECTED_AGAIN),
    Transition(
        "condition back after a resolution",
        (RESOLVED,),
        ACTIVE,
        "reopened",
        _DETECTED_AGAIN,
        when=f"NOT e.present AND (e.resolved_by = {COLLECTOR} OR e.absent_since < :report_date)",
    ),
)

# ``device_listed``: a device with the identity's key is in either vendor's snapshot of the date.
GONE: tuple[Transition, ...] = (
    Transition(
        "condition gone",
        (ACTIVE,),
        RESOLVED,
        "auto_resolved",
        "The condition is no longer present in the collected data",
        when="device_listed",
        sets_resolution=True,
    ),
    Transition("device gone", (ACTIVE,), STALE, STALE, "The device is no longer in either vendor"),
    Transition(
        "fix verified",
        (MANUALLY_FIXED,),
        COLLECTOR_VERIFIED,
        COLLECTOR_VERIFIED,
        "The collection confirms the manual fix",
    ),
)
# The states the "gone" pass looks at besides the shown identities (index ix_exceptions_open).
WATCHED_WHEN_ABSENT: tuple[str, ...] = tuple(dict.fromkeys(s for rule in GONE for s in rule.from_states))


@dataclass(frozen=True)
class PersonAction:
    """What a person's action sets: the state, the history action, and the action's own fields (SQL)."""

    name: str
    to: str
    history_action: str
    sets: str


PERSON_ACTIONS: dict[str, PersonAction] = {
    action.name: action
    for action in (
        PersonAction(
            "resolve",
            RESOLVED,
            "resolved",
            "resolved_date = :today, resolved_by = :actor, notes = coalesce(:notes, e.notes)",
        ),
        PersonAction(
            "mark_manually_fixed",
            MANUALLY_FIXED,
            MANUALLY_FIXED,
            "manually_updated_at = :now, manually_updated_by = :actor, update_type = :update_type, "
            "old_value = CAST(:old_value AS jsonb), new_value = CAST(:new_value AS jsonb), "
            "notes = coalesce(:notes, e.notes)",
        ),
        # Really reopens (the replaced system left ``resolved`` set).
        PersonAction(
            "reset_status",
            ACTIVE,
            "reset_status",
            "resolved_date = NULL, resolved_by = NULL, manually_updated_at = NULL, manually_updated_by = NULL, "
            "update_type = NULL, old_value = NULL, new_value = NULL",
        ),
    )
}


# ----------------------------------------------------------------------------------------- SQL


def _rule_number(rules: Sequence[Transition]) -> str:
    """The 1-based number of the first rule that applies to ``e`` (NULL: none)."""
    arms = [
        f"WHEN e.status IN ({states(*rule.from_states)}) AND ({rule.when}) THEN {number}"
        for number, rule in enumerate(rules, 1)
    ]
    return "CASE " + " ".join(arms) + " END"


def _rule_params(prefix: str, rules: Sequence[Transition]) -> dict[str, Any]:
    """Per rule number (SQL arrays are 1-based): the new state, the history action and note."""
    return {
        f"{prefix}_to": [rule.to for rule in rules],
        f"{prefix}_action": [rule.action for rule in rules],
        f"{prefix}_note": [rule.note for rule in rules],
        f"{prefix}_resolves": [rule.sets_resolution for rule in rules],
    }


def _pick(prefix: str, column: str, kind: str = "text") -> str:
    return f"(CAST(:{prefix}_{column} AS {kind}[]))[rule]"


_HISTORY_INSERT = """
INSERT INTO variance.exception_history
    (exception_id, changed_at, action, from_status, to_status, actor, actor_source, report_date, notes)
"""
_ENTRY = ", ".join(ENTRY_COLUMNS)


def found_again_sql(found: str) -> str:
    return f"""
WITH matched AS (
    SELECT e.id, e.status AS old_status, {_rule_number(FOUND_AGAIN)} AS rule
    FROM variance.exceptions e
    JOIN {found} f ON f.type = e.type AND f.key = e.key
    FOR UPDATE OF e
),
moving AS (
    SELECT id, old_status, rule, {_pick("found", "to")} AS new_status FROM matched WHERE rule IS NOT NULL
),
changed AS (
    UPDATE variance.exceptions e
    SET status = m.new_status, status_changed_at = :now, updated_at = :now,
        resolved_date = CASE WHEN m.new_status = {state(ACTIVE)} THEN NULL ELSE e.resolved_date END,
        resolved_by = CASE WHEN m.new_status = {state(ACTIVE)} THEN NULL ELSE e.resolved_by END
    FROM moving m
    WHERE e.id = m.id AND m.new_status <> m.old_status
    RETURNING e.id, m.old_status, m.new_status, m.rule
)
{_HISTORY_INSERT}
SELECT id, :now, {_pick("found", "action")}, old_status, new_status, {COLLECTOR}, :collector_source, :report_date,
       {_pick("found", "note")}
FROM changed
"""


def gone_sql(found: str) -> str:
    rule = _rule_number(GONE).replace("device_listed", "(in_ninja.found OR in_tl.found)")
    return f"""
WITH matched AS (
    SELECT e.id, e.status AS old_status, {rule} AS rule
    FROM variance.exceptions e
    LEFT JOIN LATERAL (
        SELECT true AS found FROM ninja.snapshot_devices_v1 n
        WHERE n.snapshot_date = :report_date AND n.match_key = e.key LIMIT 1
    ) in_ninja ON true
    LEFT JOIN LATERAL (
        SELECT true AS found FROM threatlocker.snapshot_devices_v1 t
        WHERE t.snapshot_date = :report_date AND t.match_key = e.key LIMIT 1
    ) in_tl ON true
    WHERE (e.present OR e.status IN ({states(*WATCHED_WHEN_ABSENT)}))
      AND NOT EXISTS (SELECT 1 FROM {found} f WHERE f.type = e.type AND f.key = e.key)
    FOR UPDATE OF e
),
gone AS (
    SELECT id, old_status, rule, coalesce({_pick("gone", "to")}, old_status) AS new_status,
           coalesce({_pick("gone", "resolves", "boolean")}, false) AS resolves
    FROM matched
),
changed AS (
    UPDATE variance.exceptions e
    SET present = false,
        absent_since = CASE WHEN e.present THEN :report_date ELSE e.absent_since END,
        status = g.new_status,
        status_changed_at = CASE WHEN g.new_status <> g.old_status THEN :now ELSE e.status_changed_at END,
        resolved_date = CASE WHEN g.resolves THEN :report_date ELSE e.resolved_date END,
        resolved_by = CASE WHEN g.resolves THEN {COLLECTOR} ELSE e.resolved_by END,
        updated_at = :now
    FROM gone g
    WHERE e.id = g.id
    RETURNING e.id, g.old_status, g.new_status, g.rule
)
{_HISTORY_INSERT}
SELECT id, :now, {_pick("gone", "action")}, old_status, new_status, {COLLECTOR}, :collector_source, :report_date,
       {_pick("gone", "note")}
FROM changed
WHERE new_status <> old_status
"""


def detected_sql(found: str) -> str:
    """New identities are detected; known ones get the date's details. ``xmax = 0`` marks an insert."""
    return f"""
WITH upserted AS (
    INSERT INTO variance.exceptions
        (type, key, status, present, first_seen, last_seen, {_ENTRY}, details,
         status_changed_at, created_at, updated_at)
    SELECT type, key, {state(DETECTED.to)}, true, :report_date, :report_date, {_ENTRY}, details, :now, :now, :now
    FROM {found}
    ON CONFLICT (type, key) DO UPDATE SET
        present = true,
        absent_since = NULL,
        last_seen = greatest(variance.exceptions.last_seen, EXCLUDED.last_seen),
        first_seen = least(variance.exceptions.first_seen, EXCLUDED.first_seen),
        {", ".join(f"{column} = EXCLUDED.{column}" for column in ENTRY_COLUMNS)},
        details = EXCLUDED.details,
        updated_at = EXCLUDED.updated_at
    RETURNING id, (xmax = 0) AS inserted
)
{_HISTORY_INSERT}
SELECT id, :now, :detected_action, NULL, {state(DETECTED.to)}, {COLLECTOR}, :collector_source, :report_date,
       :detected_note
FROM upserted WHERE inserted
"""


def occurrences_sql(found: str) -> str:
    """The date's device-level rows: each finding with its identity's state after this computation."""
    return f"""
INSERT INTO variance.occurrences (report_date, exception_id, type, key, status, {_ENTRY}, details)
SELECT :report_date, e.id, f.type, f.key, e.status, {", ".join(f"f.{column}" for column in ENTRY_COLUMNS)}, f.details
FROM {found} f JOIN variance.exceptions e ON e.type = f.type AND e.key = f.key
"""


COUNTS_SQL = f"""
INSERT INTO variance.report_counts (report_date, type, total, unresolved, resolved)
SELECT report_date, type, count(*), count(*) FILTER (WHERE status = {state(ACTIVE)}),
       count(*) FILTER (WHERE status <> {state(ACTIVE)})
FROM variance.occurrences
WHERE report_date = ANY(CAST(:dates AS date[]))
GROUP BY report_date, type
ON CONFLICT (report_date, type) DO UPDATE SET
    total = EXCLUDED.total, unresolved = EXCLUDED.unresolved, resolved = EXCLUDED.resolved
"""


def person_change_sql(action: PersonAction) -> str:
    return f"""
WITH target AS (
    SELECT id, status AS old_status FROM variance.exceptions
    WHERE id = ANY(CAST(:ids AS bigint[])) FOR UPDATE
),
changed AS (
    UPDATE variance.exceptions e SET status = CAST(:to_status AS text), {action.sets},
        status_changed_at = CASE WHEN e.status IS DISTINCT FROM CAST(:to_status AS text)
                                 THEN :now ELSE e.status_changed_at END,
        updated_at = :now
    FROM target t
    WHERE e.id = t.id
    RETURNING e.id, t.old_status, e.status, e.last_seen
),
logged AS (
    INSERT INTO variance.exception_history
        (exception_id, changed_at, action, from_status, to_status, actor, actor_source, report_date, notes, data)
    SELECT id, :now, :history_action, old_status, status, :actor, :actor_source, last_seen, :notes,
           CAST(:data AS jsonb)
    FROM changed
),
shown AS (
    UPDATE variance.occurrences o SET status = c.status
    FROM changed c WHERE o.exception_id = c.id AND o.report_date = c.last_seen
)
SELECT id FROM changed
"""


# ----------------------------------------------------------------------------------------- steps


async def lock(session: AsyncSession) -> None:
    """One writer of exception rows at a time (held to the end of the caller's transaction)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": LOCK_KEY})


async def _setting(session: AsyncSession, name: str, value: str) -> None:
    await session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


async def after_collection(
    session: AsyncSession, found: str, report_date: date, collected_at: datetime | None, now: datetime
) -> None:
    """Move every identity to its state after this computation, then write the date's rows and counts.

    ``found`` is the temporary table of the date's findings (``type``, ``key``, the entry columns,
    ``details``) the checks staged. The caller holds ``lock``.
    """
    # Plan with the bound states as the constants they are, so the "gone" pass can use the partial
    # index on the watched states (a generic plan could not prove its predicate).
    await _setting(session, "plan_cache_mode", "force_custom_plan")
    params = bind(
        {"report_date": report_date, "collected_at": collected_at, "now": now, "collector_source": COLLECTOR_SOURCE},
        **_rule_params("found", FOUND_AGAIN),
        **_rule_params("gone", GONE),
        detected_action=DETECTED.action,
        detected_note=DETECTED.note,
    )
    for statement in (found_again_sql(found), gone_sql(found), detected_sql(found)):
        await session.execute(text(statement), params)
    day = {"report_date": report_date}
    await session.execute(text("DELETE FROM variance.occurrences WHERE report_date = :report_date"), day)
    await session.execute(text(occurrences_sql(found)), day)
    await session.execute(text("DELETE FROM variance.report_counts WHERE report_date = :report_date"), day)
    await refresh_counts(session, [report_date])
    await _setting(session, "plan_cache_mode", "auto")


async def refresh_counts(session: AsyncSession, dates: list[date]) -> None:
    """Per-date counts from the device-level rows (only dates that still have them)."""
    if dates:
        await session.execute(text(COUNTS_SQL), bind(dates=dates))


@dataclass(frozen=True)
class Change:
    """A person's action on some exceptions, as the history records it."""

    action: str  # a key of PERSON_ACTIONS
    actor: str
    actor_source: str
    now: datetime
    today: date
    notes: str | None = None
    update_type: str | None = None
    old_value: str | None = None  # JSON text
    new_value: str | None = None  # JSON text
    data: str | None = None  # JSON text for the history row


async def apply_person_change(session: AsyncSession, ids: list[int], change: Change, columns: str) -> list[RowMapping]:
    """Apply a person's action to the exceptions that exist among ``ids``; returns them (``columns`` of
    ``e``), updated. The row each shows in its last report follows, and that date's counts and revision."""
    action = PERSON_ACTIONS[change.action]
    await lock(session)
    changed = await session.execute(
        text(person_change_sql(action)),
        {
            "ids": ids,
            "to_status": action.to,
            "history_action": action.history_action,
            "actor": change.actor,
            "actor_source": change.actor_source,
            "now": change.now,
            "today": change.today,
            "notes": change.notes,
            "update_type": change.update_type,
            "old_value": change.old_value,
            "new_value": change.new_value,
            "data": change.data,
        },
    )
    updated = [int(row[0]) for row in changed]
    if not updated:
        return []
    rows = await session.execute(
        text(f"SELECT {columns} FROM variance.exceptions e WHERE e.id = ANY(CAST(:ids AS bigint[])) ORDER BY e.id"),
        {"ids": updated},
    )
    result = list(rows.mappings())
    dates = sorted({row["last_seen"] for row in result})
    await refresh_counts(session, dates)
    await touch_reports(session, dates)
    return result


# ----------------------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class ReportSnapshots:
    """The two vendors' snapshots a report date is computed from."""

    report_date: date
    ninja_devices: int
    threatlocker_devices: int
    ninja_collected_at: datetime | None
    threatlocker_collected_at: datetime | None

    @property
    def both_collected_at(self) -> datetime | None:
        """The older of the two collection times (None unless both vendors collected the date)."""
        moments = [m for m in (self.ninja_collected_at, self.threatlocker_collected_at) if m is not None]
        return min(moments) if len(moments) == 2 else None


async def report_snapshots(session: AsyncSession, report_date: date) -> ReportSnapshots:
    """Device counts (VM guests left out of Ninja's, as everywhere in the hub) and collection times."""
    row = (
        await session.execute(
            text(
                """
                SELECT
                  (SELECT count(*) FROM ninja.snapshot_devices_v1
                    WHERE snapshot_date = :day AND device_type <> 'vm_guest') AS ninja_devices,
                  (SELECT device_count FROM threatlocker.snapshots_v1 WHERE snapshot_date = :day) AS tl_devices,
                  (SELECT collected_at FROM ninja.snapshots_v1 WHERE snapshot_date = :day) AS ninja_at,
                  (SELECT collected_at FROM threatlocker.snapshots_v1 WHERE snapshot_date = :day) AS tl_at
                """
            ),
            {"day": report_date},
        )
    ).one()
    return ReportSnapshots(report_date, int(row[0] or 0), int(row[1] or 0), row[2], row[3])


async def record_report(
    session: AsyncSession, snapshots: ReportSnapshots, *, now: datetime, batch_id: str | None, duration_ms: int
) -> dict[str, int]:
    """Upsert the computed date's report row (revision + 1); returns the per-type totals."""
    day = {"day": snapshots.report_date}
    counts = {
        str(row[0]): int(row[1])
        for row in await session.execute(
            text("SELECT type, total FROM variance.report_counts WHERE report_date = :day"), day
        )
    }
    unresolved = (
        await session.execute(
            text("SELECT coalesce(sum(unresolved), 0) FROM variance.report_counts WHERE report_date = :day"), day
        )
    ).scalar_one()
    await session.execute(
        text(
            """
            INSERT INTO variance.reports
                (report_date, computed_at, revision, computations, ninja_devices, threatlocker_devices,
                 ninja_collected_at, threatlocker_collected_at, total_exceptions, unresolved_exceptions,
                 batch_id, duration_ms)
            VALUES (:day, :now, 1, 1, :ninja, :tl, :ninja_at, :tl_at, :total, :unresolved, :batch_id, :ms)
            ON CONFLICT (report_date) DO UPDATE SET
                computed_at = EXCLUDED.computed_at,
                revision = variance.reports.revision + 1,
                computations = variance.reports.computations + 1,
                ninja_devices = EXCLUDED.ninja_devices,
                threatlocker_devices = EXCLUDED.threatlocker_devices,
                ninja_collected_at = EXCLUDED.ninja_collected_at,
                threatlocker_collected_at = EXCLUDED.threatlocker_collected_at,
                total_exceptions = EXCLUDED.total_exceptions,
                unresolved_exceptions = EXCLUDED.unresolved_exceptions,
                batch_id = coalesce(EXCLUDED.batch_id, variance.reports.batch_id),
                duration_ms = EXCLUDED.duration_ms
            """
        ),
        {
            **day,
            "now": now,
            "ninja": snapshots.ninja_devices,
            "tl": snapshots.threatlocker_devices,
            "ninja_at": snapshots.ninja_collected_at,
            "tl_at": snapshots.threatlocker_collected_at,
            "total": sum(counts.values()),
            "unresolved": int(unresolved),
            "batch_id": batch_id,
            "ms": duration_ms,
        },
    )
    await notify_report_change(session)
    return counts


async def touch_reports(session: AsyncSession, dates: list[date]) -> None:
    """New revision (cached bodies retire) and fresh unresolved totals for the dates' reports."""
    await session.execute(
        text(
            """
            UPDATE variance.reports r SET
                revision = r.revision + 1,
                unresolved_exceptions = (SELECT coalesce(sum(c.unresolved), 0) FROM variance.report_counts c
                                         WHERE c.report_date = r.report_date)
            WHERE r.report_date = ANY(CAST(:dates AS date[]))
            """
        ),
        {"dates": dates},
    )
    await notify_report_change(session)


async def notify_report_change(session: AsyncSession) -> None:
    """Tell every process that a report changed (delivered when the transaction commits)."""
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": REPORT_CHANGES_CHANNEL})


__all__ = [
    "COLLECTOR_ACTOR",
    "DETECTED",
    "FOUND_AGAIN",
    "GONE",
    "PERSON_ACTIONS",
    "Change",
    "ReportSnapshots",
    "after_collection",
    "apply_person_change",
    "lock",
    "record_report",
    "refresh_counts",
    "report_snapshots",
    "touch_reports",
]
