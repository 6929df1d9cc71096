"""Sending one delivery: e-mail over SMTP, or an HTTP POST (signed webhook, Teams, Slack).

Every attempt ends in an :class:`Outcome`: ``delivered`` (2xx / SMTP accepted), ``retry`` (429, 408,
5xx, a transport error, an SMTP 4xx — with the receiver's ``Retry-After`` when it sent one), ``gone``
(410: the endpoint is disabled) or ``failed`` (any other 4xx, a refused target, an SMTP 5xx: retrying
would not help).
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Literal

import aiosmtplib
import httpx

from notifier.channels import formats
from notifier.channels.signing import sign
from notifier.channels.ssrf import TargetRefused, check_target
from notifier.settings import NotifierSettings

USER_AGENT = "InventoryHub-Notifier/1"


@dataclass(frozen=True)
class Outcome:
    result: Literal["delivered", "retry", "failed", "gone"]
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Target:
    """Where a delivery goes, resolved at send time (secrets read from the environment then)."""

    kind: str
    url: str | None = None
    keys: list[bytes] = field(default_factory=list)
    recipients: tuple[str, ...] = ()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None when absent or garbled."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def classify_http(response: httpx.Response) -> Outcome:
    code = response.status_code
    if 200 <= code < 300:
        return Outcome("delivered", code)
    snippet = response.text[:300] if response.content else ""
    error = f"HTTP {code}" + (f": {snippet}" if snippet else "")
    if code == 410:
        return Outcome("gone", code, error)
    if code in (408, 425, 429) or code >= 500:
        return Outcome("retry", code, error, parse_retry_after(response.headers.get("retry-after")))
    return Outcome("failed", code, error)


def http_body(target: Target, message: Mapping[Any, Any], message_id: str, timestamp: int) -> dict[str, Any]:
    if target.kind == "teams":
        return formats.teams_card(message)
    if target.kind == "slack":
        return formats.slack_body(message)
    iso = datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")
    return formats.webhook_envelope(message, message_id=message_id, timestamp=iso)


async def send_http(
    settings: NotifierSettings,
    client: httpx.AsyncClient,
    target: Target,
    message: Mapping[Any, Any],
    message_id: str,
) -> Outcome:
    if not target.url:
        return Outcome("failed", error="the channel has no URL (or its url_env variable is unset)")
    try:
        await check_target(
            target.url, settings.notifier_allowed_schemes, allow_private=settings.notifier_allow_private_targets
        )
    except TargetRefused as exc:
        return Outcome("failed", error=f"target refused: {exc}")
    timestamp = int(time.time())
    body = json.dumps(http_body(target, message, message_id, timestamp), separators=(",", ":")).encode()
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    if target.kind == "webhook":
        headers["webhook-id"] = message_id
        headers["webhook-timestamp"] = str(timestamp)
        if target.keys:
            headers["webhook-signature"] = sign(target.keys, message_id, timestamp, body)
    try:
        response = await client.post(
            target.url, content=body, headers=headers, timeout=settings.notifier_http_timeout_seconds
        )
    except httpx.TimeoutException as exc:
        return Outcome("retry", error=f"timed out: {type(exc).__name__}")
    except httpx.TransportError as exc:
        return Outcome("retry", error=f"{type(exc).__name__}: {exc}"[:500])
    return classify_http(response)


def build_email(
    settings: NotifierSettings,
    recipients: tuple[str, ...],
    message: Mapping[Any, Any],
    message_id: str,
    attachment: Attachment | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.notifier_smtp_from
    mail["To"] = ", ".join(recipients)
    mail["Subject"] = formats.subject(message)
    mail["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = f"<{message_id}@inventory-hub>"
    mail["X-Hub-Notification-Kind"] = str(message["kind"])
    mail.set_content(formats.email_text(message))
    mail.add_alternative(formats.email_html(message), subtype="html")
    if attachment is not None:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename
        )
    return mail


async def send_email(
    settings: NotifierSettings,
    recipients: tuple[str, ...],
    message: Mapping[Any, Any],
    message_id: str,
    attachment: Attachment | None = None,
) -> Outcome:
    if not settings.smtp_enabled:
        return Outcome("failed", error="e-mail is not configured (NOTIFIER_SMTP_HOST is unset)")
    if not recipients:
        return Outcome("failed", error="no recipients")
    mail = build_email(settings, recipients, message, message_id, attachment)
    mode = settings.notifier_smtp_tls
    try:
        await aiosmtplib.send(
            mail,
            hostname=settings.notifier_smtp_host,
            port=settings.notifier_smtp_port,
            username=settings.notifier_smtp_user,
            password=settings.notifier_smtp_password,
            use_tls=mode == "tls",
            start_tls=mode == "starttls",
            timeout=settings.notifier_smtp_timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        return Outcome("failed", error=f"recipients refused: {exc}"[:500])
    except aiosmtplib.SMTPResponseException as exc:
        result: Literal["retry", "failed"] = "retry" if 400 <= exc.code < 500 else "failed"
        return Outcome(result, exc.code, f"SMTP {exc.code}: {exc.message}"[:500])
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return Outcome("retry", error=f"{type(exc).__name__}: {exc}"[:500])
    return Outcome("delivered", 250)
