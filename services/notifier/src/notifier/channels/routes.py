"""Channel routes: ``/api/notifications/channels`` (list, create, read, replace, delete, ``/{id}/test``)
and ``/api/notifications/smtp-status``. Secrets never appear: a channel names its secret variables and
the answer says whether they are set."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Request
from sqlalchemy.exc import IntegrityError

from hub_shared.errors import ApiError
from notifier.channels import repository as repo
from notifier.channels.schemas import Channel, ChannelIn, ChannelList, Deleted, SmtpStatus, TestResult
from notifier.channels.service import ChannelInvalid, secret_status, validate_channel
from notifier.deliveries.worker import send_test
from notifier.web import Answer, Reader, Session, Writer, error_responses, runtime_of, settings_of

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
ChannelId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def channel_view(row: Mapping[Any, Any]) -> Channel:
    url = row["url"]
    if url and row["kind"] in ("teams", "slack"):
        parts = urlsplit(url)
        url = f"{parts.scheme}://{parts.hostname}/…"
    return Channel(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        url=url,
        url_env=row["url_env"],
        secret_env=row["secret_env"],
        recipients=list(row["recipients"] or []),
        enabled=row["enabled"],
        disabled_reason=row["disabled_reason"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        **secret_status(row),
    )


def _values(request: Request, body: ChannelIn) -> dict[str, Any]:
    values = body.model_dump()
    try:
        validate_channel(settings_of(request), values)
    except ChannelInvalid as exc:
        raise ApiError(400, str(exc), code="INVALID_CHANNEL") from None
    return values


async def _find(session: Any, channel_id: int) -> Mapping[Any, Any]:
    row = await repo.get(session, channel_id)
    if row is None:
        raise ApiError(404, f"Channel {channel_id} not found")
    return row


@router.get("/smtp-status", summary="How e-mail is configured (no secrets)")
async def smtp_status(request: Request, _caller: Reader) -> Answer[SmtpStatus]:
    settings = settings_of(request)
    return Answer(
        data=SmtpStatus(
            smtp_enabled=settings.smtp_enabled,
            smtp_host=settings.notifier_smtp_host,
            smtp_port=settings.notifier_smtp_port,
            smtp_use_tls=settings.notifier_smtp_tls != "none",
            smtp_tls_mode=settings.notifier_smtp_tls,
            smtp_has_auth=bool(settings.notifier_smtp_user),
            smtp_from=settings.notifier_smtp_from,
        )
    )


@router.get("/channels", summary="Every channel")
async def list_channels(session: Session, _caller: Reader) -> Answer[ChannelList]:
    rows = await repo.list_all(session)
    return Answer(data=ChannelList(channels=[channel_view(row) for row in rows], total=len(rows)))


@router.post("/channels", status_code=201, summary="Create a channel", responses=error_responses(400, 409))
async def create_channel(request: Request, session: Session, caller: Writer, body: ChannelIn) -> Answer[Channel]:
    values = _values(request, body)
    if await repo.by_name(session, body.name) is not None:
        raise ApiError(409, f"A channel named {body.name!r} exists", code="DUPLICATE_NAME")
    try:
        async with session.begin_nested():
            row = await repo.create(session, {**values, "created_by": caller.user})
    except IntegrityError:
        raise ApiError(409, f"A channel named {body.name!r} exists", code="DUPLICATE_NAME") from None
    return Answer(data=channel_view(row))


@router.get("/channels/{channel_id}", summary="One channel", responses=error_responses(404))
async def get_channel(session: Session, _caller: Reader, channel_id: ChannelId) -> Answer[Channel]:
    return Answer(data=channel_view(await _find(session, channel_id)))


@router.put(
    "/channels/{channel_id}",
    summary="Replace a channel (enabling it again clears the reason it was disabled)",
    responses=error_responses(400, 404, 409),
)
async def replace_channel(
    request: Request, session: Session, _caller: Writer, channel_id: ChannelId, body: ChannelIn
) -> Answer[Channel]:
    values = _values(request, body)
    await _find(session, channel_id)
    other = await repo.by_name(session, body.name)
    if other is not None and other["id"] != channel_id:
        raise ApiError(409, f"A channel named {body.name!r} exists", code="DUPLICATE_NAME")
    if body.enabled:
        values["disabled_reason"] = None
    row = await repo.replace(session, channel_id, values)
    assert row is not None
    return Answer(data=channel_view(row))


@router.delete("/channels/{channel_id}", summary="Delete a channel", responses=error_responses(404))
async def delete_channel(session: Session, _caller: Writer, channel_id: ChannelId) -> Answer[Deleted]:
    if not await repo.remove(session, channel_id):
        raise ApiError(404, f"Channel {channel_id} not found")
    return Answer(data=Deleted(id=channel_id))


@router.post(
    "/channels/{channel_id}/test",
    summary="Send a test message now (no retries; logged in the delivery log)",
    responses=error_responses(404),
)
async def test_channel(
    request: Request, session: Session, _caller: Writer, channel_id: ChannelId
) -> Answer[TestResult]:
    channel = await _find(session, channel_id)
    result = await send_test(runtime_of(request), session, channel, datetime.now(UTC))
    return Answer(data=TestResult(**result))
