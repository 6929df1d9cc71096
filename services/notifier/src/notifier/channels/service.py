"""Channel logic (no SQL, no HTTP routes): checking a channel's settings and resolving where a delivery
goes at send time (secrets come from ``NOTIFIER_SECRET_*`` variables then, never from the database)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notifier.channels.senders import Target
from notifier.channels.signing import SecretError, parse_secrets
from notifier.channels.ssrf import TargetRefused, check_url_shape
from notifier.settings import SECRET_ENV_PREFIX, NotifierSettings, secret_from_env

HTTP_KINDS = ("webhook", "teams", "slack")


class ChannelInvalid(ValueError):
    pass


def validate_channel(settings: NotifierSettings, values: Mapping[Any, Any]) -> None:
    """Raise :class:`ChannelInvalid` with a message naming the field when the channel cannot work."""
    kind = values["kind"]
    for name in ("url_env", "secret_env"):
        env = values.get(name)
        if env and not env.startswith(SECRET_ENV_PREFIX):
            raise ChannelInvalid(f"{name} must name a variable starting with {SECRET_ENV_PREFIX}")
    if kind == "email":
        if not values.get("recipients"):
            raise ChannelInvalid("an e-mail channel needs at least one recipient")
        if values.get("url") or values.get("url_env") or values.get("secret_env"):
            raise ChannelInvalid("an e-mail channel takes recipients, not url, url_env or secret_env")
        return
    if values.get("recipients"):
        raise ChannelInvalid(f"a {kind} channel takes a url (or url_env), not recipients")
    if bool(values.get("url")) == bool(values.get("url_env")):
        raise ChannelInvalid(f"a {kind} channel needs exactly one of url or url_env")
    if values.get("url"):
        try:
            check_url_shape(values["url"], settings.notifier_allowed_schemes)
        except TargetRefused as exc:
            raise ChannelInvalid(f"url: {exc}") from None
    if values.get("secret_env"):
        if kind != "webhook":
            raise ChannelInvalid("only webhook channels are signed (secret_env)")
        try:
            parse_secrets(secret_from_env(values["secret_env"]))
        except SecretError as exc:
            raise ChannelInvalid(f"secret_env {values['secret_env']}: {exc}") from None


def resolve_target(channel: Mapping[Any, Any] | None, delivery: Mapping[Any, Any]) -> Target:
    """Where a delivery goes: its channel's current settings, or (reports) its own recipients."""
    if channel is None:
        return Target(kind=str(delivery["channel_kind"]), recipients=tuple(delivery["recipients"] or ()))
    kind = str(channel["kind"])
    if kind == "email":
        return Target(kind=kind, recipients=tuple(channel["recipients"] or ()))
    url = channel["url"] or secret_from_env(channel["url_env"])
    try:
        keys = parse_secrets(secret_from_env(channel["secret_env"])) if channel["secret_env"] else []
    except SecretError:
        keys = []
    return Target(kind=kind, url=url, keys=keys)


def secret_status(channel: Mapping[Any, Any]) -> dict[str, Any]:
    """What the API may say about a channel's secrets: whether they are set, never their values."""
    secret = secret_from_env(channel["secret_env"]) if channel["secret_env"] else None
    try:
        count = len(parse_secrets(secret))
    except SecretError:
        count = -1
    return {
        "signed": bool(channel["secret_env"]) and count > 0,
        "signing_secrets": max(count, 0),
        "secret_problem": "the variable does not hold whsec_ secrets" if count < 0 else None,
        "url_set": bool(channel["url"] or secret_from_env(channel["url_env"])),
    }
