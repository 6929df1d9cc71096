"""Outbound targets are checked before every request (SSRF): the scheme must be allowed, and every
address the host resolves to must be public — no loopback, link-local, private, shared, reserved or
multicast address — unless ``NOTIFIER_ALLOW_PRIVATE_TARGETS`` is true. Redirects are never followed, so a
public host cannot bounce a request inward."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class TargetRefused(ValueError):
    pass


def check_url_shape(url: str, allowed_schemes: list[str]) -> str:
    """The host of a syntactically acceptable URL; raises :class:`TargetRefused` otherwise."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise TargetRefused(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in allowed_schemes:
        raise TargetRefused(
            f"scheme {parts.scheme or '(none)'!r} is not allowed (allowed: {', '.join(allowed_schemes)})"
        )
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username or parts.password:
        raise TargetRefused("credentials in the URL are not allowed")
    return parts.hostname


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def check_target(url: str, allowed_schemes: list[str], *, allow_private: bool) -> None:
    host = check_url_shape(url, allowed_schemes)
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefused(f"cannot resolve {host}: {exc}") from None
    addresses = {info[4][0] for info in infos}
    blocked = sorted(address for address in addresses if not _public(str(address)))
    if not addresses or blocked:
        raise TargetRefused(
            f"{host} resolves to a non-public address ({', '.join(map(str, blocked))}); "
            "set NOTIFIER_ALLOW_PRIVATE_TARGETS=true to allow internal receivers"
        )
