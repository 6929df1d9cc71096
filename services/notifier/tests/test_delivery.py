"""Delivery through real receivers: retries on 503 with three attempts logged, 410 disabling the
endpoint, other 4xx failing at once, Standard Webhooks signatures (verified with the ``standardwebhooks``
package), e-mail with plain and HTML parts over a real SMTP server, send-test, manual retry, and
idempotency per (rule, event)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import Any

from standardwebhooks.webhooks import Webhook

from hub_shared.events import JobUpdated, new_event

from .conftest import OLD_SECRET, SECRET, NotifierHandle, parts_of


def failed_job(job_name: str = "ninja-collector", error: str = "NinjaOne answered 503") -> Any:
    return new_event(
        JobUpdated(job_id=f"ni_{uuid.uuid4().hex[:8]}", job_name=job_name, status="failed", error=error),
        producer="collector_ninja",
    )


def completed_job(job_name: str = "ninja-collector") -> Any:
    return new_event(
        JobUpdated(job_id=f"ni_{uuid.uuid4().hex[:8]}", job_name=job_name, status="completed"),
        producer="collector_ninja",
    )


async def webhook_rule(
    notifier: NotifierHandle, receiver: Any, **channel: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    made = await notifier.channel(
        name=f"hook-{uuid.uuid4().hex[:6]}", kind="webhook", url=f"{receiver.url}/hook", **channel
    )
    rule = await notifier.rule(name="collections", condition="collection_failed", channel_ids=[made["id"]])
    return made, rule


async def test_503_twice_then_200_delivers_once_with_three_attempts(notifier_factory, receiver) -> None:
    notifier: NotifierHandle = await notifier_factory()
    receiver.script((503, {"retry-after": "0"}), 503, 200)
    _channel, rule = await webhook_rule(notifier, receiver)
    await notifier.publish(failed_job())
    await notifier.signals_evaluated(1)
    [delivery] = await notifier.settled()
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3 and delivery["rule_id"] == rule["id"]
    detail = await notifier.delivery(delivery["id"])
    assert [(a["attempt"], a["outcome"], a["status_code"]) for a in detail["attempt_log"]] == [
        (1, "retry", 503),
        (2, "retry", 503),
        (3, "delivered", 200),
    ]
    assert len(receiver.requests) == 3 and len(receiver.accepted) == 1
    # The same message each time: one webhook-id a receiver can deduplicate on.
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    body = receiver.accepted[0].json()
    assert body["version"] == "1" and body["type"] == "notification.alert"
    assert body["data"]["items"][0]["condition"] == "collection_failed"
    assert "NinjaOne answered 503" in body["data"]["items"][0]["title"]


async def test_410_disables_the_endpoint_and_other_4xx_fail_at_once(notifier_factory, receiver) -> None:
    notifier: NotifierHandle = await notifier_factory()
    receiver.script(410)
    channel, _rule = await webhook_rule(notifier, receiver)
    await notifier.publish(failed_job())
    await notifier.signals_evaluated(1)
    [delivery] = await notifier.settled()
    assert delivery["status"] == "failed" and delivery["last_status_code"] == 410 and delivery["attempts"] == 1
    answer = (await notifier.api.get(f"/api/notifications/channels/{channel['id']}")).json()["data"]
    assert answer["enabled"] is False and "410" in answer["disabled_reason"]
    # Nothing more goes to a disabled channel; manual retry says why.
    retry = await notifier.api.post(f"/api/notifications/deliveries/{delivery['id']}/retry")
    assert retry.status_code == 409 and retry.json()["error"]["code"] == "CHANNEL_DISABLED"
    await notifier.publish(completed_job())
    await notifier.signals_evaluated(2)
    await notifier.publish(failed_job())
    await notifier.signals_evaluated(3)
    assert len(await notifier.settled()) == 1

    # A 400 fails at once (no retry); the manual retry sends it again, with the same message id.
    receiver.script(400)
    other, _ = await webhook_rule(notifier, receiver)
    await notifier.publish(completed_job())
    await notifier.signals_evaluated(4)
    await notifier.publish(failed_job())
    await notifier.signals_evaluated(5)
    failed = [d for d in await notifier.settled() if d["channel_id"] == other["id"]]
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in failed] == [("failed", 1, 400)]
    retry = await notifier.api.post(f"/api/notifications/deliveries/{failed[0]['id']}/retry")
    assert retry.status_code == 200 and retry.json()["data"]["status"] == "pending"
    again = [d for d in await notifier.settled() if d["channel_id"] == other["id"]]
    assert again[0]["status"] == "delivered" and again[0]["attempts"] == 2
    assert receiver.requests[-1].headers["webhook-id"] == receiver.requests[-2].headers["webhook-id"]


async def test_signature_verifies_with_standardwebhooks_including_rotation(notifier_factory, receiver) -> None:
    os.environ["NOTIFIER_SECRET_TEST_HOOK"] = f"{SECRET} {OLD_SECRET}"
    try:
        notifier: NotifierHandle = await notifier_factory()
        channel, _ = await webhook_rule(notifier, receiver, secret_env="NOTIFIER_SECRET_TEST_HOOK")
        assert channel["signed"] is True and channel["signing_secrets"] == 2
        assert SECRET not in json.dumps(channel)
        await notifier.publish(failed_job())
        await notifier.signals_evaluated(1)
        await notifier.settled()
    finally:
        del os.environ["NOTIFIER_SECRET_TEST_HOOK"]
    [request] = receiver.requests
    headers = {name: request.headers[name] for name in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (SECRET, OLD_SECRET):  # either side of a rotation verifies
        payload = Webhook(secret).verify(request.body, headers)
        assert payload["data"]["conditions"] == ["collection_failed"]
    tampered = request.body.replace(b"ninja", b"NINJA")
    try:
        Webhook(SECRET).verify(tampered, headers)
    except Exception as exc:
        assert "signature" in str(exc).lower()
    else:
        raise AssertionError("a tampered body verified")


async def test_email_has_plain_and_html_parts_and_a_redelivered_event_sends_nothing(
    notifier_factory, smtp, receiver
) -> None:
    notifier: NotifierHandle = await notifier_factory(smtp)
    mail = await notifier.channel(name="ops mail", kind="email", recipients=["ops@example.com", "boss@example.com"])
    await notifier.rule(name="mail", condition="collection_failed", channel_ids=[mail["id"]])
    event = failed_job(error="token <expired> & refused")
    await notifier.publish(event)
    await notifier.publish(event)  # the broker may deliver an event twice
    await notifier.signals_evaluated(1)
    await notifier.settled()
    [message] = await smtp.wait_for(1)
    await asyncio.sleep(0.5)
    assert len(smtp.messages) == 1
    assert smtp.envelopes[0][1] == ["ops@example.com", "boss@example.com"]
    assert message["Subject"].startswith("[Inventory Hub] [Critical] Collection or job failed")
    parts = parts_of(message)
    assert "token <expired> & refused" in parts["text/plain"]
    assert "token &lt;expired&gt; &amp; refused" in parts["text/html"]
    # A failure that goes on is not announced again; after a success, a new failure is.
    # (Events of one job arrive seconds apart in reality; each is awaited so the order is the intended one.)
    await notifier.publish(failed_job())
    await notifier.signals_evaluated(2)
    await notifier.publish(completed_job())
    await notifier.signals_evaluated(3)
    await notifier.publish(failed_job())
    await notifier.signals_evaluated(4)
    await notifier.settled()
    await smtp.wait_for(2)
    await asyncio.sleep(0.5)
    assert len(smtp.messages) == 2


async def test_send_test_per_channel_and_smtp_status(notifier_factory, smtp, receiver) -> None:
    notifier: NotifierHandle = await notifier_factory(smtp)
    status = (await notifier.api.get("/api/notifications/smtp-status")).json()["data"]
    assert status["smtp_enabled"] is True and status["smtp_port"] == smtp.port and status["smtp_has_auth"] is False
    channels = [
        await notifier.channel(name="m", kind="email", recipients=["a@example.com"]),
        await notifier.channel(name="w", kind="webhook", url=f"{receiver.url}/w"),
        await notifier.channel(name="t", kind="teams", url=f"{receiver.url}/teams"),
        await notifier.channel(name="s", kind="slack", url=f"{receiver.url}/slack"),
    ]
    for channel in channels:
        answer = await notifier.api.post(f"/api/notifications/channels/{channel['id']}/test")
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["status"] == "delivered", answer.text
    assert len(smtp.messages) == 1 and [r.path for r in receiver.requests] == ["/w", "/teams", "/slack"]
    assert receiver.requests[1].json()["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "blocks" in receiver.requests[2].json()
    tests = await notifier.deliveries(kind="test")
    assert len(tests) == 4 and {d["status"] for d in tests} == {"delivered"}
    receiver.script(500)
    failed = await notifier.api.post(f"/api/notifications/channels/{channels[1]['id']}/test")
    assert failed.json()["data"]["status"] == "failed" and failed.json()["data"]["status_code"] == 500


async def test_ssrf_private_targets_are_refused_unless_allowed(notifier_factory, receiver) -> None:
    notifier: NotifierHandle = await notifier_factory(notifier_allow_private_targets=False)
    bad_scheme = await notifier.api.post(
        "/api/notifications/channels", json={"name": "x", "kind": "webhook", "url": "ftp://example.com/x"}
    )
    assert bad_scheme.status_code == 400 and bad_scheme.json()["error"]["code"] == "INVALID_CHANNEL"
    channel = await notifier.channel(name="loop", kind="webhook", url=f"{receiver.url}/x")
    answer = (await notifier.api.post(f"/api/notifications/channels/{channel['id']}/test")).json()["data"]
    assert answer["status"] == "failed" and "non-public address" in answer["error"]
    assert receiver.requests == []
    for url in ("http://169.254.169.254/latest", "http://10.0.0.1/", "http://[::1]/"):
        made = await notifier.channel(name=url, kind="webhook", url=url)
        answer = (await notifier.api.post(f"/api/notifications/channels/{made['id']}/test")).json()["data"]
        assert answer["status"] == "failed" and "non-public" in answer["error"], url


async def test_bad_input_is_400_in_the_success_data_envelope(notifier_factory) -> None:
    notifier: NotifierHandle = await notifier_factory()
    for body in (
        {"name": "r", "condition": "nope", "channel_ids": [1]},
        {"name": "r", "condition": "collection_failed", "channel_ids": []},
        {"name": "r", "condition": "collection_failed", "channel_ids": [99]},
        {"name": "r", "condition": "collection_failed", "channel_ids": [1], "quiet_start": "22:00"},
    ):
        answer = await notifier.api.post("/api/notifications/rules", json=body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["success"] is False and answer.json()["error"]["status"] == 400
    missing = await notifier.api.get("/api/notifications/rules/12345")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
    anonymous = await notifier.api.get("/api/notifications/rules", headers={"x-hub-identity": ""})
    assert anonymous.status_code == 401
