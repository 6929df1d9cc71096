"""How one neutral message (``catalog.build_message``) looks on each channel (pure, no I/O).

- Webhook: a stable, versioned JSON envelope ``{"version": "1", "type": "notification.<kind>",
  "id", "timestamp", "data": <message>}``; new fields may be added within version 1, none removed.
- Microsoft Teams (Workflows "When a Teams webhook request is received"): ``{"type": "message",
  "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": <Adaptive Card
  1.4>}]}``; the retired Office 365 connector ``MessageCard`` is not used.
- Slack incoming webhook: ``{"text": <fallback>, "blocks": [header, section, ...]}`` within Slack's
  limits (50 blocks, 3000 characters per section, 150 per header).
- E-mail: subject, a plain-text part and an HTML part (the HTML escapes every value).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

ENVELOPE_VERSION = "1"
SEVERITY_LABEL = {"info": "Info", "warning": "Warning", "critical": "Critical"}
TEAMS_COLOR = {"info": "Accent", "warning": "Warning", "critical": "Attention"}
SLACK_EMOJI = {"info": ":information_source:", "warning": ":warning:", "critical": ":rotating_light:"}
MAX_LISTED = 25


def _line(entry: Mapping[Any, Any]) -> str:
    org = entry.get("organization")
    return f"{entry['title']}" + (f" ({org})" if org else "")


def subject(message: Mapping[Any, Any]) -> str:
    label = SEVERITY_LABEL.get(message["severity"], message["severity"])
    return f"[Inventory Hub] [{label}] {message['title']}"[:250]


def webhook_envelope(message: Mapping[Any, Any], *, message_id: str, timestamp: str) -> dict[str, Any]:
    return {
        "version": ENVELOPE_VERSION,
        "type": f"notification.{message['kind']}",
        "id": message_id,
        "timestamp": timestamp,
        "data": dict(message),
    }


def teams_card(message: Mapping[Any, Any]) -> dict[str, Any]:
    items = list(message.get("items") or [])
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message["title"],
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": TEAMS_COLOR.get(message["severity"], "Default"),
        },
        {"type": "TextBlock", "text": message["summary"], "wrap": True, "isSubtle": True},
        {
            "type": "FactSet",
            "facts": [
                {"title": "Severity", "value": SEVERITY_LABEL.get(message["severity"], message["severity"])},
                {"title": "Items", "value": str(message["item_count"])},
                *([{"title": "Rule", "value": message["rule"]["name"]}] if message.get("rule") else []),
                {"title": "When", "value": message["occurred_at"]},
            ],
        },
    ]
    for entry in items[:MAX_LISTED]:
        body.append({"type": "TextBlock", "text": f"- {_line(entry)}", "wrap": True, "spacing": "None"})
    if len(items) > MAX_LISTED or message.get("truncated"):
        body.append({"type": "TextBlock", "text": f"… and {message['item_count'] - MAX_LISTED} more", "wrap": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.get("link"):
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open Inventory Hub", "url": message["link"]}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(message: Mapping[Any, Any]) -> dict[str, Any]:
    items = list(message.get("items") or [])
    emoji = SLACK_EMOJI.get(message["severity"], "")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message["title"][:150], "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"{emoji} *{_slack_escape(message['summary'])}*"[:3000]},
        },
    ]
    if items:
        lines = [f"• {_slack_escape(_line(entry))}" for entry in items[:MAX_LISTED]]
        if len(items) > MAX_LISTED or message.get("truncated"):
            lines.append(f"… and {message['item_count'] - MAX_LISTED} more")
        text = ""
        for line in lines:
            if len(text) + len(line) + 1 > 2900:
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
                text = ""
            text = f"{text}\n{line}" if text else line
        if text:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    context = f"Severity: {SEVERITY_LABEL.get(message['severity'], message['severity'])}"
    if message.get("rule"):
        context += f" · Rule: {_slack_escape(message['rule']['name'])}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context[:3000]}]})
    if message.get("link"):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open Inventory Hub"},
                        "url": message["link"],
                    }
                ],
            }
        )
    return {"text": f"{message['title']} — {message['summary']}"[:3000], "blocks": blocks[:50]}


def email_text(message: Mapping[Any, Any]) -> str:
    lines = [message["title"], "", message["summary"], ""]
    if message.get("rule"):
        lines.append(f"Rule: {message['rule']['name']}")
    lines.append(f"Severity: {SEVERITY_LABEL.get(message['severity'], message['severity'])}")
    lines.append(f"When: {message['occurred_at']}")
    items = list(message.get("items") or [])
    if items:
        lines += ["", f"Items ({message['item_count']}):"]
        lines += [f"- {_line(entry)}" for entry in items]
        if message.get("truncated"):
            lines.append(f"... and {message['item_count'] - len(items)} more")
    if message.get("link"):
        lines += ["", message["link"]]
    return "\n".join(lines) + "\n"


def email_html(message: Mapping[Any, Any]) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(str(entry['title']))}</td><td>{esc(str(entry.get('organization') or ''))}</td>"
        f"<td>{esc(SEVERITY_LABEL.get(entry['severity'], entry['severity']))}</td></tr>"
        for entry in message.get("items") or []
    )
    table = (
        "<table border='1' cellpadding='4' cellspacing='0'><thead><tr><th>Item</th><th>Organisation</th>"
        f"<th>Severity</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    more = (
        f"<p>… and {message['item_count'] - len(message.get('items') or [])} more</p>"
        if message.get("truncated")
        else ""
    )
    rule = f"<p>Rule: {esc(message['rule']['name'])}</p>" if message.get("rule") else ""
    link = f"<p><a href='{esc(message['link'])}'>Open Inventory Hub</a></p>" if message.get("link") else ""
    return (
        "<!doctype html><html><body>"
        f"<h2>{esc(message['title'])}</h2><p>{esc(message['summary'])}</p>{rule}"
        f"<p>Severity: {esc(SEVERITY_LABEL.get(message['severity'], message['severity']))} · "
        f"{esc(message['occurred_at'])}</p>{table}{more}{link}</body></html>"
    )
