import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { api, dataOf, loose, unwrap } from "../api/client";
import { DataTable } from "../components/DataTable";
import { Badge, Card, Empty, Field, Loading, QueryError, Stat } from "../components/ui";
import { fmtDate, fmtInt, titleCase } from "../lib/format";
import { setParams, useParam } from "../lib/router";

interface Dates { dates: string[]; range?: { start: string; end: string } }
interface OrgChange { start_count: number; end_count: number; added: number; removed: number; org_in: number; org_out: number; billing_changed: number }
interface Device {
  device_identity_id: number; hostname: string; display_name: string; organization_name?: string; device_type?: string; billing_status?: string;
  location_name?: string; last_seen_date?: string; from_organization?: string; to_organization?: string; from_billing_status?: string; to_billing_status?: string;
}
interface Usage {
  start_date: string; end_date: string;
  summary: { start_total_devices: number; end_total_devices: number; net_change: number; changes: { added: number; removed: number; org_changed: number; billing_changed: number } };
  by_organization: Record<string, OrgChange>;
  changes?: { added: Device[]; removed: Device[]; org_changed: Device[]; billing_changed: Device[] };
  metadata?: { query_time_ms?: number; data_retention_note?: string };
}

const LISTS = [
  { key: "added", label: "Added", help: "On the end date but not the start date" },
  { key: "removed", label: "Removed", help: "On the start date but gone by the end date" },
  { key: "org_changed", label: "Moved", help: "Moved to another organisation" },
  { key: "billing_changed", label: "Billing changed", help: "Billable ↔ spare" },
] as const;

export default function UsageChangesPage() {
  const dates = useQuery({ queryKey: ["ninja-dates"], queryFn: async () => dataOf<Dates>(await unwrap(api.GET("/api/ninja/available-dates", { params: { query: loose({ days: 65 }) } }))) });
  const list = dates.data?.dates ?? [];
  const [startParam, setStart] = useParam("start");
  const [endParam, setEnd] = useParam("end");
  const [org] = useParam("org");
  const [tab, setTab] = useParam("list", "added");
  const end = endParam || list[list.length - 1] || "";
  const start = startParam || (list.length > 1 ? list[Math.max(0, list.length - 31)] : "");
  const ready = !!start && !!end && start < end;

  const usage = useQuery({
    queryKey: ["usage", start, end, org],
    enabled: ready,
    queryFn: async () => dataOf<Usage>(await unwrap(api.GET("/api/ninja/usage-changes", { params: { query: loose({ start_date: start, end_date: end, detail_level: "full", organization_name: org || null }) } }))),
  });
  const u = usage.data;
  const orgRows = useMemo(() => Object.entries(u?.by_organization ?? {}).map(([name, v]) => ({ name, ...v, net: v.end_count - v.start_count })), [u]);

  return (
    <div data-testid="page-usage-changes" className="stack">
      <div className="page-head">
        <div className="titles"><h1>Ninja usage changes</h1><p>What changed in the billable Ninja fleet between two days: devices added, removed, moved between organisations, or turned spare.</p></div>
      </div>
      {dates.isError && <QueryError error={dates.error} what="the available dates" />}
      <Card>
        <form className="toolbar" style={{ marginBottom: 0 }} onSubmit={(e) => e.preventDefault()}>
          <Field label="From" htmlFor="usage-start">
            <select id="usage-start" value={start} onChange={(e) => setStart(e.target.value)} data-testid="usage-start">
              {list.length < 2 && <option value="">Need two days of snapshots</option>}
              {list.map((d) => <option key={d} value={d} disabled={d >= end}>{fmtDate(d)}</option>)}
            </select>
          </Field>
          <Field label="To" htmlFor="usage-end">
            <select id="usage-end" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="usage-end">
              {list.map((d) => <option key={d} value={d} disabled={d <= start}>{fmtDate(d)}</option>)}
            </select>
          </Field>
          <div className="field"><span>Organisation</span>
            <span className="row" style={{ height: 34 }} data-testid="usage-org">{org ? <><Badge tone="accent" plain>{org}</Badge><button type="button" className="btn btn-sm btn-ghost" onClick={() => setParams({ org: null })}>All organisations</button></> : <span className="muted small">All — choose one in the selector at the top or in the table</span>}</span>
          </div>
          <span className="grow" />
          <button type="button" className="btn" onClick={() => void usage.refetch()} data-testid="usage-compare" disabled={!ready}>Compare</button>
        </form>
        {list.length > 0 && <p className="small muted" style={{ marginTop: 8 }}>Snapshots are available from {fmtDate(list[0])} to {fmtDate(list[list.length - 1])} ({list.length} days; device-level data is kept 65 days).</p>}
      </Card>
      {!ready ? (list.length < 2 && !dates.isPending ? <Empty title="Two days of Ninja snapshots are needed">The comparison becomes available after the second daily collection.</Empty> : null)
        : usage.isError ? <QueryError error={usage.error} retry={() => usage.refetch()} what="the usage changes" /> : !u ? <Loading what="Comparing snapshots" /> : (
          <>
            <div className="grid" style={{ gridTemplateColumns: "repeat(7, minmax(0, 1fr))" }}>
              <Stat label={`Devices on ${fmtDate(u.start_date)}`} value={fmtInt(u.summary.start_total_devices)} />
              <Stat label={`Devices on ${fmtDate(u.end_date)}`} value={fmtInt(u.summary.end_total_devices)} />
              <Stat label="Net change" value={<span data-testid="usage-summary-net_change" style={{ color: u.summary.net_change > 0 ? "var(--ok)" : u.summary.net_change < 0 ? "var(--bad)" : undefined }}>{u.summary.net_change > 0 ? "+" : ""}{fmtInt(u.summary.net_change)}</span>} />
              {LISTS.map((l) => <Stat key={l.key} label={l.label} value={<span data-testid={`usage-summary-${l.key}`}>{fmtInt(u.summary.changes[l.key])}</span>} sub={l.help} />)}
            </div>
            <Card title="By organisation" flush sub={`${orgRows.length} organisations`}>
              <OrgTable rows={orgRows} />
            </Card>
            <div className="card">
              <div className="tabs" role="tablist" style={{ padding: "0 12px", marginBottom: 0 }}>
                {LISTS.map((l) => <button key={l.key} role="tab" aria-selected={tab === l.key} onClick={() => setTab(l.key)}>{l.label} <span className="count">{fmtInt(u.summary.changes[l.key])}</span></button>)}
              </div>
              <DeviceList kind={tab as (typeof LISTS)[number]["key"]} devices={u.changes?.[tab as keyof NonNullable<Usage["changes"]>] ?? []} />
            </div>
            {u.metadata?.data_retention_note && <p className="small muted">{u.metadata.data_retention_note}{u.metadata.query_time_ms !== undefined ? ` · computed in ${u.metadata.query_time_ms} ms` : ""}</p>}
          </>
        )}
    </div>
  );
}

type OrgRow = OrgChange & { name: string; net: number };
const oc = createColumnHelper<OrgRow>();
const orgColumns = [
  oc.accessor("name", { header: "Organisation", size: 240, meta: { grow: 2 }, cell: (c) => <button type="button" className="btn btn-ghost btn-sm" style={{ padding: 0, color: "var(--accent)" }} onClick={() => setParams({ org: c.getValue() })}>{c.getValue()}</button> }),
  oc.accessor("start_count", { header: "Start", size: 80, meta: { numeric: true, noFilter: true } }),
  oc.accessor("end_count", { header: "End", size: 80, meta: { numeric: true, noFilter: true } }),
  oc.accessor("net", { header: "Net", size: 80, meta: { numeric: true, noFilter: true }, cell: (c) => <span style={{ color: c.getValue() > 0 ? "var(--ok)" : c.getValue() < 0 ? "var(--bad)" : undefined, fontWeight: 600 }}>{c.getValue() > 0 ? "+" : ""}{c.getValue()}</span> }),
  oc.accessor("added", { header: "Added", size: 80, meta: { numeric: true, noFilter: true } }),
  oc.accessor("removed", { header: "Removed", size: 90, meta: { numeric: true, noFilter: true } }),
  oc.accessor("org_in", { header: "Moved in", size: 90, meta: { numeric: true, noFilter: true } }),
  oc.accessor("org_out", { header: "Moved out", size: 90, meta: { numeric: true, noFilter: true } }),
  oc.accessor("billing_changed", { header: "Billing", size: 80, meta: { numeric: true, noFilter: true } }),
];
function OrgTable({ rows }: { rows: OrgRow[] }) {
  return <DataTable id="usage-by-org" label="Changes by organisation" data={rows} columns={orgColumns} getRowId={(r) => r.name} exportName="usage-by-organization" maxHeight={380} initialSort={[{ id: "net", desc: true }]} />;
}

const dc = createColumnHelper<Device>();
function DeviceList({ kind, devices }: { kind: "added" | "removed" | "org_changed" | "billing_changed"; devices: Device[] }) {
  const columns = useMemo(() => [
    dc.accessor("hostname", { header: "Hostname", size: 170, cell: (c) => <span className="mono">{c.getValue()}</span> }),
    dc.accessor("display_name", { header: "Display name", size: 220, meta: { grow: 1 } }),
    ...(kind === "org_changed"
      ? [dc.accessor("from_organization", { header: "From", size: 190, meta: { grow: 1 } }), dc.accessor("to_organization", { header: "To", size: 190, meta: { grow: 1 } })]
      : [dc.accessor("organization_name", { header: "Organisation", size: 190, meta: { grow: 1 } })]),
    ...(kind === "billing_changed"
      ? [dc.accessor((d) => `${titleCase(d.from_billing_status ?? "")} → ${titleCase(d.to_billing_status ?? "")}`, { id: "billing", header: "Billing", size: 170 })]
      : [dc.accessor("billing_status", { header: "Billing", size: 100, cell: (c) => titleCase(c.getValue() ?? "") })]),
    dc.accessor("device_type", { header: "Type", size: 110, cell: (c) => titleCase(c.getValue() ?? "") }),
    ...(kind === "removed" ? [dc.accessor("last_seen_date", { header: "Last seen", size: 110, cell: (c) => fmtDate(c.getValue()) })] : []),
    ...(kind === "added" ? [dc.accessor("location_name", { header: "Location", size: 140 })] : []),
  ], [kind]);
  return <DataTable id={`usage-${kind}`} label={`${kind} devices`} data={devices} columns={columns} getRowId={(d) => `${d.device_identity_id}`} exportName={`usage-${kind}`} maxHeight={480}
    empty={<Empty title="No devices in this list" />} />;
}
