"""The query and path parameters the TenantSweep routes share, with their real types and constraints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from hub_shared.bodies import any_case
from hub_shared.web import QueryFlag
from tenantsweep.api import MAX_ID, id_text, input_error
from tenantsweep.catalog import MAX_NAME, SEVERITIES, InputError, parse_severity_filter

SEVERITY_LIST_PATTERN = f"^[ \\t,]*(?:{any_case(SEVERITIES)}[ \\t]*(?:,[ \\t,]*(?:{any_case(SEVERITIES)}[ \\t]*)?)*)?$"


def _check_severities(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parse_severity_filter(value)
        except InputError as problem:
            raise input_error(problem) from None
    return value


# Constraints sit on the inner type, so that they reach the document (not hidden behind a validator).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Name = Annotated[str, StringConstraints(max_length=MAX_NAME)]
AuditId = Annotated[Id, id_text("audit id"), Path(description="the audit's id (a positive integer)")]
IncludeFindings = Annotated[QueryFlag, Query(description="include the findings (default true)")]
# The route receives the canonical severities (a tuple), or None for all.
SeverityFilter = Annotated[
    Annotated[str, StringConstraints(pattern=SEVERITY_LIST_PATTERN)] | None,
    BeforeValidator(_check_severities),
    AfterValidator(parse_severity_filter),
    Query(description=f"{', '.join(SEVERITIES)} (any case), or a comma-separated list of them"),
]
