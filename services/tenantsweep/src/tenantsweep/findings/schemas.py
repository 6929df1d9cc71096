"""The finding routes' bodies and answers as pydantic models, and what the repository stores.

A finding needs ``check_id``, ``check_name``, ``severity`` and ``status``; ``current_value``,
``expected_value`` and ``recommendation`` are optional text (a JSON number or boolean, as scanners send
for counts and switches, is kept as its JSON text — ``45`` → ``"45"``, ``false`` → ``"false"`` — as the
replaced system stored it), ``details`` an optional JSON object. Unknown fields are ignored (scanners send
extras).

Bulk bodies are all or nothing: every item is checked, and every problem of every item is reported with
the item's (0-based) index, both as the replaced system's text (``"Finding 3: invalid severity
'Urgent'"``) and as structured entries — one ``INVALID_FINDINGS`` validation error carrying them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub_shared.bodies import any_case, coded
from tenantsweep.api import input_error, require_object
from tenantsweep.catalog import (
    FINDING_STATUSES,
    MAX_CHECK_ID,
    MAX_CHECK_NAME,
    MAX_DETAILS_CHARS,
    MAX_VALUE_TEXT,
    SEVERITIES,
    InputError,
    clean_json_object,
    clean_text,
    dump_json,
    parse_finding_status,
    parse_severity,
)

REQUIRED = ("check_id", "check_name", "severity", "status")
REQUIRED_MESSAGE = "check_id, check_name, severity, and status are required"
OPTIONAL_TEXT = ("current_value", "expected_value", "recommendation")
MISSING_FINDINGS = "Request body must include 'findings' array"
NOT_AN_ARRAY = "'findings' must be an array"
SEVERITY_PATTERN = f"^[ \\t]*{any_case(SEVERITIES)}[ \\t]*$"
STATUS_PATTERN = f"^[ \\t]*{any_case(FINDING_STATUSES)}[ \\t]*$"
NON_BLANK = r"\S"
# Free text; a number or boolean is stored as its JSON text.
ValueText = Annotated[
    Annotated[str, Field(max_length=MAX_VALUE_TEXT)] | float | bool | None,
    Field(default=None, description='a number or boolean is stored as its JSON text (45 → "45", true → "true")'),
]
EXAMPLE: dict[str, Any] = {
    "check_id": "MFA_ENFORCEMENT",
    "check_name": "MFA Enforcement",
    "severity": "Critical",
    "status": "fail",
    "current_value": "MFA not enforced for 45 users",
    "expected_value": "MFA required for all users",
    "details": {"users_without_mfa": 45, "total_users": 100},
    "recommendation": "Enable MFA via Conditional Access policy",
}


@dataclass(frozen=True)
class NewFinding:
    check_id: str
    check_name: str
    severity: str
    status: str
    current_value: str | None = None
    expected_value: str | None = None
    details: dict[str, Any] | None = None
    recommendation: str | None = None


@dataclass(frozen=True)
class ItemProblem:
    index: int
    field: str | None
    code: str
    message: str

    def text(self) -> str:
        return f"Finding {self.index}: {self.message}"

    def view(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "code": self.code, "message": self.message}


def item_errors(problems: Sequence[ItemProblem]) -> dict[str, Any]:
    """The error body's ``errors`` (text) and ``invalid_findings`` (structured) for these problems."""
    return {
        "errors": [problem.text() for problem in problems],
        "invalid_findings": [problem.view() for problem in problems],
    }


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def value_text(value: Any, field: str) -> str | None:
    """An optional free-text field; a JSON number or boolean becomes its JSON text."""
    if isinstance(value, bool | int | float):
        value = dump_json(value)
    return clean_text(value, field, max_length=MAX_VALUE_TEXT, strip=False)


def check_finding(item: Any) -> tuple[NewFinding | None, list[InputError]]:
    """The finding in ``item``, or every problem with it (most important first)."""
    if not isinstance(item, Mapping):
        return None, [InputError("INVALID_DATA", "must be a JSON object")]
    problems: list[InputError] = []
    if any(_blank(item.get(name)) for name in REQUIRED):
        problems.append(InputError("MISSING_FIELDS", REQUIRED_MESSAGE))

    def attempt(field: str, check: Any) -> Any:
        if _blank(item.get(field)) and field in REQUIRED:
            return None  # already reported as missing
        try:
            return check()
        except InputError as problem:
            problems.append(problem)
            return None

    severity = attempt("severity", lambda: parse_severity(item.get("severity")))
    status = attempt("status", lambda: parse_finding_status(item.get("status")))
    check_id = attempt("check_id", lambda: clean_text(item.get("check_id"), "check_id", max_length=MAX_CHECK_ID))
    check_name = attempt(
        "check_name", lambda: clean_text(item.get("check_name"), "check_name", max_length=MAX_CHECK_NAME)
    )
    texts = {name: attempt(name, lambda name=name: value_text(item.get(name), name)) for name in OPTIONAL_TEXT}
    details = attempt("details", lambda: clean_json_object(item.get("details"), "details", max_chars=MAX_DETAILS_CHARS))
    if problems:
        return None, problems
    return (
        NewFinding(
            check_id=check_id,
            check_name=check_name,
            severity=severity,
            status=status,
            current_value=texts["current_value"],
            expected_value=texts["expected_value"],
            details=details,
            recommendation=texts["recommendation"],
        ),
        [],
    )


def _item_message(problem: InputError, item: Any) -> str:
    """A bulk item's problem in the replaced system's words, with the allowed values."""
    if problem.code == "INVALID_SEVERITY" and isinstance(item, Mapping):
        return f"invalid severity '{_shown(item.get('severity'))}' (use {', '.join(SEVERITIES)})"
    if problem.code == "INVALID_STATUS" and isinstance(item, Mapping):
        return f"invalid status '{_shown(item.get('status'))}' (use {', '.join(FINDING_STATUSES)})"
    return problem.message


def check_bulk(items: Sequence[Any]) -> tuple[list[NewFinding], list[ItemProblem]]:
    """Every item checked; findings are returned only when there is no problem at all."""
    findings: list[NewFinding] = []
    problems: list[ItemProblem] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        finding, item_problems = check_finding(item)
        for problem in item_problems:
            problems.append(ItemProblem(index, problem.field, problem.code, _item_message(problem, item)))
        if finding is None:
            continue
        if finding.check_id in first_index:
            problems.append(
                ItemProblem(
                    index,
                    "check_id",
                    "DUPLICATE_CHECK",
                    f"check_id '{_shown(finding.check_id)}' is also used by finding {first_index[finding.check_id]}",
                )
            )
            continue
        first_index[finding.check_id] = index
        findings.append(finding)
    return (findings if not problems else []), problems


# ---------------------------------------------------------------------------------------------- bodies


class FindingBody(BaseModel):
    """One security check's result (``POST /api/tenantsweep/audits/{id}/findings``)."""

    model_config = ConfigDict(json_schema_extra={"example": EXAMPLE})

    check_id: str = Field(max_length=MAX_CHECK_ID, pattern=NON_BLANK, description="unique within the audit")
    check_name: str = Field(max_length=MAX_CHECK_NAME, pattern=NON_BLANK)
    severity: str = Field(pattern=SEVERITY_PATTERN, description="Critical, High, Medium, Low or Info (any case)")
    status: str = Field(pattern=STATUS_PATTERN, description="pass, fail, warning or error (any case)")
    current_value: ValueText
    expected_value: ValueText
    details: dict[str, Any] | None = None
    recommendation: ValueText

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        finding, problems = check_finding(require_object(data))
        if finding is None:
            raise input_error(problems[0])
        return finding.__dict__

    def finding(self) -> NewFinding:
        return NewFinding(**self.model_dump())


def _new_finding(finding: NewFinding) -> FindingBody:
    return FindingBody.model_construct(**finding.__dict__)


class BulkFindingsBody(BaseModel):
    """Many findings, stored all or nothing (``POST /api/tenantsweep/audits/{id}/findings/bulk``)."""

    model_config = ConfigDict(json_schema_extra={"example": {"findings": [EXAMPLE]}})

    findings: list[FindingBody]

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        payload = require_object(data)
        if "findings" not in payload:
            raise coded("MISSING_DATA", MISSING_FINDINGS)
        items = payload["findings"]
        if not isinstance(items, list):
            raise coded("INVALID_DATA", NOT_AN_ARRAY)
        findings, problems = check_bulk(items)
        if problems:
            invalid = len({problem.index for problem in problems})
            raise coded(
                "INVALID_FINDINGS",
                f"{invalid} of {len(items)} findings are invalid; none were stored",
                {"total_submitted": len(items), "invalid_count": invalid, **item_errors(problems)},
            )
        return {"findings": [_new_finding(finding) for finding in findings]}

    def new_findings(self) -> list[NewFinding]:
        return [NewFinding(**finding.__dict__) for finding in self.findings]


# ---------------------------------------------------------------------------------------------- answers


class BulkResult(BaseModel):
    audit_id: int
    created_count: int
    total_submitted: int
