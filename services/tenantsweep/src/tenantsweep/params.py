"""The query and path parameters the TenantSweep routes share, with their real types and constraints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator, StringConstraints

from tenantsweep.catalog import SEVERITIES, SEVERITY_RANK, InputError, parse_severity
from tenantsweep.web import MAX_ID, any_case, coded, id_text

SEVERITY_LIST_PATTERN = f"^[ \\t,]*(?:{any_case(SEVERITIES)}[ \\t]*(?:,[ \\t,]*(?:{any_case(SEVERITIES)}[ \\t]*)?)*)?$"


def severity_filter(value: str | None) -> tuple[str, ...] | None:
    """``?severity=`` as canonical severities: one name or a comma-separated list (any case); None = all."""
    if value is None or not value.strip():
        return None
    chosen = {parse_severity(part) for part in value.split(",") if part.strip()}
    return tuple(sorted(chosen, key=SEVERITY_RANK.__getitem__)) or None


def _check_severities(value: Any) -> Any:
    if isinstance(value, str):
        try:
            severity_filter(value)
        except InputError as problem:
            raise coded(problem) from None
    return value


AuditId = Annotated[int, id_text("audit id"), Path(description="the audit's id (a positive integer)", ge=1, le=MAX_ID)]
IncludeFindings = Annotated[bool, Query(description="include the findings (default true)")]
# The route receives the canonical severities (a tuple), or None for all.
SeverityFilter = Annotated[
    Annotated[str, StringConstraints(pattern=SEVERITY_LIST_PATTERN)] | None,
    BeforeValidator(_check_severities),
    AfterValidator(severity_filter),
    Query(description=f"{', '.join(SEVERITIES)} (any case), or a comma-separated list of them"),
]
