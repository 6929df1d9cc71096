// The response shapes the pages read. The generated schema (schema.d.ts) types paths and parameters
// exactly; response bodies are still loose objects in the OpenAPI (issue 12 is making them exact), so the
// pages name what they read here and tolerate missing fields.

export interface VendorStatus { latest_date: string | null; freshness_status: string; freshness_message: string; days_old: number | null }
export interface StatusResponse {
  data_status: { status: string; message: string; latest_date: string | null };
  device_counts: Record<string, number>;
  vendor_status: Record<string, VendorStatus>;
  collector_health: { has_recent_failures: boolean; recent_failures: JobInfo[]; total_failures_last_24h: number };
  warnings: string[];
  has_warnings: boolean;
  exception_counts: Record<string, number>;
  total_exceptions: number;
}

export interface JobInfo {
  job_id: string;
  batch_id: string;
  job_name: string;
  collector?: string;
  status: string;
  started_at: string | null;
  updated_at: string | null;
  ended_at: string | null;
  progress_percent: number;
  message: string | null;
  error: string | null;
  duration_seconds: number | null;
  queued_at?: string | null;
  last_heartbeat?: string | null;
  duration?: string;
}

export interface BatchInfo {
  batch_id: string;
  status: string;
  progress_percent: number;
  estimated_completion: string | null;
  started_at: string | null;
  updated_at: string | null;
  ended_at: string | null;
  message: string | null;
  error: string | null;
  trigger: string | null;
  requested_by: string | null;
  snapshot_date: string | null;
  run_cross_vendor: boolean;
  collectors: JobInfo[];
  duration_seconds: number | null;
  failed_jobs: string[];
  status_url?: string;
}

export interface ProgressResponse { active_collections: BatchInfo[] | JobInfo[]; total_active: number }
export interface HistoryResponse { collection_history: JobInfo[]; total_runs: number }
export interface CollectorState { status: string; last_run: string | null; last_status: string | null; last_message: string | null; worker_ready?: boolean }

export interface VarianceRow {
  id: number;
  hostname: string;
  vendor: string;
  display_name: string;
  organization: string;
  billing_status: string;
  action: string;
  type: string;
  resolved: boolean;
  variance_status: string;
  ninja_hostname: string;
  threatlocker_hostname: string;
  ninja_display_name: string;
  threatlocker_display_name: string;
  resolved_date?: string | null;
  resolved_by?: string | null;
  notes?: string | null;
  update_type?: string | null;
  details?: Record<string, unknown>;
  first_seen?: string;
  last_seen?: string;
}

export interface VarianceSection { total_count: number; by_organization: Record<string, VarianceRow[]> }

export interface VarianceReport {
  report_date: string | null;
  data_status: { status: string; message: string; latest_date: string | null };
  summary: { total_exceptions: number; unresolved_count: number; resolved_count: number };
  exception_counts: Record<string, number>;
  device_counts?: Record<string, number>;
  collection_info?: Record<string, string | null>;
  computed_at?: string | null;
  report_pending?: boolean;
  [section: string]: unknown;
}

export interface ExceptionHistoryEntry {
  id: number;
  changed_at: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  actor: string | null;
  actor_source: string | null;
  report_date: string | null;
  notes: string | null;
  data: Record<string, unknown> | null;
}

export interface AvailableDate {
  date: string;
  ninja_devices: number;
  threatlocker_devices: number;
  total_exceptions: number;
  unresolved_exceptions: number;
  data_quality: string;
  days_old: number;
  report_available: boolean;
}
export interface AvailableDatesResponse { available_dates: AvailableDate[]; date_range: { earliest: string | null; latest: string | null }; total_dates: number }

export interface Envelope<T> { success: boolean; data: T }
