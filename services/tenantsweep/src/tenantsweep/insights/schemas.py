"""What compare and the overview work with: one check's result, an audit's counts per severity, and a
tenant's runs (plain data; filled by ``repository.py``, read by ``service.py``), and the answers of compare
and the overview as pydantic models."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from tenantsweep.catalog import SEVERITIES
from tenantsweep.views import Audit, Severity, Timestamp


@dataclass(frozen=True)
class CheckResult:
    finding_id: int
    check_id: str
    check_name: str
    severity: str
    status: str


@dataclass
class AuditCounts:
    """An audit's findings per severity: all of them, and the failing ones."""

    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    failing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))

    def add(self, severity: str, total: int, failing: int) -> None:
        self.total[severity] += total
        self.failing[severity] += failing


@dataclass
class TenantRuns:
    """What the overview knows about one tenant: its newest run, and its two newest completed audits."""

    latest_run: Mapping[Any, Any]
    audits_count: int
    completed_count: int
    completed: list[Mapping[Any, Any]] = field(default_factory=list)  # newest first, at most two


# ---------------------------------------------------------------------------------------------- answers


class CheckChange(BaseModel):
    """One check in a comparison: both sides (null where the check is absent)."""

    check_id: str
    check_name: str
    severity: Severity | None
    status: str | None
    previous_severity: Severity | None
    previous_status: str | None
    finding_id: int | None
    previous_finding_id: int | None


class Comparison(BaseModel):
    audit: Audit
    against: Audit
    baseline: Literal["requested", "previous_completed"]
    counts: dict[str, int]
    new_failures: list[CheckChange]
    fixed: list[CheckChange]
    still_failing: list[CheckChange]
    not_rechecked: list[CheckChange]
    changed_severity: list[CheckChange]


class RunBrief(BaseModel):
    id: int
    status: str
    started_at: Timestamp
    completed_at: Timestamp | None


class AuditBrief(RunBrief):
    findings_count: int
    failing_count: int
    severity_counts: dict[Severity, int]
    failing_counts: dict[Severity, int]


class Trend(BaseModel):
    direction: Literal["improving", "worsening", "unchanged", "new", "none"]
    failing_change: int | None
    failing_change_by_severity: dict[Severity, int] | None


class TenantRow(BaseModel):
    tenant_id: str
    tenant_name: str
    audits_count: int
    completed_audits_count: int
    latest_run: RunBrief
    latest_audit: AuditBrief | None
    previous_audit: AuditBrief | None
    trend: Trend


class Overview(BaseModel):
    tenants: list[TenantRow]
    total_count: int
