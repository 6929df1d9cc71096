"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Every webhook carries ``webhook-id`` (the delivery's stable message id), ``webhook-timestamp`` (Unix
seconds) and ``webhook-signature``: ``v1,<base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))>``, one per
secret, space-separated. A secret is ``whsec_<base64 key>``; during a rotation the channel's secret
variable holds two secrets (space- or comma-separated) and every message is signed with both, so the
receiver can switch at its own pace.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

PREFIX = "whsec_"


class SecretError(ValueError):
    pass


def parse_secrets(value: str | None) -> list[bytes]:
    if not value:
        return []
    keys = []
    for part in re.split(r"[\s,]+", value.strip()):
        if not part:
            continue
        if not part.startswith(PREFIX):
            raise SecretError("a webhook secret must start with whsec_")
        try:
            key = base64.b64decode(part.removeprefix(PREFIX), validate=True)
        except ValueError as exc:
            raise SecretError("a webhook secret must be whsec_ followed by base64") from exc
        if len(key) < 16:
            raise SecretError("a webhook secret must hold at least 16 bytes")
        keys.append(key)
    return keys


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def sign(keys: list[bytes], message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii") for key in keys
    )
