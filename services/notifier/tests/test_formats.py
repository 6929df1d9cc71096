"""Channel bodies against their documented shapes (pure): Microsoft Teams Workflows with an Adaptive Card,
Slack incoming webhooks (``blocks`` + ``text``, within Slack's limits), the webhook envelope, e-mail parts,
Standard Webhooks signing, Retry-After, and rule matching / quiet hours / digest periods."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifier.catalog import RuleView, build_message, digest_boundary, in_quiet_hours, item, rule_wants
from notifier.channels import formats
from notifier.channels.senders import parse_retry_after
from notifier.channels.signing import SecretError, parse_secrets, sign
from notifier.channels.ssrf import TargetRefused, check_url_shape

ZONE = ZoneInfo("America/Chicago")
# Element and action types of Adaptive Cards 1.0-1.5 (adaptivecards.io/explorer).
CARD_ELEMENTS = {
    "TextBlock", "Image", "Media", "RichTextBlock", "ActionSet", "Container", "ColumnSet", "FactSet",
    "ImageSet", "Table",
}  # fmt: skip
CARD_ACTIONS = {"Action.OpenUrl", "Action.Submit", "Action.ShowCard", "Action.ToggleVisibility", "Action.Execute"}
SLACK_BLOCKS = {"header", "section", "context", "actions", "divider", "image", "rich_text"}


def message(count: int = 3, severity: str = "warning") -> dict:
    items = [
        item(
            "new_exceptions",
            f"exception:{n}",
            title=f"Missing in Ninja: host-{n} <b>&",
            organization="Acme",
            severity=severity,
            details={"type": "MISSING_NINJA"},
        )
        for n in range(count)
    ]
    rule = RuleView(id=1, name="All", condition="new_exceptions")
    return build_message(
        kind="alert", title=f"{count} new exceptions", items=items, rule=rule,
        occurred_at=datetime(2026, 12, 1, tzinfo=UTC), link="https://hub.example.com/notifications",
    )  # fmt: skip


def check_card_element(element: dict) -> None:
    assert element["type"] in CARD_ELEMENTS
    if element["type"] == "TextBlock":
        assert isinstance(element["text"], str) and element["text"]
    if element["type"] == "FactSet":
        assert all(isinstance(f["title"], str) and isinstance(f["value"], str) for f in element["facts"])


@pytest.mark.parametrize("count", [1, 3, 300])
def test_teams_body_is_a_workflows_message_with_an_adaptive_card(count: int) -> None:
    body = formats.teams_card(message(count))
    assert body["type"] == "message" and set(body) == {"type", "attachments"}
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["version"] in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")
    for element in card["body"]:
        check_card_element(element)
    for action in card.get("actions", []):
        assert action["type"] in CARD_ACTIONS and action["url"].startswith("https://")
    assert "@type" not in body and "themeColor" not in body  # not the retired MessageCard


@pytest.mark.parametrize("count", [1, 3, 300])
def test_slack_body_has_blocks_and_text_within_limits(count: int) -> None:
    body = formats.slack_body(message(count))
    assert isinstance(body["text"], str) and body["text"]
    assert 1 <= len(body["blocks"]) <= 50
    for block in body["blocks"]:
        assert block["type"] in SLACK_BLOCKS
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn" and 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
        if block["type"] == "actions":
            for element in block["elements"]:
                assert element["type"] == "button" and len(element["text"]["text"]) <= 75
    listed = "".join(b["text"]["text"] for b in body["blocks"] if b["type"] == "section")
    assert "&lt;b&gt;&amp;" in listed and "<b>" not in listed  # Slack's three escapes


def test_webhook_envelope_is_versioned_and_email_escapes_html() -> None:
    msg = message(2)
    envelope = formats.webhook_envelope(msg, message_id="m1", timestamp="2026-12-01T00:00:00Z")
    assert envelope == {
        "version": "1", "type": "notification.alert", "id": "m1", "timestamp": "2026-12-01T00:00:00Z", "data": msg
    }  # fmt: skip
    assert "host-1 <b>&" in formats.email_text(msg)
    assert "host-1 &lt;b&gt;&amp;" in formats.email_html(msg)
    assert formats.subject(msg) == "[Inventory Hub] [Warning] 2 new exceptions"


def test_standard_webhooks_signature_and_secrets() -> None:
    key = b"0123456789abcdef0123456789abcdef"
    secret = "whsec_" + base64.b64encode(key).decode()
    keys = parse_secrets(f"{secret}, {secret}")
    header = sign(keys, "msg_1", 1700000000, b'{"a":1}')
    expected = base64.b64encode(hmac.new(key, b'msg_1.1700000000.{"a":1}', hashlib.sha256).digest()).decode()
    assert header == f"v1,{expected} v1,{expected}"
    for bad in ("plain", "whsec_!!!", "whsec_" + base64.b64encode(b"short").decode()):
        with pytest.raises(SecretError):
            parse_secrets(bad)


def test_retry_after_and_url_shape() -> None:
    assert parse_retry_after("120") == 120
    later = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 80 <= (parse_retry_after(later) or 0) <= 91
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert check_url_shape("https://example.com/x", ["https"]) == "example.com"
    for url in ("http://example.com", "https://user:pw@example.com/", "https:///nohost", "file:///etc/passwd"):
        with pytest.raises(TargetRefused):
            check_url_shape(url, ["https"])


def test_rules_match_types_organisations_and_severity() -> None:
    entry = item("new_exceptions", "exception:1", title="t", organization="Acme Corp", details={"type": "SITE_MISMATCH",
                 "report_key": "site_mismatches"})  # fmt: skip
    base = RuleView(id=1, name="r", condition="new_exceptions")
    assert rule_wants(base, entry)
    assert rule_wants(RuleView(**{**base.__dict__, "exception_types": ("site_mismatches",)}), entry)
    assert not rule_wants(RuleView(**{**base.__dict__, "exception_types": ("MISSING_NINJA",)}), entry)
    assert rule_wants(RuleView(**{**base.__dict__, "organizations_include": ("acme corp",)}), entry)
    assert not rule_wants(RuleView(**{**base.__dict__, "organizations_exclude": ("ACME CORP",)}), entry)
    assert not rule_wants(RuleView(**{**base.__dict__, "severity_min": "critical"}), entry)
    assert not rule_wants(RuleView(**{**base.__dict__, "condition": "data_stale"}), entry)


def test_quiet_hours_wrap_midnight_and_digest_periods() -> None:
    rule = RuleView(id=1, name="r", condition="data_stale", quiet_start=time(22), quiet_end=time(7))
    at = lambda h: datetime(2026, 12, 1, h, 30, tzinfo=ZONE)  # noqa: E731
    assert in_quiet_hours(rule, at(23), ZONE) and in_quiet_hours(rule, at(3), ZONE)
    assert not in_quiet_hours(rule, at(7), ZONE) and not in_quiet_hours(rule, at(12), ZONE)
    # 2026-12-02 is a Wednesday: the weekly digest boundary is Monday 2026-11-30 at 08:00 local.
    now = datetime(2026, 12, 2, 9, 0, tzinfo=ZONE)
    assert digest_boundary("daily", 8, now, ZONE) == datetime(2026, 12, 2, 8, tzinfo=ZONE)
    assert digest_boundary("daily", 10, now, ZONE) == datetime(2026, 12, 1, 10, tzinfo=ZONE)
    assert digest_boundary("weekly", 8, now, ZONE) == datetime(2026, 11, 30, 8, tzinfo=ZONE)
