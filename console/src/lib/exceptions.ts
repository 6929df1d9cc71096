// Exception actions: resolve, mark manually fixed, reset — one exception or a selection.
import { api, unwrap } from "../api/client";

export const UPDATE_TYPES: { value: string; label: string }[] = [
  { value: "hostname_renamed", label: "Hostname renamed" },
  { value: "display_name_updated", label: "Display name updated" },
  { value: "agent_installed", label: "Missing agent installed" },
  { value: "duplicate_removed", label: "Duplicate agent removed" },
  { value: "licence_removed", label: "ThreatLocker licence removed" },
  { value: "organization_moved", label: "Moved to the right organisation / site" },
  { value: "other", label: "Other" },
];

export type Action = "resolve" | "mark_manually_fixed" | "reset_status";

export async function applyAction(ids: number[], action: Action, fields: { notes?: string; update_type?: string } = {}): Promise<number> {
  const notes = fields.notes?.trim() || null;
  if (ids.length === 1 && action === "resolve") {
    await unwrap(api.POST("/api/exceptions/{exception_id}/resolve", { params: { path: { exception_id: ids[0] } }, body: { notes } }));
    return 1;
  }
  if (ids.length === 1 && action === "mark_manually_fixed") {
    await unwrap(api.POST("/api/exceptions/{exception_id}/mark-manually-fixed", {
      params: { path: { exception_id: ids[0] } }, body: { notes, update_type: fields.update_type || "other" },
    }));
    return 1;
  }
  const result = await unwrap<{ updated_count?: number }>(api.POST("/api/exceptions/bulk-update", {
    body: { exception_ids: ids, action, notes, update_type: fields.update_type || "bulk_update" },
  }));
  return result.updated_count ?? ids.length;
}

export function actionLabel(action: string): string {
  switch (action) {
    case "detected": return "Detected";
    case "resolved": case "resolve": return "Resolved";
    case "manually_fixed": case "mark_manually_fixed": return "Marked manually fixed";
    case "reset_status": return "Reset to open";
    case "auto_resolved": return "Resolved automatically";
    case "redetected": return "Detected again";
    default: return action.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());
  }
}
