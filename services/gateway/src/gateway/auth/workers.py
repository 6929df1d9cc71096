"""Background work of sign-in: purging expired and revoked sessions and abandoned logins.

Runs in every gateway worker; the deletes are idempotent, so several replicas purging at once is
harmless. Lookups already ignore expired rows: purging only keeps the tables small.
"""

from __future__ import annotations

import asyncio

from gateway.auth.service import AuthService
from gateway.auth.settings import AuthSettings
from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime

log = get_logger(__name__)


async def purge_once(runtime: ServiceRuntime) -> tuple[int, int]:
    auth = runtime.state.get("auth")
    if not isinstance(auth, AuthService):  # a worker process built without the HTTP edge
        assert isinstance(runtime.settings, AuthSettings)
        auth = runtime.state["auth"] = AuthService(runtime.settings, None)
    async with runtime.database.transaction() as db:
        sessions, logins = await auth.purge(db)
    if sessions or logins:
        log.info("purged expired sign-in state", sessions=sessions, logins=logins)
    return sessions, logins


async def purge_expired_sessions(runtime: ServiceRuntime) -> None:
    """Worker: purge every ``AUTH_PURGE_INTERVAL_SECONDS``; a failed round is logged and retried."""
    interval = float(getattr(runtime.settings, "auth_purge_interval_seconds", 300.0))
    while True:
        try:
            await purge_once(runtime)
        except Exception:  # the database may be down for a while; the next round tries again
            log.exception("purging sign-in state failed")
        await asyncio.sleep(interval)
