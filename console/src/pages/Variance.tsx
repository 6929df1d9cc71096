import { Fragment, memo, useCallback, useMemo, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper, type RowSelectionState } from "@tanstack/react-table";
import { api, download, unwrap } from "../api/client";
import type { ExceptionHistoryEntry, VarianceRow } from "../api/types";
import { varianceReportQuery } from "../api/reports";
import { DataTable } from "../components/DataTable";
import { IconDownload, IconMore } from "../components/icons";
import { Badge, Banner, Dialog, Drawer, Empty, Field, Hostname, Loading, Menu, QueryError, toast } from "../components/ui";
import { actionLabel, applyAction, UPDATE_TYPES, type Action } from "../lib/exceptions";
import { fmtDate, fmtDateTime, fmtInt, relTime, titleCase } from "../lib/format";
import { Link, setParams, useParam } from "../lib/router";
import { countsByOrganization, flattenReport, otherSide, statusTone, TYPE_BY_CODE, TYPE_BY_KEY, typeLabel, VARIANCE_TYPES } from "../lib/variance";

export function useVarianceReport(includeResolved: boolean, date?: string) {
  return useQuery({ ...varianceReportQuery(includeResolved, date), refetchInterval: date ? false : 60_000 });
}

type Pending = { action: Action; ids: number[] } | null;

export default function VariancePage() {
  const [type, setType] = useParam("type");
  const [org] = useParam("org");
  const [host, setHost] = useParam("host");
  const [status, setStatus] = useParam("status", "open");
  const [view, setView] = useParam("view", "list");
  const [openId, setOpenId] = useParam("exception");
  const includeResolved = status !== "open";
  const report = useVarianceReport(includeResolved);
  const client = useQueryClient();
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [pending, setPending] = useState<Pending>(null);
  const [gone, setGone] = useState<Set<number>>(() => new Set());

  const all = useMemo(() => flattenReport(report.data), [report.data]);
  const typeCode = TYPE_BY_KEY.get(type)?.code ?? (TYPE_BY_CODE.has(type) ? type : "");
  const hostNeedle = host.trim().toLowerCase();
  const rows = useMemo(() => all.filter((r) =>
    (!typeCode || r.type === typeCode)
    && (!org || r.organization === org)
    && (status !== "open" || !gone.has(r.id))
    && (status !== "resolved" || r.resolved || r.variance_status !== "active")
    && (!hostNeedle || [r.hostname, r.ninja_hostname, r.threatlocker_hostname, r.ninja_display_name, r.threatlocker_display_name].some((v) => v?.toLowerCase().includes(hostNeedle)))),
  [all, typeCode, org, hostNeedle, status, gone]);
  const typeCounts = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const r of all) if ((!org || r.organization === org) && !(status === "open" && gone.has(r.id))) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
  }, [all, org, status, gone]);

  const selectedIds = Object.keys(selection).filter((k) => selection[k]).map(Number);
  const openRow = openId ? all.find((r) => String(r.id) === openId) ?? null : null;

  const act = useMutation({
    mutationFn: (v: { action: Action; ids: number[]; notes?: string; update_type?: string }) => applyAction(v.ids, v.action, v),
    onSuccess: (count, v) => {
      toast(`${actionLabel(v.action)}: ${count} exception${count === 1 ? "" : "s"}`);
      if (v.action !== "reset_status") setGone((g) => new Set([...g, ...v.ids]));
      else setGone((g) => new Set([...g].filter((id) => !v.ids.includes(id))));
      setSelection({});
      setPending(null);
      void client.invalidateQueries({ queryKey: ["variance-report"] });
      void client.invalidateQueries({ queryKey: ["status"] });
      for (const id of v.ids) void client.invalidateQueries({ queryKey: ["exception-history", id] });
    },
    onError: (e) => toast(e instanceof Error ? e.message : String(e), "bad"),
  });

  const mutate = act.mutate;
  const onAction = useCallback((action: Action, ids: number[]) => {
    if (action === "reset_status") mutate({ action, ids });
    else setPending({ action, ids });
  }, [mutate]);

  // Columns are built once: the handlers they call go through a ref, so a re-render never rebuilds 10,000 rows.
  const handlers = useRef({ onAction, open: (id: number) => setOpenId(String(id)) });
  handlers.current = { onAction, open: (id: number) => setOpenId(String(id)) };
  const columns = useMemo(() => makeColumns((a, ids) => handlers.current.onAction(a, ids), (id) => handlers.current.open(id)), []);
  const r = report.data;

  return (
    <div data-testid="page-variance" className="stack">
      <div className="page-head">
        <div className="titles">
          <h1>Variance report</h1>
          <p>
            {r ? <>Report of <strong>{fmtDate(r.report_date)}</strong> · <Badge tone={statusTone(r.data_status?.status ?? "")}>{r.data_status?.message}</Badge>
              {r.computed_at && <span className="muted small"> · computed {relTime(r.computed_at)}</span>}</> : "Devices that differ between NinjaOne and ThreatLocker."}
          </p>
        </div>
        <div className="actions">
          <Link to="/variance/aliases" className="btn">Organisation aliases</Link>
          <ExportButtons type={type} date="latest" includeResolved={includeResolved} />
        </div>
      </div>

      {report.isError && !r && <QueryError error={report.error} retry={() => report.refetch()} what="the variance report" />}
      {r?.report_pending && <Banner tone="info" title="A newer report is being computed">The list refreshes on its own when it is ready.</Banner>}

      <div className="grid grid-6" role="group" aria-label="Exceptions by type">
        {VARIANCE_TYPES.map((t) => {
          const pressed = typeCode === t.code;
          return (
            <button key={t.code} type="button" className="card stat stat-button" aria-pressed={pressed} title={t.help}
              onClick={() => setType(pressed ? null : t.key)} data-testid={`variance-count-${t.key}`}>
              <span className="label"><i className="dot" style={{ background: t.color }} /> {t.label}</span>
              <span className="value">{r ? fmtInt(typeCounts[t.code] ?? 0) : "…"}</span>
            </button>
          );
        })}
      </div>

      <div className="card">
        <div className="toolbar" style={{ padding: "12px 12px 0", marginBottom: 0 }}>
          <Field label="Type" htmlFor="variance-type-filter">
            <select id="variance-type-filter" value={TYPE_BY_CODE.get(typeCode)?.key ?? ""} onChange={(e) => setType(e.target.value || null)} data-testid="variance-type-filter">
              <option value="">All types</option>
              {VARIANCE_TYPES.map((t) => <option key={t.key} value={t.key}>{t.label}</option>)}
            </select>
          </Field>
          <Field label="Hostname or display name" htmlFor="hostname-filter">
            <input id="hostname-filter" type="search" value={host} onChange={(e) => setHost(e.target.value || null)} placeholder="e.g. ACME-LT042" data-testid="hostname-filter" />
          </Field>
          <Field label="Status" htmlFor="status-filter">
            <select id="status-filter" value={status} onChange={(e) => setStatus(e.target.value)} data-testid="status-filter">
              <option value="open">Open</option>
              <option value="resolved">Resolved or fixed</option>
              <option value="all">All</option>
            </select>
          </Field>
          {org && <div className="field"><span>Organisation</span><span className="row" style={{ height: 34 }}><Badge tone="accent" plain>{org}</Badge><button className="btn btn-sm btn-ghost" onClick={() => setParams({ org: null })}>Clear</button></span></div>}
          <span className="grow" />
          <div className="tabs" role="tablist" style={{ marginBottom: 0, borderBottom: 0 }}>
            <button role="tab" aria-selected={view === "list"} onClick={() => setView("list")}>Exceptions <span className="count">{fmtInt(rows.length)}</span></button>
            <button role="tab" aria-selected={view === "orgs"} onClick={() => setView("orgs")} data-testid="view-by-org">By organisation</button>
          </div>
        </div>
        {!r ? <Loading what="Loading the report" /> : view === "orgs" ? (
          <ByOrganization rows={rows} />
        ) : (
          <DataTable id="exceptions" label="Exceptions" data={rows} columns={columns} getRowId={(row) => String(row.id)} rowHeight={52}
            selectable selection={selection} onSelectionChange={setSelection} onRowClick={(row) => setOpenId(String(row.id))} activeRowId={openId || null}
            exportName={`variance-${r.report_date}`} maxHeight="calc(100vh - 330px)"
            empty={<Empty title={all.length ? "No exception matches these filters" : "No exceptions — both systems agree"}>{all.length > 0 && <button className="btn btn-sm" onClick={() => setParams({ type: null, host: null, org: null })}>Clear filters</button>}</Empty>} />
        )}
      </div>

      {selectedIds.length > 0 && (
        <div className="bulk-bar" data-testid="bulk-bar" role="region" aria-label="Bulk actions">
          <strong>{selectedIds.length} selected</strong>
          <span className="grow" />
          <button className="btn btn-sm" onClick={() => onAction("resolve", selectedIds)} data-testid="bulk-resolve">Resolve</button>
          <button className="btn btn-sm" onClick={() => onAction("mark_manually_fixed", selectedIds)} data-testid="bulk-mark-fixed">Mark manually fixed</button>
          <button className="btn btn-sm" onClick={() => onAction("reset_status", selectedIds)} data-testid="bulk-reset">Reset to open</button>
          <button className="btn btn-sm" onClick={() => setSelection({})}>Clear selection</button>
        </div>
      )}

      {openRow && <ExceptionDrawer row={openRow} onClose={() => setOpenId(null)} onAction={onAction} />}
      {openId && !openRow && r && <ExceptionByIdDrawer id={Number(openId)} onClose={() => setOpenId(null)} onAction={onAction} />}
      <ActionDialog pending={pending} busy={act.isPending} onCancel={() => setPending(null)}
        onSubmit={(fields) => pending && act.mutate({ ...pending, ...fields })} />
    </div>
  );
}

export function ExportButtons({ type, date, includeResolved }: { type: string; date: string; includeResolved: boolean }) {
  const [busy, setBusy] = useState<string | null>(null);
  const run = async (format: "csv" | "excel" | "pdf") => {
    const q = new URLSearchParams({ variance_type: type || "all", date: date || "latest", include_resolved: String(includeResolved) });
    setBusy(format);
    try {
      const ext = format === "excel" ? "xlsx" : format;
      const { name } = await download(`/api/variances/export/${format}?${q}`, `variance-report-${date || "latest"}.${ext}`);
      toast(`Downloaded ${name}`);
    } catch (e) {
      toast(`Export failed: ${e instanceof Error ? e.message : String(e)}`, "bad");
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="row" style={{ gap: 6 }} role="group" aria-label="Export">
      {(["csv", "excel", "pdf"] as const).map((f) => (
        <button key={f} type="button" className="btn" onClick={() => void run(f)} disabled={!!busy} data-testid={`export-${f}`}>
          {busy === f ? <span className="spinner" aria-hidden="true" /> : <IconDownload size={14} />} {f === "excel" ? "Excel" : f.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

const col = createColumnHelper<VarianceRow>();

const RowActions = memo(function RowActions({ row, onAction, onHistory }: { row: VarianceRow; onAction: (a: Action, ids: number[]) => void; onHistory: (id: number) => void }) {
  const open = row.variance_status === "active" && !row.resolved;
  return (
    <span onClick={(e) => e.stopPropagation()}>
      <Menu label={`Actions for ${row.hostname}`} testid="row-actions" className="btn btn-ghost btn-icon btn-sm" button={<IconMore size={16} />}>
        {(close) => (
          <>
            {open && <button type="button" data-testid="action-resolve" onClick={() => { close(); onAction("resolve", [row.id]); }}>Resolve…</button>}
            {open && <button type="button" data-testid="action-mark-fixed" onClick={() => { close(); onAction("mark_manually_fixed", [row.id]); }}>Mark manually fixed…</button>}
            {!open && <button type="button" data-testid="action-reset" onClick={() => { close(); onAction("reset_status", [row.id]); }}>Reset to open</button>}
            <hr />
            <button type="button" data-testid="action-history" onClick={() => { close(); onHistory(row.id); }}>Details and history</button>
          </>
        )}
      </Menu>
    </span>
  );
});

function makeColumns(onAction: (a: Action, ids: number[]) => void, onHistory: (id: number) => void) {
  return [
    col.accessor((r) => typeLabel(r.type), { id: "type", header: "Type", size: 150, cell: (c) => (
      <span className="row" style={{ gap: 6, flexWrap: "nowrap" }}><i className="dot" style={{ background: TYPE_BY_CODE.get(c.row.original.type)?.color }} />{c.getValue()}</span>
    ) }),
    col.accessor("organization", { header: "Organisation", size: 150, meta: { grow: 1 }, cell: (c) => {
      const other = otherSide(c.row.original);
      return other ? <span className="cell-two"><span title={c.getValue()}>{c.getValue()}</span><span className="sub" title={other}>{other}</span></span> : <span title={c.getValue()}>{c.getValue()}</span>;
    } }),
    col.accessor("ninja_hostname", { id: "ninja", header: "Ninja", size: 190, meta: { grow: 2, label: "Ninja hostname" }, cell: (c) => (
      <span className="cell-two"><Hostname value={c.getValue()} vendor="Ninja" testid="copy-ninja-hostname" /><span className="sub" title={c.row.original.ninja_display_name}>{c.row.original.ninja_display_name || "—"}</span></span>
    ) }),
    col.accessor("threatlocker_hostname", { id: "threatlocker", header: "ThreatLocker", size: 190, meta: { grow: 2, label: "ThreatLocker hostname" }, cell: (c) => (
      <span className="cell-two"><Hostname value={c.getValue()} vendor="ThreatLocker" testid="copy-threatlocker-hostname" /><span className="sub" title={c.row.original.threatlocker_display_name}>{c.row.original.threatlocker_display_name || "—"}</span></span>
    ) }),
    col.accessor("ninja_display_name", { header: "Ninja display name", size: 200, meta: { hidden: true } }),
    col.accessor("threatlocker_display_name", { header: "ThreatLocker display name", size: 200, meta: { hidden: true } }),
    col.accessor("hostname", { header: "Base hostname", size: 160, meta: { hidden: true } }),
    col.accessor("billing_status", { header: "Billing", size: 84, cell: (c) => <span className="small">{titleCase(c.getValue() ?? "")}</span> }),
    col.accessor((r) => (r.resolved ? "resolved" : r.variance_status), { id: "status", header: "Status", size: 96, cell: (c) => <Badge tone={statusTone(c.getValue())}>{c.getValue() === "active" ? "Open" : titleCase(c.getValue())}</Badge> }),
    col.accessor("first_seen", { header: "First seen", size: 110, meta: { hidden: true }, cell: (c) => fmtDate(c.getValue()) }),
    col.display({ id: "actions", header: () => <span className="sr-only">Actions</span>, size: 48, enableHiding: false, meta: { noFilter: true, label: "Actions", exportValue: () => "" }, cell: (c) => <RowActions row={c.row.original} onAction={onAction} onHistory={onHistory} /> }),
  ];
}

function ActionDialog({ pending, busy, onCancel, onSubmit }: { pending: Pending; busy: boolean; onCancel: () => void; onSubmit: (f: { notes: string; update_type?: string }) => void }) {
  const [notes, setNotes] = useState("");
  const [updateType, setUpdateType] = useState(UPDATE_TYPES[0].value);
  const fix = pending?.action === "mark_manually_fixed";
  const n = pending?.ids.length ?? 0;
  const what = n === 1 ? "this exception" : `${n} exceptions`;
  const testid = fix ? "mark-fixed" : "resolve";
  return (
    <Dialog open={!!pending} onClose={onCancel} title={fix ? `Mark ${what} manually fixed` : `Resolve ${what}`} testid={`${testid}-dialog`}
      footer={<>
        <button className="btn" onClick={onCancel}>Cancel</button>
        <button className="btn btn-primary" disabled={busy} data-testid={`${testid}-submit`} onClick={() => { onSubmit({ notes, update_type: fix ? updateType : undefined }); setNotes(""); }}>
          {busy && <span className="spinner" aria-hidden="true" />}{fix ? "Mark fixed" : "Resolve"}
        </button>
      </>}>
      <p className="muted">{fix ? "Record what you changed in the vendor system. The exception closes now; if the next collection still finds the problem it opens again." : "The exception leaves the open list. Its history records who resolved it and why."}</p>
      {fix && (
        <Field label="What was changed" htmlFor="mark-fixed-update-type">
          <select id="mark-fixed-update-type" value={updateType} onChange={(e) => setUpdateType(e.target.value)} data-testid="mark-fixed-update-type">
            {UPDATE_TYPES.map((u) => <option key={u.value} value={u.value}>{u.label}</option>)}
          </select>
        </Field>
      )}
      <Field label="Notes" htmlFor={`${testid}-notes`} hint="Optional; kept in the exception's history.">
        <textarea id={`${testid}-notes`} value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={5000} data-testid={`${testid}-notes`} />
      </Field>
    </Dialog>
  );
}

function ExceptionByIdDrawer({ id, onClose, onAction }: { id: number; onClose: () => void; onAction: (a: Action, ids: number[]) => void }) {
  const q = useQuery({ queryKey: ["exception", id], queryFn: () => unwrap<VarianceRow>(api.GET("/api/exceptions/{exception_id}", { params: { path: { exception_id: id } } })) });
  if (!q.data) return <Drawer title={`Exception ${id}`} onClose={onClose}>{q.isError ? <QueryError error={q.error} what="the exception" /> : <Loading />}</Drawer>;
  return <ExceptionDrawer row={q.data} onClose={onClose} onAction={onAction} />;
}

function ExceptionDrawer({ row, onClose, onAction }: { row: VarianceRow; onClose: () => void; onAction: (a: Action, ids: number[]) => void }) {
  const history = useQuery({
    queryKey: ["exception-history", row.id],
    queryFn: () => unwrap<{ history: ExceptionHistoryEntry[] }>(api.GET("/api/exceptions/{exception_id}/history", { params: { path: { exception_id: row.id } } })),
  });
  const open = row.variance_status === "active" && !row.resolved;
  const t = TYPE_BY_CODE.get(row.type);
  const details = Object.entries(row.details ?? {}).filter(([, v]) => v !== null && v !== "" && typeof v !== "object");
  return (
    <Drawer title={row.hostname} sub={<>{typeLabel(row.type)} · {row.organization}</>} onClose={onClose} testid="exception-drawer">
      {t && <Banner tone="info">{t.help}</Banner>}
      <div className="row">
        {open ? (
          <>
            <button className="btn btn-primary btn-sm" onClick={() => onAction("resolve", [row.id])} data-testid="drawer-resolve">Resolve…</button>
            <button className="btn btn-sm" onClick={() => onAction("mark_manually_fixed", [row.id])} data-testid="drawer-mark-fixed">Mark manually fixed…</button>
          </>
        ) : <button className="btn btn-sm" onClick={() => onAction("reset_status", [row.id])} data-testid="drawer-reset">Reset to open</button>}
        <Badge tone={statusTone(row.resolved ? "resolved" : row.variance_status)}>{row.variance_status === "active" && !row.resolved ? "Open" : titleCase(row.resolved ? "resolved" : row.variance_status)}</Badge>
      </div>
      <section>
        <h3>Hostnames — use each vendor's own</h3>
        <dl className="kv" style={{ marginTop: 8 }}>
          <dt>Ninja hostname</dt><dd><Hostname value={row.ninja_hostname} vendor="Ninja" testid="drawer-copy-ninja" /></dd>
          <dt>Ninja display name</dt><dd>{row.ninja_display_name || "—"}</dd>
          <dt>ThreatLocker hostname</dt><dd><Hostname value={row.threatlocker_hostname} vendor="ThreatLocker" testid="drawer-copy-threatlocker" /></dd>
          <dt>ThreatLocker display name</dt><dd>{row.threatlocker_display_name || "—"}</dd>
          <dt>Billing status</dt><dd>{titleCase(row.billing_status ?? "—")}</dd>
          {row.first_seen && <><dt>First seen</dt><dd>{fmtDate(row.first_seen)}</dd></>}
        </dl>
      </section>
      {details.length > 0 && (
        <details className="help-block">
          <summary>Vendor details ({details.length})</summary>
          <dl className="kv" style={{ marginTop: 8 }}>{details.map(([k, v]) => <Fragment key={k}><dt>{titleCase(k)}</dt><dd className="mono small">{String(v)}</dd></Fragment>)}</dl>
        </details>
      )}
      <section data-testid="exception-history">
        <h3 style={{ marginBottom: 10 }}>History</h3>
        {!history.data ? (history.isError ? <QueryError error={history.error} what="the history" /> : <Loading />) : (
          <ol className="timeline">
            {[...history.data.history].reverse().map((h) => (
              <li key={h.id} data-testid="history-entry">
                <div className="t-head">{actionLabel(h.action)}{h.to_status && h.from_status ? <span className="muted small"> · {titleCase(h.from_status)} → {titleCase(h.to_status)}</span> : null}</div>
                <div className="t-meta">{fmtDateTime(h.changed_at)} · by {h.actor ?? "unknown"}{h.actor_source && h.actor_source !== "default" ? ` (${h.actor_source})` : ""}</div>
                {h.notes && <div className="small" style={{ marginTop: 2 }}>{h.notes}</div>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </Drawer>
  );
}

const orgCol = createColumnHelper<ReturnType<typeof countsByOrganization>[number]>();

function ByOrganization({ rows }: { rows: VarianceRow[] }) {
  const data = useMemo(() => countsByOrganization(rows), [rows]);
  const columns = useMemo(() => [
    orgCol.accessor("organization", { header: "Organisation", size: 240, meta: { grow: 2 }, cell: (c) => (
      <button className="btn btn-ghost btn-sm" style={{ padding: 0, color: "var(--accent)" }} onClick={() => setParams({ org: c.getValue(), view: null })}>{c.getValue()}</button>
    ) }),
    orgCol.accessor("total", { header: "Total", size: 80, meta: { numeric: true, noFilter: true } }),
    ...VARIANCE_TYPES.map((t) => orgCol.accessor((o) => o.byType[t.code] ?? 0, { id: t.code, header: t.label, size: 120, meta: { numeric: true, noFilter: true }, cell: (c) => c.getValue() || <span className="muted">·</span> })),
  ], []);
  return <DataTable id="by-org" label="Exceptions by organisation" data={data} columns={columns} getRowId={(o) => o.organization} exportName="variance-by-organization" maxHeight="calc(100vh - 330px)" initialSort={[{ id: "total", desc: true }]} />;
}
