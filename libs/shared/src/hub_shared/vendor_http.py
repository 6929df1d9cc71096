"""Calling vendor APIs politely and persistently: a request-rate limit, timeouts, and retries.

Retries cover 408, 429 and 5xx answers and transport errors, with exponential back-off and full jitter,
honouring ``Retry-After`` (seconds or an HTTP date). Anything else is returned to the caller, which
decides (a 401 means "refresh the token", a 400 is a bug).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

from hub_shared.logging import get_logger

log = get_logger(__name__)

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class VendorUnavailable(Exception):
    """The vendor kept failing after every retry; the sync must not be trusted."""


@dataclass
class RateLimiter:
    """Token bucket: at most ``per_minute`` requests a minute, bursts of ``burst``."""

    per_minute: float
    burst: int = 10
    _tokens: float = field(init=False)
    _updated: float = field(init=False, default_factory=time.monotonic)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.per_minute / 60)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) * 60 / self.per_minute)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def retry_after_seconds(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now())
    except (TypeError, ValueError):
        return None


async def send_with_retries(
    client: httpx.AsyncClient,
    build: Callable[[], httpx.Request],
    *,
    policy: RetryPolicy,
    limiter: RateLimiter | None = None,
    what: str = "vendor request",
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES,
) -> httpx.Response:
    """Send a request (rebuilt each attempt) until it gets a non-retryable answer or attempts run out.

    ``retry_statuses``: the answers worth another attempt (default 408, 425, 429 and 5xx); a vendor whose
    documentation says "do not retry a 4xx unchanged" passes only 429 and 5xx."""
    last_problem = "no attempt made"
    for attempt in range(1, policy.attempts + 1):
        if limiter is not None:
            await limiter.acquire()
        request = build()
        try:
            response = await client.send(request)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            last_problem = f"{type(exc).__name__}: {exc}"
            delay = policy.backoff(attempt)
        else:
            if response.status_code not in retry_statuses:
                return response
            last_problem = f"HTTP {response.status_code}"
            hinted = retry_after_seconds(response)
            delay = min(policy.max_delay, hinted) if hinted is not None else policy.backoff(attempt)
            await response.aclose()
        if attempt < policy.attempts:
            log.warning(
                "vendor request failed; retrying",
                what=what,
                attempt=attempt,
                problem=last_problem,
                delay=round(delay, 2),
            )
            await asyncio.sleep(delay)
    raise VendorUnavailable(f"{what} failed after {policy.attempts} attempts ({last_problem})")
