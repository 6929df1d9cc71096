"""Where a person lands after sign-in: a same-origin path they asked for, never another site.

The console sends someone whose session expired to ``/api/auth/microsoft/login?return_to=/variance?type=…``
and expects them back on that page. Only a path on the dashboard's own origin is accepted: it must start
with a single ``/`` (``//host`` and ``/\\host`` are other hosts to a browser), carry no scheme or host, no
backslash, no control or space characters, and not point into the API. Anything else is refused (400), so the
sign-in cannot be used as an open redirect.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2048


def safe_return_path(value: str) -> str | None:
    """``value`` when it is a safe same-origin path (with its query and fragment), else ``None``."""
    if not value or len(value) > MAX_LENGTH or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path == "/api" or parts.path.startswith("/api/"):
        return None  # a page of the console, not an API call (nor the sign-out)
    if parts.path.lower().startswith(("/%2f", "/%5c")):
        return None  # "/%2F.." tricks some URL parsers into a host
    return value


def landing_url(base: str, return_path: str | None) -> str:
    """The return path on the dashboard's origin (``base`` is ``after_login_url``), else ``base`` itself."""
    if return_path is None:
        return base
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}{return_path}"
