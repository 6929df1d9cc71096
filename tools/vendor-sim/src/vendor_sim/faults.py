"""Injected vendor misbehaviour (rate limits, 5xx pages, delays, short last pages) and request counters.

Collectors must survive these; tests switch them on through SimConfig.faults, the CLI or
POST /_sim/faults, then read GET /_sim/stats to see that the retries really happened.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ROUTES = (
    "ninja.token",
    "ninja.organizations",
    "ninja.locations",
    "ninja.devices",
    "ninja.devices_detailed",
    "ninja.device_custom_fields",
    "ninja.custom_fields_query",
    "tl.computers",
    "tl.organizations",
    "cw.tickets",
    "cw.tickets_count",
    "cw.time_entries",
    "cw.companyinfo",
)
GROUPS = ("*", "ninja", "tl", "cw")

FaultKind = Literal["rate_limit", "server_error", "delay", "truncate", "repeat_page", "empty_body", "unsorted_page"]


class FaultRule(BaseModel):
    """One injected fault. `count` = how many requests it affects (None: every one, until reset).

    - rate_limit: answer 429 with `Retry-After: retry_after` (before authentication is checked).
    - server_error: answer `status` (5xx) — on page `page` only when given.
    - delay: sleep `ms` milliseconds before answering.
    - truncate: the list ends `drop` items early; ThreatLocker still reports the full totalItems,
      Ninja just returns a short page (fewer devices than the vendor really has).
    - repeat_page: page `page` returns the rows of page `page - 1` again (a vendor paging bug).
    - empty_body: an empty ThreatLocker page is answered with an empty body instead of `[]`.
    - unsorted_page: a Ninja device-list page comes in descending id order (its last row is not its largest id).
    """

    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    target: str = "*"
    """A route name (see ROUTES), "ninja", "tl" or "*"."""
    count: int | None = Field(default=None, ge=1)
    page: int | None = Field(default=None, ge=1)
    status: int = Field(default=500, ge=500, le=599)
    retry_after: int = Field(default=1, ge=0)
    ms: int = Field(default=0, ge=0, le=120_000)
    drop: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _check(self) -> FaultRule:
        if self.target not in ROUTES and self.target not in GROUPS:
            raise ValueError(f"unknown target {self.target!r}; use one of {[*GROUPS, *ROUTES]}")
        if self.kind == "truncate" and self.drop < 1:
            raise ValueError("truncate needs drop >= 1")
        if self.kind == "repeat_page" and (self.page is None or self.page < 2):
            raise ValueError("repeat_page needs page >= 2")
        if self.kind == "delay" and self.ms < 1:
            raise ValueError("delay needs ms >= 1")
        return self

    def applies_to(self, route: str) -> bool:
        return self.target in ("*", route) or route.startswith(self.target + ".")


class Faults:
    """Active fault rules; the first matching rule of a kind fires and its count goes down."""

    def __init__(self, initial: list[dict[str, Any]] | None = None) -> None:
        self._rules: list[tuple[FaultRule, list[int | None]]] = []
        self.fired: Counter[str] = Counter()
        for raw in initial or []:
            self.add(FaultRule.model_validate(raw))

    def add(self, rule: FaultRule) -> None:
        self._rules.append((rule, [rule.count]))

    def clear(self) -> None:
        self._rules.clear()

    def active(self) -> list[dict[str, Any]]:
        return [{**rule.model_dump(), "remaining": remaining[0]} for rule, remaining in self._rules]

    def wants_page(self, route: str) -> bool:
        """Whether some rule needs this request's page number (worth computing only then)."""
        return any(rule.page is not None and rule.applies_to(route) for rule, _ in self._rules)

    def take(self, kind: str, route: str, page: int | None = None) -> FaultRule | None:
        for i, (rule, remaining) in enumerate(self._rules):
            if rule.kind != kind or not rule.applies_to(route):
                continue
            if rule.page is not None and rule.page != page:
                continue
            if remaining[0] is not None:
                remaining[0] -= 1
                if remaining[0] <= 0:
                    del self._rules[i]
            self.fired[kind] += 1
            return rule
        return None


class Stats:
    """Request counters per route and status, and tokens issued."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: Counter[str] = Counter()
        self.statuses: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.tokens_issued = 0

    def to_json(self, faults: Faults) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "responses": {route: dict(codes) for route, codes in self.statuses.items()},
            "tokens_issued": self.tokens_issued,
            "faults_fired": dict(faults.fired),
            "total_requests": sum(self.requests.values()),
        }
