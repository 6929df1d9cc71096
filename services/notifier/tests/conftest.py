"""Fixtures of the notifier tests: a real SMTP server (aiosmtpd), a real HTTP receiver, and the notifier.

- ``smtp``: an aiosmtpd server on a free port; ``smtp.messages`` are the parsed e-mails it accepted.
- ``receiver``: an HTTP server on a free port recording every request; ``receiver.script(...)`` sets the
  statuses (and headers) of the next answers, then it answers 200.
- ``notifier_factory(**overrides)``: the notifier service (HTTP + its workers) on the session's database
  and broker; ``NotifierHandle.api`` calls it with a signed identity holding the notifications scopes.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiosmtpd.controller import Controller
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.events import dump_event
from hub_shared.identity import issue_identity, sign_identity
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings
from hub_shared.testing.plugin import purge_consumer_queues
from hub_shared.testing.servers import free_port, running_server
from notifier.definition import SPEC as NOTIFIER
from notifier.settings import NotifierSettings

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


# ------------------------------------------------------------------------------------------- SMTP


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.refuse:
            return self.sink.refuse
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.sink.messages.append(message)
        self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: str | None = None

    async def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.messages) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{len(self.messages)} e-mails arrived, expected {count}")
            await asyncio.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(_Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def parts_of(message: EmailMessage) -> dict[str, str]:
    """The text/plain and text/html bodies of a message."""
    found = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html") and not part.get_filename():
            found[part.get_content_type()] = part.get_content()
    return found


# ------------------------------------------------------------------------------------------- HTTP


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delay: float = 0.0
    # Requests the receiver answered 2xx for (what it really accepted).
    accepted: list[Received] = field(default_factory=list)

    def script(self, *answers: int | tuple[int, dict[str, str]]) -> None:
        self.answers = [answer if isinstance(answer, tuple) else (answer, {}) for answer in answers]

    async def handle(self, request: Request) -> Response:
        received = Received(request.url.path, {k.lower(): v for k, v in request.headers.items()}, await request.body())
        self.requests.append(received)
        waited = 0.0
        while waited < self.delay and not await request.is_disconnected():
            await asyncio.sleep(0.1)
            waited += 0.1
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        # A sender that died while we waited never sees this answer: it did not deliver.
        if 200 <= status < 300 and not await request.is_disconnected():
            self.accepted.append(received)
        return Response(b"" if status < 400 else b"nope", status_code=status, headers=headers)

    async def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.requests) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{len(self.requests)} requests arrived, expected {count}")
            await asyncio.sleep(0.05)
        return self.requests


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    handle = Receiver()
    app = Starlette(routes=[Route("/{path:path}", handle.handle, methods=["POST"])])
    async with running_server(app) as url:
        handle.url = url
        yield handle


# ------------------------------------------------------------------------------------------- notifier


@dataclass
class NotifierHandle:
    runtime: ServiceRuntime
    url: str
    api: httpx.AsyncClient
    database: Database

    @property
    def settings(self) -> NotifierSettings:
        settings = self.runtime.settings
        assert isinstance(settings, NotifierSettings)
        return settings

    async def publish(self, event: Any) -> None:
        """Put an event on the bus as its producer's outbox relay would."""
        assert self.runtime.bus is not None
        await self.runtime.bus.publish(
            dump_event(event), routing_key=event.type, message_id=str(event.event_id), event_type=event.type
        )

    async def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.api.post(path, json=body)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    async def channel(self, **body: Any) -> dict[str, Any]:
        return await self.create("/api/notifications/channels", body)

    async def rule(self, **body: Any) -> dict[str, Any]:
        return await self.create("/api/notifications/rules", body)

    async def deliveries(self, **params: Any) -> list[dict[str, Any]]:
        response = await self.api.get("/api/notifications/deliveries", params={"limit": 500, **params})
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["data"]["items"]
        return items

    async def delivery(self, delivery_id: int) -> dict[str, Any]:
        response = await self.api.get(f"/api/notifications/deliveries/{delivery_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    async def settled(self, timeout: float = 30) -> list[dict[str, Any]]:
        """Wait until every signal is evaluated and no delivery is due now; the delivery log then."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self.database.transaction() as session:
                busy = (
                    await session.execute(
                        text(
                            "SELECT (SELECT count(*) FROM notifier.signals WHERE evaluated_at IS NULL)"
                            " + (SELECT count(*) FROM notifier.deliveries WHERE status = 'pending')"
                        )
                    )
                ).scalar_one()
            if not busy:
                return await self.deliveries()
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"notifier still busy: {await self.deliveries()}")
            await asyncio.sleep(0.1)

    async def signals_evaluated(self, count: int, timeout: float = 60) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self.database.transaction() as session:
                done = (
                    await session.execute(text("SELECT count(*) FROM notifier.signals WHERE evaluated_at IS NOT NULL"))
                ).scalar_one()
            if done >= count:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{done} signals evaluated, expected {count}")
            await asyncio.sleep(0.1)


def signed_headers(
    settings: ServiceSettings, scopes: tuple[str, ...] = ("notifications:write",), audience: str = "notifier"
) -> dict[str, str]:
    """The identity header the gateway sends to ``audience`` (the service called) for a signed-in person."""
    identity = issue_identity("alice@example.com", "session", email="alice@example.com", scopes=scopes, ttl_seconds=600)
    return {"x-hub-identity": sign_identity(identity, settings.hub_internal_signing_key, audience=audience)}


def notifier_settings(
    service_settings: Callable[..., ServiceSettings], smtp: SmtpSink | None, **overrides: Any
) -> NotifierSettings:
    values: dict[str, Any] = {
        "notifier_allow_private_targets": True,
        "notifier_allowed_schemes": ["http", "https"],
        "notifier_retry_base_seconds": 0.05,
        "notifier_retry_max_seconds": 2,
        "notifier_poll_seconds": 0.1,
        "notifier_tick_seconds": 3600,
        "notifier_smtp_tls": "none",
    }
    if smtp is not None:
        values.update(notifier_smtp_host=smtp.host, notifier_smtp_port=smtp.port)
    values.update(overrides)
    settings = service_settings(NOTIFIER, **values)
    assert isinstance(settings, NotifierSettings)
    return settings


@pytest_asyncio.fixture
async def notifier_factory(
    service_settings: Callable[..., ServiceSettings], database: Database
) -> AsyncIterator[Callable[..., Any]]:
    async with AsyncExitStack() as stack:

        async def start(smtp: SmtpSink | None = None, **overrides: Any) -> NotifierHandle:
            settings = notifier_settings(service_settings, smtp, **overrides)
            await purge_consumer_queues(NOTIFIER, settings)
            runtime = ServiceRuntime(NOTIFIER, settings)
            url = await stack.enter_async_context(running_server(create_app(runtime)))
            assert runtime.bus is not None
            await runtime.bus.wait_ready(15)
            api = await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=60, headers=signed_headers(settings))
            )
            return NotifierHandle(runtime=runtime, url=url, api=api, database=database)

        yield start
