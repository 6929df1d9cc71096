// Collection batches: when polling stops, which batch the page follows across reloads, history grouping.
import type { BatchInfo, JobInfo } from "../api/types";
import { load, save } from "./storage";

export const TERMINAL = new Set(["completed", "failed", "cancelled"]);
export const POLL_MS = 5000; // the spec's polling tip: every 5-10 seconds, not more often

export function isTerminal(status: string | undefined | null): boolean {
  return !!status && TERMINAL.has(status);
}

const KEY = "hub.collections.batch";

export function rememberBatch(batchId: string | null): void {
  save(KEY, batchId);
}

export function rememberedBatch(): string | null {
  const v = load<string | null>(KEY, null);
  return typeof v === "string" && /^bc_[0-9a-f]+$/.test(v) ? v : null;
}

export interface BatchSummary {
  batch_id: string;
  started_at: string | null;
  ended_at: string | null;
  status: string;
  jobs: JobInfo[];
  errors: string[];
  duration_seconds: number | null;
}

/** The history's jobs grouped into batches, newest first. */
export function groupHistory(jobs: JobInfo[]): BatchSummary[] {
  const map = new Map<string, JobInfo[]>();
  for (const j of jobs) {
    const list = map.get(j.batch_id) ?? [];
    list.push(j);
    map.set(j.batch_id, list);
  }
  const out: BatchSummary[] = [];
  for (const [batch_id, list] of map) {
    const starts = list.map((j) => j.started_at ?? j.queued_at).filter(Boolean) as string[];
    const ends = list.map((j) => j.ended_at).filter(Boolean) as string[];
    const started_at = starts.sort()[0] ?? null;
    const ended_at = ends.length === list.length ? ends.sort()[ends.length - 1] : null;
    const statuses = list.map((j) => j.status);
    const status = statuses.some((s) => !isTerminal(s)) ? "running" : statuses.includes("failed") ? (statuses.includes("completed") ? "partial" : "failed") : statuses.every((s) => s === "cancelled") ? "cancelled" : "completed";
    const duration_seconds = started_at && ended_at ? Math.max(0, (Date.parse(ended_at) - Date.parse(started_at)) / 1000) : null;
    out.push({ batch_id, started_at, ended_at, status, jobs: list, errors: list.map((j) => j.error).filter(Boolean) as string[], duration_seconds });
  }
  return out.sort((a, b) => (b.started_at ?? "").localeCompare(a.started_at ?? ""));
}

export function jobLabel(job: Pick<JobInfo, "job_name">): string {
  switch (job.job_name) {
    case "ninja-collector": return "NinjaOne collector";
    case "threatlocker-collector": return "ThreatLocker collector";
    case "connectwise-collector": return "ConnectWise collector";
    case "cross-vendor-checks": return "Cross-vendor checks";
    case "windows-11-24h2-assessment": return "Windows 11 24H2 assessment";
    default: return job.job_name.replace(/[-_]/g, " ");
  }
}

export function activeBatchId(progress: { active_collections?: unknown[] } | undefined): string | null {
  for (const entry of progress?.active_collections ?? []) {
    const e = entry as Partial<BatchInfo & JobInfo>;
    if (e.batch_id) return e.batch_id;
  }
  return null;
}
