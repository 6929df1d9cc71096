export const SEVERITIES = ["Critical", "High", "Medium", "Low", "Info"] as const;
export const STATUSES = ["fail", "warning", "error", "pass"] as const;

export interface AuditSummary {
  id: number; tenant_name: string; tenant_id: string; status: string; started_at: string | null; completed_at: string | null;
  summary: Record<string, number> | null; error_message: string | null; initiated_by: string | null; created_at: string;
  findings_count?: number; severity_summary?: Record<string, number>;
}
export interface Finding {
  id: number; audit_id: number; check_id: string; check_name: string; severity: string; status: string;
  current_value: string | null; expected_value: string | null; details: unknown; recommendation: string | null; created_at: string;
}
export interface CompareItem { check_id: string; check_name: string; severity: string; status: string | null; previous_severity: string | null; previous_status: string | null; finding_id: number | null; previous_finding_id: number | null }
export interface Compare {
  audit: AuditSummary; against: AuditSummary; baseline: string; counts: Record<string, number>;
  new_failures: CompareItem[]; fixed: CompareItem[]; still_failing: CompareItem[]; not_rechecked: CompareItem[]; changed_severity: CompareItem[];
}
export interface OverviewAudit { id: number; status: string; started_at: string | null; completed_at: string | null; findings_count: number; failing_count: number; severity_counts: Record<string, number>; failing_counts: Record<string, number> }
export interface TenantOverview {
  tenant_id: string; tenant_name: string; audits_count: number; completed_audits_count: number;
  latest_run: { id: number; status: string; started_at: string | null; completed_at: string | null } | null;
  latest_audit: OverviewAudit | null; previous_audit: OverviewAudit | null;
  trend: { direction: string; failing_change: number; failing_change_by_severity: Record<string, number> };
}

export function statusTone(status: string): "ok" | "warn" | "bad" | "info" | undefined {
  switch (status) {
    case "pass": case "completed": return "ok";
    case "warning": return "warn";
    case "fail": case "failed": return "bad";
    case "error": return "warn";
    case "running": return "info";
    default: return undefined;
  }
}
