import { useEffect, useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { api, dataOf, loose, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { ApiError } from "../api/errors";
import { isUnauthorized } from "../api/query";
import { DataTable } from "../components/DataTable";
import { IconInfo, IconLock } from "../components/icons";
import { Badge, Banner, Card, Field, Loading, QueryError, SignInRequired, toast } from "../components/ui";
import { useAuth } from "../auth";
import { fmtDateTime, fmtMoney, fmtNum, titleCase } from "../lib/format";
import { band, currentQuarter, formatSmart, GROUPS, recentMonths, recentQuarters, SMARTNUMBERS } from "../lib/qbr";
import { useParam } from "../lib/router";

interface MetricDef { key: string; label: string; category: string; format: string; description: string; source: string; is_editable: boolean; is_calculated: boolean; formula?: string; value?: number }
interface MonthlyMetric { metric_name: string; metric_value: number; vendor_id: number | null; data_source: string; description?: string; notes: string | null; updated_by?: string; updated_at: string }
interface SmartResponse { period: string; months_with_data?: string[]; smartnumbers: Record<string, number | null>; statuses?: Record<string, string | null>; thresholds?: Record<string, Record<string, number | string | null>> }
type SmartNumberName = components["schemas"]["ThresholdIn"]["metric_name"];
type MetricName = components["schemas"]["ManualMetric"]["metric_name"];
interface Threshold { metric_name: SmartNumberName; green_min: number | null; green_max: number | null; yellow_min: number | null; yellow_max: number | null; red_threshold: number | null; notes: string | null }
interface DevicesByClient { period: string; data_source: string; snapshot_date?: string; clients: { client_name: string; seats: number; endpoints: number }[]; total_seats: number; total_endpoints: number }

function useDefinitions() {
  return useQuery({ queryKey: ["qbr-definitions"], staleTime: 3_600_000, queryFn: async () => dataOf<{ metrics: MetricDef[] }>(await unwrap(api.GET("/api/qbr/metric-definitions", { params: { query: loose({ include_intermediate: false }) } }))).metrics });
}

export default function QbrPage() {
  const auth = useAuth();
  const [quarter, setQuarter] = useParam("quarter", currentQuarter());
  const [month, setMonth] = useParam("month", recentMonths(2)[1]);
  const [tab, setTab] = useParam("tab", "smartnumbers");
  const smart = useQuery({
    queryKey: ["qbr-smart", quarter],
    queryFn: async () => dataOf<SmartResponse>(await unwrap(api.GET("/api/qbr/smartnumbers", { params: { query: loose({ period: quarter }) } }))),
    retry: false,
  });
  if (auth.data && !auth.data.authenticated && (isUnauthorized(smart.error) || !smart.data)) {
    return <div data-testid="page-qbr" className="stack"><Head /><SignInRequired what="the QBR" /></div>;
  }
  return (
    <div data-testid="page-qbr" className="stack">
      <Head />
      <div className="toolbar">
        <Field label="Quarter" htmlFor="qbr-period">
          <select id="qbr-period" value={quarter} onChange={(e) => setQuarter(e.target.value)} data-testid="qbr-period">
            {recentQuarters(8).map((q) => <option key={q} value={q}>{q.replace("-", " ")}</option>)}
          </select>
        </Field>
        <Field label="Month" htmlFor="qbr-month">
          <select id="qbr-month" value={month} onChange={(e) => setMonth(e.target.value)} data-testid="qbr-month">
            {recentMonths(24).map((m) => <option key={m} value={m}>{new Date(`${m}-15`).toLocaleDateString("en-US", { month: "long", year: "numeric" })}</option>)}
          </select>
        </Field>
      </div>
      <div className="tabs" role="tablist">
        {[["smartnumbers", "SmartNumbers"], ["metrics", "Monthly and quarterly"], ["entry", "Manual entry"], ["thresholds", "Thresholds"], ["clients", "Devices by client"], ["definitions", "Metric definitions"]].map(([k, l]) => (
          <button key={k} role="tab" aria-selected={tab === k} onClick={() => setTab(k)} data-testid={`qbr-tab-${k}`}>{l}</button>
        ))}
      </div>
      {tab === "smartnumbers" && <SmartNumbers q={smart} />}
      {tab === "metrics" && <Metrics month={month} quarter={quarter} />}
      {tab === "entry" && <ManualEntry month={month} />}
      {tab === "thresholds" && <Thresholds />}
      {tab === "clients" && <Clients month={month} />}
      {tab === "definitions" && <Definitions month={month} />}
    </div>
  );
}

function Head() {
  return <div className="page-head"><div className="titles"><h1>Quarterly business review</h1><p>SmartNumbers against their targets, the metrics behind them, and the data you enter by hand.</p></div></div>;
}

function SmartNumbers({ q }: { q: ReturnType<typeof useQuery<SmartResponse>> }) {
  if (q.isError) return <QueryError error={q.error} retry={() => q.refetch()} what="the SmartNumbers" />;
  if (!q.data) return <Loading />;
  const d = q.data;
  return (
    <div className="stack">
      <p className="small muted">{d.period}: months with data {d.months_with_data?.length ? d.months_with_data.join(", ") : "none"}. A dash means the inputs are missing; enter them under <em>Manual entry</em>.
        <span className="legend" style={{ display: "inline-flex", marginLeft: 12 }}><span><i style={{ background: "var(--ok)" }} />On target</span><span><i style={{ background: "var(--warn)" }} />Watch</span><span><i style={{ background: "var(--bad)" }} />Off target</span><span><i style={{ background: "var(--border-strong)" }} />No threshold or no value</span></span></p>
      {GROUPS.map((g) => (
        <section key={g}>
          <h3 style={{ marginBottom: 8 }}>{g}</h3>
          <div className="sn-grid">
            {SMARTNUMBERS.filter((s) => s.group === g).map((s) => {
              const b = band(d.statuses?.[s.key] ?? (d.thresholds?.[s.key]?.status as string | undefined));
              return (
                <div key={s.key} className="sn" data-band={b} data-testid={`smartnumber-${s.key}`} title={s.help}>
                  <span className="sn-name">{s.label}</span>
                  <span className="sn-value" data-testid="smartnumber-value">{formatSmart(d.smartnumbers?.[s.key], s.fmt)}</span>
                  <span className="sn-band">{b === "green" ? "On target" : b === "yellow" ? "Watch" : b === "red" ? "Off target" : d.smartnumbers?.[s.key] === null ? "Missing inputs" : "No threshold set"} · {s.help}</span>
                </div>
              );
            })}
          </div>
        </section>
      ))}
    </div>
  );
}

function SourceBadge({ source }: { source: string }) {
  return source === "collected" ? <Badge tone="info" title="Collected automatically; protected from manual overwrite">Collected</Badge>
    : source === "manual" ? <Badge tone="accent">Manual</Badge> : <Badge>{titleCase(source)}</Badge>;
}

function Metrics({ month, quarter }: { month: string; quarter: string }) {
  const defs = useDefinitions();
  const label = (k: string) => defs.data?.find((d) => d.key === k)?.label ?? titleCase(k);
  const fmt = (k: string, v: number) => (defs.data?.find((d) => d.key === k)?.format === "currency" ? fmtMoney(v) : fmtNum(v));
  const monthly = useQuery({ queryKey: ["qbr-monthly", month], retry: false, queryFn: async () => dataOf<{ metrics: MonthlyMetric[] }>(await unwrap(api.GET("/api/qbr/metrics/monthly", { params: { query: loose({ period: month }) } }))) });
  const quarterly = useQuery({ queryKey: ["qbr-quarterly", quarter], retry: false, queryFn: async () => dataOf<{ metrics: Record<string, number>; metric_details?: { metric_name: string; aggregation: string; months_with_data: number }[]; months_with_data?: string[] }>(await unwrap(api.GET("/api/qbr/metrics/quarterly", { params: { query: loose({ period: quarter }) } }))) });
  const noData = (e: unknown) => e instanceof ApiError && e.status === 404;
  return (
    <div className="grid grid-2" style={{ alignItems: "start" }}>
      <Card title={`Monthly · ${month}`} flush>
        {monthly.isError ? <div className="card-body">{noData(monthly.error) ? <p className="muted">No metrics for {month} yet.</p> : <QueryError error={monthly.error} what="monthly metrics" />}</div> : !monthly.data ? <Loading /> : (
          <div className="table-wrap"><table className="data" data-testid="qbr-monthly-table">
            <thead><tr><th>Metric</th><th className="num">Value</th><th>Source</th><th>Updated</th></tr></thead>
            <tbody>{monthly.data.metrics.map((m) => (
              <tr key={`${m.metric_name}-${m.vendor_id}`} data-protected={m.data_source === "collected" ? "true" : undefined}>
                <td title={m.description}>{label(m.metric_name)}{m.notes && <div className="small muted">{m.notes}</div>}</td>
                <td className="num">{fmt(m.metric_name, m.metric_value)}</td>
                <td><SourceBadge source={m.data_source} /></td>
                <td className="small muted">{fmtDateTime(m.updated_at)}{m.updated_by ? ` · ${m.updated_by}` : ""}</td>
              </tr>
            ))}</tbody>
          </table></div>
        )}
      </Card>
      <Card title={`Quarterly · ${quarter}`} flush sub={quarterly.data?.months_with_data ? `${quarterly.data.months_with_data.length} of 3 months with data` : undefined}>
        {quarterly.isError ? <div className="card-body">{noData(quarterly.error) ? <p className="muted">No metrics for {quarter} yet.</p> : <QueryError error={quarterly.error} what="quarterly metrics" />}</div> : !quarterly.data ? <Loading /> : (
          <div className="table-wrap"><table className="data" data-testid="qbr-quarterly-table">
            <thead><tr><th>Metric</th><th className="num">Value</th><th>Aggregation</th></tr></thead>
            <tbody>{Object.entries(quarterly.data.metrics).map(([k, v]) => {
              const det = quarterly.data!.metric_details?.find((x) => x.metric_name === k);
              return <tr key={k}><td>{label(k)}</td><td className="num">{fmt(k, v)}</td><td className="small muted">{det ? `${titleCase(det.aggregation)} of ${det.months_with_data} month${det.months_with_data === 1 ? "" : "s"}` : ""}</td></tr>;
            })}</tbody>
          </table></div>
        )}
      </Card>
    </div>
  );
}

function ManualEntry({ month }: { month: string }) {
  const defs = useDefinitions();
  const client = useQueryClient();
  const [period, setPeriod] = useState(month);
  const [metric, setMetric] = useState("employees");
  const [value, setValue] = useState("");
  const [notes, setNotes] = useState("");
  const [force, setForce] = useState(false);
  useEffect(() => setPeriod(month), [month]);
  const def = defs.data?.find((d) => d.key === metric);
  const protectedMetric = def ? !def.is_editable : false;
  const save = useMutation({
    mutationFn: async () => {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) throw new Error("Enter a number");
      return unwrap<{ data?: { updated_count?: number } }>(api.POST("/api/qbr/metrics/manual", { body: { period, metrics: [{ metric_name: metric as MetricName, metric_value: n, notes: notes.trim() || null }], force_update: force } }));
    },
    onSuccess: () => {
      toast(`Saved ${def?.label ?? metric} for ${period}`);
      setValue("");
      setNotes("");
      void client.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).startsWith("qbr-") && q.queryKey[0] !== "qbr-definitions" });
    },
  });
  const protectedError = save.error instanceof ApiError && (save.error.code === "PROTECTED_METRIC" || save.error.status === 409);
  const groups = useMemo(() => {
    const g = new Map<string, MetricDef[]>();
    for (const d of defs.data ?? []) g.set(d.category, [...(g.get(d.category) ?? []), d]);
    return [...g.entries()];
  }, [defs.data]);
  return (
    <div className="grid" style={{ gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)", alignItems: "start" }}>
      <Card title="Enter a metric">
        <form className="stack" style={{ gap: 12 }} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
          <div className="row">
            <Field label="Month" htmlFor="manual-period"><input id="manual-period" type="month" value={period} onChange={(e) => setPeriod(e.target.value)} required /></Field>
            <Field label="Metric" htmlFor="manual-metric">
              <select id="manual-metric" value={metric} onChange={(e) => { setMetric(e.target.value); setForce(false); }} data-testid="manual-metric">
                {groups.map(([cat, list]) => (
                  <optgroup key={cat} label={cat}>
                    {list.map((d) => <option key={d.key} value={d.key} disabled={d.is_calculated}>{d.label}{d.is_calculated ? " (calculated)" : !d.is_editable ? " (collected)" : ""}</option>)}
                  </optgroup>
                ))}
              </select>
            </Field>
          </div>
          {def && <p className="small muted"><IconInfo size={12} /> {def.description}{def.formula ? ` — ${def.formula}` : ""}</p>}
          {protectedMetric && (
            <div data-protected="true" data-testid="manual-protected"><Banner tone="warn" title="Collected metric">
              <p className="small"><IconLock size={12} /> {def?.label} is collected from {titleCase(def?.source ?? "")} automatically. A manual value does not replace the collected one unless you overwrite it on purpose.</p>
              <label className="check" style={{ marginTop: 8, display: "flex" }}><input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="manual-force" /> Overwrite the collected value</label>
            </Banner></div>
          )}
          <div className="row">
            <Field label={def?.format === "currency" ? "Value (USD)" : "Value"} htmlFor="manual-value">
              <input id="manual-value" type="number" step="any" value={value} onChange={(e) => setValue(e.target.value)} required data-testid="manual-value" />
            </Field>
            <div className="field" style={{ flex: 1 }}><label htmlFor="manual-notes">Notes</label><input id="manual-notes" type="text" value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="e.g. From QuickBooks" data-testid="manual-notes" /></div>
          </div>
          {!protectedMetric && <label className="check small muted"><input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="manual-force" /> Overwrite a collected value if one exists</label>}
          <div><button className="btn btn-primary" type="submit" disabled={save.isPending} data-testid="manual-submit">{save.isPending && <span className="spinner" aria-hidden="true" />}Save</button></div>
          <div data-testid="manual-result" aria-live="polite">
            {save.isSuccess && <Banner tone="ok" title="Saved">The SmartNumbers of the quarter now use this value.</Banner>}
            {save.isError && (protectedError
              ? <Banner tone="warn" title="Not saved: the value is collected">{save.error.message} Tick “Overwrite” to replace it.</Banner>
              : <Banner tone="bad" title="Not saved">{save.error instanceof Error ? save.error.message : String(save.error)}</Banner>)}
          </div>
        </form>
      </Card>
      <Metrics1 month={period} />
    </div>
  );
}

function Metrics1({ month }: { month: string }) {
  const monthly = useQuery({ queryKey: ["qbr-monthly", month], retry: false, queryFn: async () => dataOf<{ metrics: MonthlyMetric[] }>(await unwrap(api.GET("/api/qbr/metrics/monthly", { params: { query: loose({ period: month }) } }))) });
  return (
    <Card title={`Stored for ${month}`} flush>
      {monthly.isError ? <div className="card-body"><p className="muted">No metrics stored for {month} yet.</p></div> : !monthly.data ? <Loading /> : (
        <div className="table-wrap"><table className="data"><tbody>
          {monthly.data.metrics.map((m) => (
            <tr key={`${m.metric_name}-${m.vendor_id}`} data-protected={m.data_source === "collected" ? "true" : undefined}>
              <td>{titleCase(m.metric_name)}</td><td className="num">{fmtNum(m.metric_value)}</td><td><SourceBadge source={m.data_source} /></td>
            </tr>
          ))}
        </tbody></table></div>
      )}
    </Card>
  );
}

function Thresholds() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ["qbr-thresholds"], retry: false, queryFn: async () => dataOf<{ thresholds: Threshold[] }>(await unwrap(api.GET("/api/qbr/thresholds"))).thresholds });
  const [draft, setDraft] = useState<Record<string, Threshold>>({});
  useEffect(() => {
    if (!q.data) return;
    const next: Record<string, Threshold> = {};
    for (const s of SMARTNUMBERS) next[s.key] = q.data.find((t) => t.metric_name === s.key) ?? { metric_name: s.key as SmartNumberName, green_min: null, green_max: null, yellow_min: null, yellow_max: null, red_threshold: null, notes: null };
    setDraft(next);
  }, [q.data]);
  const save = useMutation({
    mutationFn: () => unwrap(api.POST("/api/qbr/thresholds", { body: { thresholds: Object.values(draft).filter((t) => [t.green_min, t.green_max, t.yellow_min, t.yellow_max, t.red_threshold].some((v) => v !== null) || q.data?.some((x) => x.metric_name === t.metric_name)) } })),
    onSuccess: () => { toast("Thresholds saved"); void client.invalidateQueries({ queryKey: ["qbr-thresholds"] }); void client.invalidateQueries({ queryKey: ["qbr-smart"] }); },
    onError: (e) => toast(e instanceof Error ? e.message : String(e), "bad"),
  });
  if (q.isError) return <QueryError error={q.error} what="the thresholds" />;
  if (!q.data) return <Loading />;
  const fields = ["green_min", "green_max", "yellow_min", "yellow_max", "red_threshold"] as const;
  const set = (k: string, f: (typeof fields)[number] | "notes", v: string) => setDraft((d) => ({ ...d, [k]: { ...d[k], [f]: f === "notes" ? v || null : v === "" ? null : Number(v) } }));
  return (
    <Card title="Threshold bands" actions={<button className="btn btn-primary" onClick={() => save.mutate()} disabled={save.isPending} data-testid="threshold-save">{save.isPending && <span className="spinner" aria-hidden="true" />}Save thresholds</button>} flush>
      <p className="small muted" style={{ padding: "0 16px 10px" }}>Green is the target range, yellow the tolerated one; beyond them (or past the red threshold) a SmartNumber is red. Percentages are fractions (0.85 = 85%). Leave a field empty where it does not apply.</p>
      <div className="table-wrap" style={{ maxHeight: 560 }}><table className="data" data-testid="thresholds-table">
        <thead><tr><th>SmartNumber</th><th>Green min</th><th>Green max</th><th>Yellow min</th><th>Yellow max</th><th>Red</th><th>Notes</th></tr></thead>
        <tbody>{SMARTNUMBERS.map((s) => (
          <tr key={s.key}>
            <td title={s.help}><strong>{s.label}</strong><div className="small muted">{s.group}</div></td>
            {fields.map((f) => <td key={f}><input type="number" step="any" aria-label={`${s.label} ${f.replace("_", " ")}`} style={{ width: 96 }} value={draft[s.key]?.[f] ?? ""} onChange={(e) => set(s.key, f, e.target.value)} data-testid={`threshold-${s.key}-${f}`} /></td>)}
            <td><input type="text" aria-label={`${s.label} notes`} value={draft[s.key]?.notes ?? ""} onChange={(e) => set(s.key, "notes", e.target.value)} /></td>
          </tr>
        ))}</tbody>
      </table></div>
    </Card>
  );
}

const cc = createColumnHelper<DevicesByClient["clients"][number]>();
const clientColumns = [
  cc.accessor("client_name", { header: "Client", size: 280, meta: { grow: 2 } }),
  cc.accessor("seats", { header: "Seats", size: 100, meta: { numeric: true, noFilter: true } }),
  cc.accessor("endpoints", { header: "Endpoints", size: 110, meta: { numeric: true, noFilter: true } }),
];

function Clients({ month }: { month: string }) {
  const [org] = useParam("org");
  const q = useQuery({ queryKey: ["qbr-clients", month], retry: false, queryFn: async () => dataOf<DevicesByClient>(await unwrap(api.GET("/api/qbr/metrics/devices-by-client", { params: { query: loose({ period: month }) } }))) });
  if (q.isError) return q.error instanceof ApiError && q.error.status === 404 ? <Card><p className="muted">No device counts for {month}.</p></Card> : <QueryError error={q.error} what="devices by client" />;
  if (!q.data) return <Loading />;
  const d = q.data;
  const rows = org ? d.clients.filter((c) => c.client_name === org) : d.clients;
  return (
    <Card title={`Devices by client · ${d.period}`} sub={<span data-testid="data-source-badge" data-source={d.data_source}><Badge tone={d.data_source === "live" ? "ok" : "info"}>{d.data_source === "live" ? `Live — Ninja snapshot of ${d.snapshot_date}` : "Historical — imported"}</Badge></span>}
      actions={<span className="small muted">{d.total_seats.toLocaleString("en-US")} seats · {d.total_endpoints.toLocaleString("en-US")} endpoints</span>} flush>
      <DataTable id="devices-by-client" label="Devices by client" data={rows} columns={clientColumns} getRowId={(c) => c.client_name} exportName={`devices-by-client-${d.period}`} maxHeight={520} initialSort={[{ id: "seats", desc: true }]} />
    </Card>
  );
}

function Definitions({ month }: { month: string }) {
  const q = useQuery({ queryKey: ["qbr-definitions", month], retry: false, queryFn: async () => dataOf<{ metrics: MetricDef[] }>(await unwrap(api.GET("/api/qbr/metric-definitions", { params: { query: loose({ period: month }) } }))).metrics });
  if (q.isError) return <QueryError error={q.error} what="the metric definitions" />;
  if (!q.data) return <Loading />;
  return (
    <Card title="Metric definitions" sub={`values for ${month}`} flush>
      <div className="table-wrap"><table className="data">
        <thead><tr><th>Metric</th><th>Category</th><th>Source</th><th>What it is</th><th className="num">Value</th></tr></thead>
        <tbody>{q.data.map((m) => (
          <tr key={m.key}><td><strong>{m.label}</strong><div className="mono small muted">{m.key}</div></td><td>{m.category}</td>
            <td>{m.is_calculated ? <Badge>Calculated</Badge> : !m.is_editable ? <Badge tone="info">Collected · {titleCase(m.source)}</Badge> : <Badge tone="accent">{titleCase(m.source)}</Badge>}</td>
            <td className="small">{m.description}{m.formula && <div className="mono small muted">{m.formula}</div>}</td>
            <td className="num">{m.value === undefined ? "—" : m.format === "currency" ? fmtMoney(m.value) : fmtNum(m.value)}</td></tr>
        ))}</tbody>
      </table></div>
    </Card>
  );
}
