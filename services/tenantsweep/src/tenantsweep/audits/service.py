"""Audit runs as the API takes and shows them (no SQL, no HTTP).

- Create: ``tenant_name`` and ``tenant_id`` are required; ``initiated_by`` defaults to the caller the
  gateway vouched for (the email of a signed-in person, ``token:<name>`` for an API token).
- Update: ``status`` (``running`` | ``completed`` | ``failed``, any case), ``summary`` (a JSON object,
  stored as sent) and ``error_message``, each optional but at least one present. Finishing sets
  ``completed_at``. A finished audit never changes again (409 ``AUDIT_FINISHED``) — except that repeating
  exactly the request that finished it answers 200 with the audit unchanged, so a client may retry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hub_shared.app import rfc3339
from hub_shared.identity import Identity
from tenantsweep.catalog import (
    FINISHED_STATUSES,
    MAX_ERROR_MESSAGE,
    MAX_NAME,
    MAX_SUMMARY_CHARS,
    RUNNING,
    SEVERITY_RANK,
    InputError,
    clean_json_object,
    clean_name,
    clean_text,
    parse_audit_status,
)

MISSING_TENANT = "Both tenant_name and tenant_id are required"
UPDATABLE_FIELDS = ("status", "summary", "error_message")


class AuditFinished(Exception):
    """The audit is completed or failed: it cannot be reopened, changed, or given more findings."""

    def __init__(self, audit_id: int, status: str, action: str = "changed") -> None:
        super().__init__(f"Audit {audit_id} is {status}; a finished audit cannot be {action}")
        self.audit_id = audit_id
        self.status = status


@dataclass(frozen=True)
class NewAudit:
    tenant_name: str
    tenant_id: str
    initiated_by: str | None
    created_by: str


def parse_new_audit(payload: Mapping[Any, Any], caller: Identity) -> NewAudit:
    if payload.get("tenant_name") is None or payload.get("tenant_id") is None:
        raise InputError("MISSING_FIELDS", MISSING_TENANT)
    common: dict[str, Any] = {"max_length": MAX_NAME, "required": True, "missing_message": MISSING_TENANT}
    tenant_name = clean_name(payload["tenant_name"], "tenant_name", **common)
    tenant_id = clean_text(payload["tenant_id"], "tenant_id", **common)
    claimed = clean_text(payload.get("initiated_by"), "initiated_by", max_length=MAX_NAME)
    assert tenant_name is not None and tenant_id is not None
    return NewAudit(
        tenant_name=tenant_name,
        tenant_id=tenant_id,
        initiated_by=claimed or caller.user,
        created_by=caller.user,
    )


@dataclass(frozen=True)
class AuditUpdate:
    """What a PATCH asks for; ``set_summary`` / ``set_error`` say whether the key was sent at all."""

    status: str | None = None
    set_summary: bool = False
    summary: dict[str, Any] | None = None
    set_error: bool = False
    error_message: str | None = None


def parse_update(payload: Mapping[Any, Any]) -> AuditUpdate:
    if not any(name in payload for name in UPDATABLE_FIELDS):
        raise InputError("MISSING_FIELDS", f"Provide at least one of: {', '.join(UPDATABLE_FIELDS)}")
    status = parse_audit_status(payload["status"]) if payload.get("status") is not None else None
    return AuditUpdate(
        status=status,
        set_summary="summary" in payload,
        summary=clean_json_object(payload.get("summary"), "summary", max_chars=MAX_SUMMARY_CHARS),
        set_error="error_message" in payload,
        error_message=clean_text(
            payload.get("error_message"), "error_message", max_length=MAX_ERROR_MESSAGE, strip=False
        ),
    )


def needs_change(audit: Mapping[Any, Any], update: AuditUpdate) -> bool:
    """Whether ``update`` changes ``audit``; raises :class:`AuditFinished` when it would change a finished one."""
    differs = (
        (update.status is not None and update.status != audit["status"])
        or (update.set_summary and update.summary != audit["summary"])
        or (update.set_error and update.error_message != audit["error_message"])
    )
    if audit["status"] in FINISHED_STATUSES and differs:
        action = "reopened" if update.status == RUNNING else "changed"
        raise AuditFinished(int(audit["id"]), str(audit["status"]), action)
    return differs


def _ts(value: Any) -> str | None:
    return rfc3339(value) if value is not None else None


def audit_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The spec's Audit, plus ``created_by`` (who the gateway vouched for when it was created)."""
    return {
        "id": row["id"],
        "tenant_name": row["tenant_name"],
        "tenant_id": row["tenant_id"],
        "status": row["status"],
        "started_at": _ts(row["started_at"]),
        "completed_at": _ts(row["completed_at"]),
        "summary": row["summary"],
        "error_message": row["error_message"],
        "initiated_by": row["initiated_by"],
        "created_at": _ts(row["created_at"]),
        "created_by": row["created_by"],
    }


def severity_summary(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """``{"Critical": 1, ...}``: severities with at least one finding, in rank order."""
    totals: dict[str, int] = {}
    for severity, count in counts:
        if count > 0:
            totals[severity] = totals.get(severity, 0) + int(count)
    return {name: totals[name] for name in sorted(totals, key=SEVERITY_RANK.__getitem__)}
