import { useEffect, useMemo, useState } from "react";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { api, loose, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import type { BatchInfo, HistoryResponse, ProgressResponse } from "../api/types";
import { DataTable } from "../components/DataTable";
import { IconPlay } from "../components/icons";
import { Badge, Banner, Card, Drawer, Loading, ProgressBar, QueryError, toast } from "../components/ui";
import { activeBatchId, groupHistory, isTerminal, jobLabel, POLL_MS, rememberBatch, rememberedBatch, type BatchSummary } from "../lib/batch";
import { fmtDateTime, fmtDuration, relTime, titleCase } from "../lib/format";
import { statusTone } from "../lib/variance";

function useBatch(batchId: string | null) {
  return useQuery({
    queryKey: ["batch", batchId],
    enabled: !!batchId,
    queryFn: () => unwrap<BatchInfo>(api.GET("/api/collectors/runs/batch/{batch_id}", { params: { path: { batch_id: batchId! } } })),
    refetchInterval: (q) => (q.state.data && isTerminal(q.state.data.status) ? false : POLL_MS),
    refetchIntervalInBackground: true,
    staleTime: 0,
  });
}

export default function CollectionsPage() {
  const client = useQueryClient();
  const [ninja, setNinja] = useState(true);
  const [threatlocker, setThreatlocker] = useState(true);
  const [connectwise, setConnectwise] = useState(false);
  const [crossVendor, setCrossVendor] = useState(true);
  const [batchId, setBatchId] = useState<string | null>(() => rememberedBatch());
  const [openBatch, setOpenBatch] = useState<string | null>(null);

  const progress = useQuery({
    queryKey: ["collectors-progress"],
    queryFn: () => unwrap<ProgressResponse>(api.GET("/api/collectors/progress")),
    refetchInterval: POLL_MS * 2,
  });
  // A batch started elsewhere (another tab, the schedule) is followed too.
  useEffect(() => {
    const active = activeBatchId(progress.data);
    if (active && active !== batchId) setBatchId(active);
  }, [progress.data, batchId]);
  useEffect(() => rememberBatch(batchId), [batchId]);

  const history = useQuery({
    queryKey: ["collectors-history", 60],
    queryFn: () => unwrap<HistoryResponse>(api.GET("/api/collectors/history", { params: { query: loose({ limit: 60 }) } })),
    refetchInterval: batchId ? POLL_MS * 2 : 60_000,
  });
  // Without a followed batch, the card shows the newest one from the history.
  const shownId = batchId ?? history.data?.collection_history?.[0]?.batch_id ?? null;
  const batch = useBatch(shownId);

  // When the followed batch ends, everything it changed is refreshed.
  const ended = batch.data ? isTerminal(batch.data.status) : false;
  useEffect(() => {
    if (!ended) return;
    void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "batch" && q.queryKey[0] !== "auth" });
  }, [ended, client]);

  const run = useMutation({
    mutationFn: async () => {
      const collectors = [ninja && "ninja", threatlocker && "threatlocker", connectwise && "connectwise"].filter(Boolean) as ("ninja" | "threatlocker" | "connectwise")[];
      return unwrap<BatchInfo>(api.POST("/api/collectors/run", { body: { collectors, run_cross_vendor: crossVendor } }));
    },
    onSuccess: (b) => {
      setBatchId(b.batch_id);
      client.setQueryData(["batch", b.batch_id], b);
      toast(`Collection ${b.batch_id} started`);
    },
    onError: (e) => {
      const body = e instanceof ApiError ? (e.body as Record<string, unknown> | undefined) : undefined;
      const running = (body?.batch_id ?? (body?.error as Record<string, unknown> | undefined)?.batch_id) as string | undefined;
      if (running) setBatchId(running);
    },
  });

  const running = !!batch.data && !isTerminal(batch.data.status);
  const nothing = !ninja && !threatlocker && !connectwise;
  const batches = useMemo(() => groupHistory(history.data?.collection_history ?? []), [history.data]);

  return (
    <div data-testid="page-collections" className="stack">
      <div className="page-head">
        <div className="titles">
          <h1>Collections</h1>
          <p>Take a new snapshot from the vendors and reconcile it. Each job reports its progress live.</p>
        </div>
      </div>

      <div className="grid" style={{ gridTemplateColumns: "minmax(260px, 320px) minmax(0, 1fr)" }}>
        <Card title="Run collectors">
          <form className="stack" style={{ gap: 12 }} onSubmit={(e) => { e.preventDefault(); run.mutate(); }}>
            <fieldset style={{ border: 0, padding: 0, margin: 0 }} className="stack">
              <legend className="small muted" style={{ marginBottom: 8 }}>Vendors</legend>
              <label className="check"><input type="checkbox" checked={ninja} onChange={(e) => setNinja(e.target.checked)} data-testid="collect-ninja" /> NinjaOne</label>
              <label className="check"><input type="checkbox" checked={threatlocker} onChange={(e) => setThreatlocker(e.target.checked)} data-testid="collect-threatlocker" /> ThreatLocker</label>
              <label className="check"><input type="checkbox" checked={connectwise} onChange={(e) => setConnectwise(e.target.checked)} data-testid="collect-connectwise" />
                <span>ConnectWise <span className="small muted">(ticket metrics for the QBR)</span></span></label>
            </fieldset>
            <label className="check"><input type="checkbox" checked={crossVendor} onChange={(e) => setCrossVendor(e.target.checked)} data-testid="collect-cross-vendor" />
              <span>Cross-vendor checks<br /><span className="small muted">Rebuild the variance report and the Windows 11 assessment afterwards</span></span></label>
            <button type="submit" className="btn btn-primary" disabled={run.isPending || running || nothing} data-testid="run-collectors">
              {run.isPending ? <span className="spinner" aria-hidden="true" /> : <IconPlay size={14} />} Run collectors
            </button>
            {nothing && <span className="small muted">Choose at least one vendor.</span>}
            {running && <span className="small muted">A collection is running; the next one can start when it ends.</span>}
            {run.isError && <Banner tone="bad" title="The collection did not start">{run.error instanceof Error ? run.error.message : String(run.error)}</Banner>}
          </form>
        </Card>

        <Card title={shownId ? <>{batch.data && isTerminal(batch.data.status) ? "Last collection" : "Current collection"} <span className="mono small muted">{shownId}</span></> : "Current collection"} testid="current-batch"
          actions={batch.data && <Badge tone={statusTone(batch.data.status)} testid="batch-status">{titleCase(batch.data.status)} · {batch.data.progress_percent}%</Badge>}>
          {!shownId ? (
            <p className="muted">No collection is running. Start one on the left; its progress appears here and survives a reload.</p>
          ) : batch.isError && !batch.data ? <QueryError error={batch.error} retry={() => batch.refetch()} what="the collection" />
            : !batch.data ? <Loading /> : <BatchProgress batch={batch.data} prefix={batchId ? "" : "last-"} />}
        </Card>
      </div>

      <Card title="Run history" flush>
        {history.isError && !history.data ? <div className="card-body"><QueryError error={history.error} what="run history" /></div> : !history.data ? <Loading /> : (
          <RunsTable batches={batches} onOpen={setOpenBatch} />
        )}
      </Card>
      {openBatch && <BatchDrawer batchId={openBatch} onClose={() => setOpenBatch(null)} />}
    </div>
  );
}

/** `prefix` "last-" marks a batch shown from the history (not one this page started or follows). */
function BatchProgress({ batch, prefix = "" }: { batch: BatchInfo; prefix?: string }) {
  return (
    <div className="stack" data-testid={`${prefix}batch-${batch.batch_id}`} data-status={batch.status}>
      <div>
        <div className="row" style={{ justifyContent: "space-between", marginBottom: 6 }}>
          <span style={{ fontWeight: 600 }}>{batch.message ?? titleCase(batch.status)}</span>
          <span className="small muted">
            {batch.started_at ? `started ${relTime(batch.started_at)}` : "queued"}
            {!isTerminal(batch.status) && batch.estimated_completion ? ` · expected ${relTime(batch.estimated_completion)}` : ""}
            {batch.duration_seconds !== null && isTerminal(batch.status) ? ` · took ${fmtDuration(batch.duration_seconds)}` : ""}
          </span>
        </div>
        <ProgressBar value={batch.progress_percent} label="Whole collection" tone={batch.status === "failed" ? "bad" : batch.status === "completed" ? "ok" : undefined} testid="batch-progress" />
      </div>
      {batch.collectors.map((job) => (
        <div key={job.job_id} data-testid={`${prefix}job-${job.job_id}`} data-status={job.status} className="job">
          <div className="row" style={{ justifyContent: "space-between", marginBottom: 4 }}>
            <span><strong>{jobLabel(job)}</strong> <span className="mono small muted">{job.job_id}</span></span>
            <span className="row" style={{ gap: 8 }}><span className="num small">{job.progress_percent}%</span><Badge tone={statusTone(job.status)}>{titleCase(job.status)}</Badge></span>
          </div>
          <ProgressBar value={job.progress_percent} label={`${jobLabel(job)} progress`} tone={job.status === "failed" ? "bad" : job.status === "completed" ? "ok" : undefined} />
          <div className="small muted" data-testid="job-message" style={{ marginTop: 4 }} aria-live="polite">
            {job.error ? <span style={{ color: "var(--bad)" }}>{job.error}</span> : job.message ?? (job.status === "queued" ? "Waiting to start…" : "")}
          </div>
        </div>
      ))}
      {batch.error && <Banner tone="bad" title="The collection reported an error">{batch.error}</Banner>}
    </div>
  );
}

type RunRow = BatchSummary & { trigger: string; requested_by: string };
const col = createColumnHelper<RunRow>();
const runColumns = [
  col.accessor("started_at", { header: "Started", size: 190, cell: (c) => <span title={c.getValue() ?? ""}>{fmtDateTime(c.getValue())}</span> }),
  col.accessor("batch_id", { header: "Batch", size: 130, cell: (c) => <span className="mono small">{c.getValue()}</span> }),
  col.accessor("status", { header: "Status", size: 120, cell: (c) => <Badge tone={c.getValue() === "partial" ? "warn" : statusTone(c.getValue())}>{titleCase(c.getValue())}</Badge> }),
  col.accessor("trigger", { header: "Trigger", size: 100, cell: (c) => <span className="small">{c.getValue() ? titleCase(c.getValue()) : "…"}</span> }),
  col.accessor("requested_by", { header: "Requested by", size: 170, cell: (c) => <span className="small">{c.getValue() || <span className="muted">—</span>}</span> }),
  col.accessor((b) => b.jobs.map(jobLabel).join(", "), { id: "jobs", header: "Jobs", size: 300, meta: { grow: 2 }, cell: (c) => <span className="small">{c.getValue()}</span> }),
  col.accessor("duration_seconds", { header: "Duration", size: 100, meta: { numeric: true, noFilter: true }, cell: (c) => fmtDuration(c.getValue()) }),
  col.accessor((b) => b.errors.join("; "), { id: "errors", header: "Errors", size: 260, meta: { grow: 1 }, cell: (c) => <span className="small" style={{ color: "var(--bad)" }}>{c.getValue()}</span> }),
];

function RunsTable({ batches, onOpen }: { batches: BatchSummary[]; onOpen: (id: string) => void }) {
  // Trigger and requester live on the batch; finished batches never change, so each is fetched once.
  const details = useQueries({
    queries: batches.slice(0, 20).map((b) => ({
      queryKey: ["batch", b.batch_id],
      queryFn: () => unwrap<BatchInfo>(api.GET("/api/collectors/runs/batch/{batch_id}", { params: { path: { batch_id: b.batch_id } } })),
      staleTime: isTerminal(b.status) || b.status === "partial" ? Infinity : POLL_MS,
    })),
  });
  const rows = useMemo<RunRow[]>(() => batches.map((b, i) => {
    const d = details[i]?.data;
    return { ...b, trigger: d?.trigger ?? "", requested_by: d?.requested_by ?? "" };
  }), [batches, details]);
  return (
    <DataTable id="runs" label="Collection runs" data={rows} columns={runColumns} getRowId={(b) => b.batch_id} onRowClick={(b) => onOpen(b.batch_id)}
      exportName="collection-runs" maxHeight={440} />
  );
}

function BatchDrawer({ batchId, onClose }: { batchId: string; onClose: () => void }) {
  const batch = useQuery({
    queryKey: ["batch", batchId],
    queryFn: () => unwrap<BatchInfo>(api.GET("/api/collectors/runs/batch/{batch_id}", { params: { path: { batch_id: batchId } } })),
  });
  const b = batch.data;
  return (
    <Drawer title="Collection run" sub={<span className="mono">{batchId}</span>} onClose={onClose} testid="batch-drawer">
      {!b ? (batch.isError ? <QueryError error={batch.error} what="the run" /> : <Loading />) : (
        <>
          <dl className="kv">
            <dt>Status</dt><dd><Badge tone={statusTone(b.status)}>{titleCase(b.status)}</Badge></dd>
            <dt>Trigger</dt><dd>{titleCase(b.trigger ?? "manual")}</dd>
            <dt>Requested by</dt><dd>{b.requested_by ?? <span className="muted">not recorded (no sign-in)</span>}</dd>
            <dt>Snapshot date</dt><dd>{b.snapshot_date ?? "today"}</dd>
            <dt>Cross-vendor checks</dt><dd>{b.run_cross_vendor ? "Yes" : "No"}</dd>
            <dt>Started</dt><dd>{fmtDateTime(b.started_at)}</dd>
            <dt>Ended</dt><dd>{fmtDateTime(b.ended_at)}</dd>
            <dt>Duration</dt><dd>{fmtDuration(b.duration_seconds)}</dd>
            <dt>Message</dt><dd>{b.message ?? "—"}</dd>
          </dl>
          <BatchProgress batch={b} prefix="drawer-" />
        </>
      )}
    </Drawer>
  );
}
