"""SQL fragments the repositories share (no queries run here): the audit columns, the findings order and
severity filter, and LIKE patterns taken literally."""

from __future__ import annotations

from tenantsweep.catalog import SEVERITIES

AUDIT_COLUMNS = (
    "a.id, a.tenant_name, a.tenant_id, a.status, a.started_at, a.completed_at, a.summary, a.error_message, "
    "a.initiated_by, a.created_by, a.created_at"
)
# Severity rank, then check id: the order of every findings list and export.
FINDINGS_ORDER_BY = "array_position(CAST(:severity_order AS text[]), f.severity::text), f.check_id, f.id"
FINDINGS_ORDER_PARAMS = {"severity_order": list(SEVERITIES)}
SEVERITY_FILTER = "(CAST(:severities AS text[]) IS NULL OR f.severity = ANY(CAST(:severities AS text[])))"


def like_pattern(value: str) -> str:
    """A substring pattern with LIKE's wildcards taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
