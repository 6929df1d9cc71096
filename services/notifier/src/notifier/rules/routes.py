"""Rule routes: ``/api/notifications/rules`` (list, create, read, replace, delete), snoozing a rule
(``/{id}/snooze``) or one item (``/{id}/item-snoozes``), the condition catalogue (``/conditions``) and
the items whose condition is active now (``/active-conditions``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from hub_shared.errors import ApiError
from notifier.catalog import CONDITIONS, SEVERITIES
from notifier.channels import repository as channels_repo
from notifier.channels.schemas import Deleted
from notifier.rules import repository as repo
from notifier.rules.schemas import (
    ActiveItem,
    ActiveItemList,
    ConditionCatalogue,
    ConditionInfo,
    ConditionName,
    ItemSnooze,
    ItemSnoozeIn,
    ItemSnoozeList,
    Rule,
    RuleIn,
    RuleList,
    SnoozeIn,
)
from notifier.signals import repository as signals_repo
from notifier.web import Answer, Reader, Session, Writer, error_responses

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
RuleId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def rule_view(row: Mapping[Any, Any], held: Mapping[str, int] | None = None) -> Rule:
    held = held or {}
    return Rule(
        **{name: row[name] for name in Rule.model_fields if name in row},
        held_for_digest=held.get("digest", 0),
        held_for_quiet_hours=held.get("quiet", 0),
    )


async def _values(session: Any, body: RuleIn) -> dict[str, Any]:
    values = body.model_dump()
    missing = sorted(set(body.channel_ids) - await channels_repo.existing_ids(session, body.channel_ids))
    if missing:
        raise ApiError(400, f"Unknown channel ids: {', '.join(map(str, missing))}", code="UNKNOWN_CHANNEL")
    values["channel_ids"] = list(dict.fromkeys(body.channel_ids))
    return values


async def _find(session: Any, rule_id: int, *, lock: bool = False) -> Mapping[Any, Any]:
    row = await repo.get(session, rule_id, lock=lock)
    if row is None:
        raise ApiError(404, f"Rule {rule_id} not found")
    return row


def _until(body: SnoozeIn) -> datetime:
    until = body.until if body.until is not None else datetime.now(UTC) + timedelta(minutes=body.minutes or 0)
    if until <= datetime.now(UTC):
        raise ApiError(400, "until must be in the future", code="INVALID_DATA")
    return until


@router.get("/conditions", summary="What rules can notify about, and the severities")
async def conditions(_caller: Reader) -> Answer[ConditionCatalogue]:
    return Answer(
        data=ConditionCatalogue(
            conditions=[
                ConditionInfo(name=c.name, label=c.label, severity=c.severity, description=c.description)
                for c in CONDITIONS.values()
            ],
            severities=list(SEVERITIES),
        )
    )


@router.get("/active-conditions", summary="Items whose condition is active now (what has already been announced)")
async def active_conditions(
    session: Session,
    _caller: Reader,
    condition: ConditionName | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Answer[ActiveItemList]:
    rows, total = await signals_repo.active_items(session, condition, limit, offset)
    return Answer(
        data=ActiveItemList(
            items=[ActiveItem(**{k: row[k] for k in ActiveItem.model_fields}) for row in rows],
            total=total,
            limit=limit,
            offset=offset,
        )
    )


@router.get("/rules", summary="Every rule")
async def list_rules(session: Session, _caller: Reader) -> Answer[RuleList]:
    rows = await repo.list_all(session)
    held = await repo.held_counts(session)
    return Answer(data=RuleList(rules=[rule_view(row, held.get(row["id"])) for row in rows], total=len(rows)))


@router.post("/rules", status_code=201, summary="Create a rule", responses=error_responses(400))
async def create_rule(session: Session, caller: Writer, body: RuleIn) -> Answer[Rule]:
    values = await _values(session, body)
    # A digest starts counting now: the first one covers what happens from here on.
    row = await repo.create(session, {**values, "created_by": caller.user, "last_digest_at": datetime.now(UTC)})
    return Answer(data=rule_view(row))


@router.get("/rules/{rule_id}", summary="One rule", responses=error_responses(404))
async def get_rule(session: Session, _caller: Reader, rule_id: RuleId) -> Answer[Rule]:
    row = await _find(session, rule_id)
    return Answer(data=rule_view(row, (await repo.held_counts(session)).get(rule_id)))


@router.put("/rules/{rule_id}", summary="Replace a rule", responses=error_responses(400, 404))
async def replace_rule(session: Session, _caller: Writer, rule_id: RuleId, body: RuleIn) -> Answer[Rule]:
    await _find(session, rule_id, lock=True)
    row = await repo.replace(session, rule_id, await _values(session, body))
    assert row is not None
    return Answer(data=rule_view(row, (await repo.held_counts(session)).get(rule_id)))


@router.delete("/rules/{rule_id}", summary="Delete a rule (its delivery log stays)", responses=error_responses(404))
async def delete_rule(session: Session, _caller: Writer, rule_id: RuleId) -> Answer[Deleted]:
    if not await repo.remove(session, rule_id):
        raise ApiError(404, f"Rule {rule_id} not found")
    return Answer(data=Deleted(id=rule_id))


@router.post(
    "/rules/{rule_id}/snooze",
    summary="Snooze a rule: nothing it would announce until then is sent (or held)",
    responses=error_responses(400, 404),
)
async def snooze_rule(session: Session, _caller: Writer, rule_id: RuleId, body: SnoozeIn) -> Answer[Rule]:
    await _find(session, rule_id, lock=True)
    row = await repo.set_snooze(session, rule_id, _until(body), body.reason)
    assert row is not None
    return Answer(data=rule_view(row))


@router.delete("/rules/{rule_id}/snooze", summary="End a rule's snooze", responses=error_responses(404))
async def unsnooze_rule(session: Session, _caller: Writer, rule_id: RuleId) -> Answer[Rule]:
    await _find(session, rule_id, lock=True)
    row = await repo.set_snooze(session, rule_id, None, None)
    assert row is not None
    return Answer(data=rule_view(row))


@router.get("/rules/{rule_id}/item-snoozes", summary="Items a rule keeps quiet about", responses=error_responses(404))
async def item_snoozes(session: Session, _caller: Reader, rule_id: RuleId) -> Answer[ItemSnoozeList]:
    await _find(session, rule_id)
    rows = await repo.item_snoozes_of(session, rule_id)
    return Answer(data=ItemSnoozeList(snoozes=[ItemSnooze(**dict(row)) for row in rows]))


@router.post(
    "/rules/{rule_id}/item-snoozes",
    status_code=201,
    summary="Snooze one item (e.g. exception:42) for this rule, with a reason",
    responses=error_responses(400, 404),
)
async def snooze_item(session: Session, caller: Writer, rule_id: RuleId, body: ItemSnoozeIn) -> Answer[ItemSnooze]:
    await _find(session, rule_id)
    row = await repo.snooze_item(session, rule_id, body.item_key, _until(body), body.reason, caller.user)
    return Answer(data=ItemSnooze(**dict(row)))


@router.delete(
    "/rules/{rule_id}/item-snoozes",
    summary="End one item's snooze",
    responses=error_responses(404),
)
async def unsnooze_item(
    session: Session,
    _caller: Writer,
    rule_id: RuleId,
    item_key: Annotated[str, Query(min_length=1, max_length=500)],
) -> Answer[Deleted]:
    await _find(session, rule_id)
    if not await repo.unsnooze_item(session, rule_id, item_key):
        raise ApiError(404, f"No snooze for {item_key!r} on rule {rule_id}")
    return Answer(data=Deleted(id=rule_id))
