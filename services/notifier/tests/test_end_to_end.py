"""A real collection through the hub: new exceptions become exactly one message per matching rule (one
digest in digest mode) with the right devices, and an identical collection sends nothing."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

from notifier.scheduler import tick

from .conftest import NotifierHandle, parts_of
from .hubs import HUB_ZONE, days_ago, reports_evaluated, start_variance


def pick_day(sim) -> int:
    """A fleet day with MISSING_NINJA exceptions day 0 does not have."""
    first = set(sim.truth(day=0)["variances"]["MISSING_NINJA"])
    for day in range(1, 15):
        if set(sim.truth(day=day)["variances"]["MISSING_NINJA"]) - first:
            return day
    raise AssertionError("the simulated fleet plants no new exceptions")


async def test_new_exceptions_one_message_per_rule_and_a_second_collection_sends_nothing(
    vendor_sim, hub_factory, service_settings, notifier_factory, smtp, receiver
) -> None:
    async with AsyncExitStack() as stack:
        sim = stack.enter_context(vendor_sim(devices=400, seed=5))
        hub = await start_variance(stack, sim, hub_factory, service_settings)
        notifier: NotifierHandle = await notifier_factory(smtp, variance_url=hub.url)

        # Day 0: what exists already is the baseline (no rules yet, nothing is sent).
        sim.set_day(0)
        await hub.collect(days_ago(2))
        await reports_evaluated(notifier, hub)
        before = await hub.active_exception_ids(days_ago(2))
        assert before, "the fleet should have exceptions on day 0"

        mail = await notifier.channel(name="ops", kind="email", recipients=["ops@example.com"])
        hook = await notifier.channel(name="hook", kind="webhook", url=f"{receiver.url}/hook")
        digest_hook = await notifier.channel(name="digest", kind="webhook", url=f"{receiver.url}/digest")
        everything = await notifier.rule(
            name="all new exceptions", condition="new_exceptions", channel_ids=[mail["id"]]
        )
        missing = await notifier.rule(
            name="missing in Ninja",
            condition="new_exceptions",
            exception_types=["missing_in_ninja"],
            channel_ids=[hook["id"], mail["id"]],
        )
        digest = await notifier.rule(
            name="daily digest", condition="new_exceptions", delivery_mode="digest", channel_ids=[digest_hook["id"]]
        )

        # A later fleet day plants new exceptions.
        sim.set_day(pick_day(sim))
        await hub.collect(days_ago(1))
        await reports_evaluated(notifier, hub)
        after = await hub.active_exception_ids(days_ago(1))
        new = {i: e for i, e in after.items() if i not in before}
        new_missing = {i for i, e in new.items() if e["type"] == "MISSING_NINJA"}
        assert new and new_missing

        deliveries = await notifier.deliveries()
        by_rule: dict[int, list[dict]] = {}
        for delivery in deliveries:
            by_rule.setdefault(delivery["rule_id"], []).append(delivery)
        # One message per rule and channel: the broad rule mails once, the narrow one mails and posts once.
        assert sorted(d["channel_id"] for d in by_rule[everything["id"]]) == [mail["id"]]
        assert sorted(d["channel_id"] for d in by_rule[missing["id"]]) == sorted([hook["id"], mail["id"]])
        assert digest["id"] not in by_rule
        assert {d["status"] for d in deliveries} == {"delivered"}

        mails = await smtp.wait_for(2)
        assert len(mails) == 2
        texts = {m["Subject"]: parts_of(m)["text/plain"] for m in mails}
        [broad] = [t for t in texts.values() if "Rule: all new exceptions" in t]
        [narrow] = [t for t in texts.values() if "Rule: missing in Ninja" in t]
        for item in new.values():
            assert item["hostname"] in broad
        listed = [line for line in narrow.splitlines() if line.startswith("- ")]
        assert len(listed) == len(new_missing)
        for exception_id in new_missing:
            assert f"- Missing in Ninja: {new[exception_id]['hostname']} (" in narrow
        [posted] = [r for r in receiver.requests if r.path == "/hook"]
        items = posted.json()["data"]["items"]
        assert {entry["details"]["exception_id"] for entry in items} == new_missing
        assert {entry["condition"] for entry in items} == {"new_exceptions"}

        # The same collection again: nothing new, nothing sent.
        await hub.collect(days_ago(1))
        await reports_evaluated(notifier, hub)
        assert len(await notifier.deliveries()) == len(deliveries)
        assert len(smtp.messages) == 2 and len([r for r in receiver.requests if r.path == "/hook"]) == 1

        # Digest mode: one message per rule at the digest hour, with every new exception of the period.
        tomorrow = (datetime.now(HUB_ZONE) + timedelta(days=1)).replace(hour=8, minute=5)
        done = await tick(notifier.runtime, now=tomorrow.astimezone(UTC))
        assert done["digests"] == 1
        await notifier.settled()
        [digested] = [r for r in receiver.requests if r.path == "/digest"]
        body = digested.json()
        assert body["type"] == "notification.digest"
        assert {entry["details"]["exception_id"] for entry in body["data"]["items"]} == set(new)
        again = await tick(notifier.runtime, now=(tomorrow + timedelta(hours=1)).astimezone(UTC))
        assert again["digests"] == 0
        assert json.loads(digested.body)["data"]["rule"]["name"] == "daily digest"
