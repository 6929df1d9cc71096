"""Deciding what to send (no SQL, no HTTP): started items → per rule, alerts now, items held for a digest
or for the end of quiet hours, catch-ups and digests when their time comes.

Everything here runs inside the caller's transaction, so a decision and its delivery rows commit
together (and a redelivered event, whose decision is already made, adds nothing: deliveries are unique
per channel, rule and dedupe key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from notifier.catalog import (
    RuleView,
    alert_title,
    build_message,
    digest_boundary,
    in_quiet_hours,
    max_severity,
    passes_quiet_hours,
    rule_wants,
)
from notifier.channels import repository as channels_repo
from notifier.channels.formats import subject as subject_of
from notifier.deliveries import repository as repo
from notifier.rules import repository as rules_repo
from notifier.settings import NotifierSettings


def console_link(settings: NotifierSettings) -> str:
    return settings.public_base_url.rstrip("/") + "/notifications"


async def queue_message(
    session: AsyncSession,
    *,
    rule: RuleView | None,
    channel_ids: Sequence[int],
    kind: str,
    message: Mapping[Any, Any],
    dedupe_key: str,
) -> list[int]:
    """One pending delivery per enabled channel (a disabled or deleted channel gets none)."""
    created = []
    found = await channels_repo.get_many(session, channel_ids)
    for channel_id in channel_ids:
        channel = found.get(int(channel_id))
        if channel is None or not channel["enabled"]:
            continue
        delivery_id = await repo.insert_delivery(
            session,
            kind=kind,
            rule_id=rule.id if rule else None,
            channel_id=channel["id"],
            channel_kind=channel["kind"],
            recipients=list(channel["recipients"] or []),
            dedupe_key=dedupe_key,
            subject=subject_of(message),
            severity=message["severity"],
            message=dict(message),
        )
        if delivery_id is not None:
            created.append(delivery_id)
    return created


async def decide(
    session: AsyncSession,
    settings: NotifierSettings,
    items: Sequence[Mapping[Any, Any]],
    *,
    dedupe_key: str,
    signal_id: int | None,
    now: datetime,
) -> dict[str, int]:
    """Tell every interested rule about items whose condition just started."""
    outcome = {"alerts": 0, "held": 0, "rules": 0}
    if not items:
        return outcome
    rows = await rules_repo.enabled_for(session, {entry["condition"] for entry in items})
    for row in rows:
        rule = RuleView.of(row)
        if rule.snoozed(now):
            continue
        wanted = [entry for entry in items if rule_wants(rule, entry)]
        snoozed = await rules_repo.snoozed_keys(session, rule.id, [entry["key"] for entry in wanted])
        wanted = [entry for entry in wanted if entry["key"] not in snoozed]
        if not wanted:
            continue
        outcome["rules"] += 1
        if rule.delivery_mode == "digest":
            await rules_repo.hold(session, rule.id, "digest", signal_id, wanted)
            outcome["held"] += len(wanted)
            continue
        send_now = wanted
        if in_quiet_hours(rule, now, settings.timezone):
            send_now = [entry for entry in wanted if passes_quiet_hours(rule, entry["severity"])]
            later = [entry for entry in wanted if entry not in send_now]
            await rules_repo.hold(session, rule.id, "quiet", signal_id, later)
            outcome["held"] += len(later)
        if send_now:
            message = build_message(
                kind="alert",
                title=alert_title(rule, send_now),
                items=send_now,
                rule=rule,
                occurred_at=now,
                link=console_link(settings),
            )
            created = await queue_message(
                session,
                rule=rule,
                channel_ids=list(row["channel_ids"] or []),
                kind="alert",
                message=message,
                dedupe_key=dedupe_key,
            )
            outcome["alerts"] += len(created)
    return outcome


async def flush_catchups(session: AsyncSession, settings: NotifierSettings, now: datetime) -> int:
    """Rules whose quiet hours are over: one catch-up message with everything they held."""
    created = 0
    for row in await rules_repo.rules_holding(session, "quiet"):
        rule = RuleView.of(row)
        if in_quiet_hours(rule, now, settings.timezone):
            continue
        held = await rules_repo.held(session, rule.id, "quiet")
        if not held:
            continue
        heading = f"While quiet hours lasted ({rule.name})"
        created += await _send_held(session, settings, row, rule, held, "catchup", heading,
                                    f"catchup:{held[0]['id']}", now)  # fmt: skip
    return created


async def flush_digests(session: AsyncSession, settings: NotifierSettings, now: datetime) -> int:
    """Digest rules whose period ended: one message per rule (and channel) with the period's items."""
    created = 0
    for row in await rules_repo.digest_rules(session):
        boundary = digest_boundary(row["digest_frequency"], int(row["digest_hour"]), now, settings.timezone)
        last = row["last_digest_at"]
        if last is not None and last >= boundary:
            continue
        rule = RuleView.of(row)
        held = await rules_repo.held(session, rule.id, "digest")
        if held:
            period = "Weekly" if row["digest_frequency"] == "weekly" else "Daily"
            created += await _send_held(session, settings, row, rule, held, "digest", f"{period} digest ({rule.name})",
                                        f"digest:{boundary.isoformat()}", now)  # fmt: skip
        await rules_repo.mark_digest(session, rule.id, boundary)
    return created


async def _send_held(
    session: AsyncSession,
    settings: NotifierSettings,
    row: Mapping[Any, Any],
    rule: RuleView,
    held: Sequence[Mapping[Any, Any]],
    kind: str,
    heading: str,
    dedupe_key: str,
    now: datetime,
) -> int:
    """One message with every held item (a catch-up or a digest) to the rule's channels, then release them."""
    items = [entry["item"] for entry in held]
    message = build_message(
        kind=kind,
        title=f"{heading}: {len(items)} item{'s' if len(items) != 1 else ''}",
        items=items,
        rule=rule,
        occurred_at=now,
        link=console_link(settings),
    )
    channel_ids = list(row["channel_ids"] or [])
    ids = await queue_message(session, rule=rule, channel_ids=channel_ids, kind=kind, message=message,
                              dedupe_key=dedupe_key)  # fmt: skip
    await rules_repo.release(session, [entry["id"] for entry in held])
    return len(ids)


def test_message(channel: Mapping[Any, Any], now: datetime, settings: NotifierSettings) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": "test",
        "condition": "test",
        "severity": "info",
        "organization": None,
        "title": f"Test message for channel {channel['name']}",
        "details": {},
    }
    message = build_message(
        kind="test",
        title=f"Test message for channel {channel['name']}",
        items=[entry],
        rule=None,
        occurred_at=now,
        link=console_link(settings),
        summary="If you can read this, the channel works.",
    )
    message["severity"] = max_severity([entry])
    message["conditions"] = []
    return message
