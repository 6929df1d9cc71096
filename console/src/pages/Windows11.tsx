import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { api, loose, unwrap } from "../api/client";
import { DataTable } from "../components/DataTable";
import { IconPlay } from "../components/icons";
import { Badge, Banner, Card, Drawer, Loading, ProgressBar, QueryError, Stat, toast } from "../components/ui";
import { fmtDateTime, fmtInt, fmtPct, relTime } from "../lib/format";
import { setParams, useParam } from "../lib/router";

interface W11Status {
  total_windows_devices: number; compatible_devices: number; incompatible_devices: number; not_assessed_devices: number;
  compatible_after_fix_devices?: number; already_compatible_devices?: number; compatible_for_upgrade_devices?: number;
  compatibility_rate: number; last_assessment: string | null; snapshot_date?: string | null; newly_incompatible_devices?: number; excluded_devices?: number;
}
interface Requirement { requirement: string; status: string; current_value: string | null; required: string; reason: string; remediation?: string; fixable?: boolean }
interface W11Device {
  device_id: number; organization: string; location: string | null; system_name: string; hostname: string; display_name: string;
  status: string; verdict: string; reason: string; os_name: string; os_version: string; os_build: string; cpu_model: string | null;
  memory_gib: number | null; system_manufacturer: string | null; system_model: string | null; last_contact: string | null;
  assessment_date: string | null; deficiencies?: Requirement[]; passed_requirements?: Requirement[]; newly_incompatible?: boolean;
}
interface W11List { total_count: number; by_organization?: { organization: string; device_count: number }[]; [k: string]: unknown }

const LIMIT = 5000;

function useList(kind: "incompatible" | "compatible" | "not-assessed", org: string) {
  const key = kind === "not-assessed" ? "not_assessed_devices" : `${kind}_devices`;
  return useQuery({
    queryKey: ["w11", kind, org],
    queryFn: async () => {
      const query = loose({ organization: org || null, limit: LIMIT, include_already_installed: kind === "compatible" ? true : null });
      const body = kind === "incompatible" ? await unwrap<W11List>(api.GET("/api/windows-11-24h2/incompatible", { params: { query } }))
        : kind === "compatible" ? await unwrap<W11List>(api.GET("/api/windows-11-24h2/compatible", { params: { query } }))
          : await unwrap<W11List>(api.GET("/api/windows-11-24h2/not-assessed", { params: { query } }));
      return { ...body, devices: (body[key] as W11Device[]) ?? [] };
    },
  });
}

export default function Windows11Page() {
  const [org] = useParam("org");
  const [tab, setTab] = useParam("tab", "incompatible");
  const [deviceId, setDeviceId] = useParam("device");
  const client = useQueryClient();
  const status = useQuery({ queryKey: ["w11-status", org], queryFn: () => unwrap<W11Status>(api.GET("/api/windows-11-24h2/status")) });
  const incompatible = useList("incompatible", org);
  const compatible = useList("compatible", org);
  const notAssessed = useList("not-assessed", org);
  const [started, setStarted] = useState<number | null>(null);

  const run = useMutation({
    mutationFn: async () => {
      setStarted(Date.now());
      return unwrap<{ status: string; message: string; output?: string; timestamp?: string }>(api.POST("/api/windows-11-24h2/run"));
    },
    onSuccess: (r) => { toast(r.message ?? "Assessment finished"); void client.invalidateQueries({ queryKey: ["w11"] }); void client.invalidateQueries({ queryKey: ["w11-status"] }); },
    onSettled: () => setStarted(null),
  });

  const s = status.data;
  const after = s?.compatible_after_fix_devices ?? 0;
  const segments = s ? [
    { label: "Compatible", value: s.compatible_devices, color: "var(--ok)", testid: "w11-seg-compatible" },
    { label: "Compatible after a fix", value: after, color: "var(--chart-1)", testid: "w11-seg-after-fix" },
    { label: "Incompatible", value: Math.max(0, s.incompatible_devices - after), color: "var(--bad)", testid: "w11-seg-incompatible" },
    { label: "Not assessed", value: s.not_assessed_devices, color: "var(--chart-7)", testid: "w11-seg-not-assessed" },
  ] : [];
  const total = segments.reduce((a, b) => a + b.value, 0) || 1;
  const devices = tab === "compatible" ? compatible : tab === "not-assessed" ? notAssessed : incompatible;

  return (
    <div data-testid="page-windows11" className="stack">
      <div className="page-head">
        <div className="titles"><h1>Windows 11 24H2</h1>
          <p>Readiness of every Windows device: processor, TPM 2.0, Secure Boot, memory, storage and 64-bit OS.
            {s?.last_assessment && <span className="muted"> Last assessed {relTime(s.last_assessment)} ({fmtDateTime(s.last_assessment)}).</span>}</p></div>
        <div className="actions">
          <button className="btn btn-primary" onClick={() => run.mutate()} disabled={run.isPending} data-testid="w11-run">
            {run.isPending ? <span className="spinner" aria-hidden="true" /> : <IconPlay size={14} />} Run assessment now
          </button>
        </div>
      </div>
      {run.isPending && (
        <div data-testid="w11-running"><Banner tone="info" title="The assessment is running">
          <span>It checks every Windows device and can take a few minutes; you can keep using the console. Started {started ? relTime(new Date(started).toISOString()) : "just now"}.</span>
          <div style={{ marginTop: 8 }}><ProgressBar value={0} indeterminate label="Assessment running" /></div>
        </Banner></div>
      )}
      {run.isSuccess && <div data-testid="w11-run-result"><Banner tone="ok" title={run.data.message}>{run.data.output && <pre className="mono small" style={{ whiteSpace: "pre-wrap", margin: "6px 0 0" }}>{run.data.output}</pre>}</Banner></div>}
      {run.isError && <div data-testid="w11-run-result"><Banner tone="bad" title="The assessment failed">{run.error instanceof Error ? run.error.message : String(run.error)}</Banner></div>}
      {status.isError && !s && <QueryError error={status.error} retry={() => status.refetch()} what="the assessment status" />}

      <div className="grid grid-4">
        <Stat label="Windows devices" value={s ? fmtInt(s.total_windows_devices) : "…"} testid="w11-total" sub={s?.excluded_devices ? `${fmtInt(s.excluded_devices)} non-Windows devices not counted` : undefined} />
        <Stat label="Compatible" value={s ? fmtInt(s.compatible_devices) : "…"} testid="w11-compatible" sub={s ? `${fmtPct(s.compatibility_rate)} ready` : undefined} />
        <Stat label="Incompatible" value={s ? fmtInt(s.incompatible_devices) : "…"} testid="w11-incompatible" sub={s ? `${fmtInt(after)} can be fixed${s.newly_incompatible_devices ? ` · ${s.newly_incompatible_devices} new` : ""}` : undefined} />
        <Stat label="Not assessed" value={s ? fmtInt(s.not_assessed_devices) : "…"} testid="w11-not-assessed" sub="missing hardware data" />
      </div>

      <Card title="Readiness" sub={s ? <span data-testid="w11-rate">{fmtPct(s.compatibility_rate)} compatible</span> : undefined}>
        {!s ? <Loading /> : (
          <div data-testid="w11-chart" className="stack" style={{ gap: 10 }}>
            <div role="img" aria-label={segments.map((g) => `${g.label}: ${g.value}`).join(", ")} style={{ display: "flex", height: 22, borderRadius: 6, overflow: "hidden", background: "var(--surface-3)" }}>
              {segments.map((g) => g.value > 0 && <div key={g.label} title={`${g.label}: ${fmtInt(g.value)}`} style={{ width: `${(g.value / total) * 100}%`, background: g.color }} />)}
            </div>
            <div className="legend">{segments.map((g) => <span key={g.label}><i style={{ background: g.color }} />{g.label} <strong className="num" data-testid={`${g.testid}-legend`}>{fmtInt(g.value)}</strong> <span className="muted">({fmtPct((g.value / total) * 100)})</span></span>)}</div>
          </div>
        )}
      </Card>

      <div className="grid" style={{ gridTemplateColumns: "minmax(220px, 280px) minmax(0, 1fr)" }}>
        <Card title="Incompatible by organisation" flush>
          {!incompatible.data ? <Loading /> : (
            <div style={{ maxHeight: 520, overflow: "auto" }}>
              <table className="data"><tbody>
                {(incompatible.data.by_organization ?? []).slice().sort((a, b) => b.device_count - a.device_count).map((o) => (
                  <tr key={o.organization} aria-selected={org === o.organization ? true : undefined}><td><button type="button" className="btn btn-ghost btn-sm" style={{ padding: 0, color: "var(--accent)", whiteSpace: "normal", textAlign: "left", height: "auto" }} onClick={() => setParams({ org: org === o.organization ? null : o.organization })}>{o.organization}</button></td><td className="num">{o.device_count}</td></tr>
                ))}
              </tbody></table>
            </div>
          )}
        </Card>
        <div className="card">
          <div className="tabs" role="tablist" style={{ padding: "0 12px", marginBottom: 0 }}>
            {([["incompatible", "Incompatible", incompatible], ["compatible", "Compatible", compatible], ["not-assessed", "Not assessed", notAssessed]] as const).map(([k, label, q]) => (
              <button key={k} role="tab" aria-selected={tab === k} onClick={() => setTab(k)} data-testid={`w11-tab-${k}`}>{label} <span className="count">{q.data ? fmtInt(q.data.total_count) : "…"}</span></button>
            ))}
          </div>
          {devices.isError ? <div className="card-body"><QueryError error={devices.error} what="the devices" /></div> : !devices.data ? <Loading /> : (
            <DeviceTable kind={tab} devices={devices.data.devices} onOpen={(id) => setDeviceId(String(id))} />
          )}
          {devices.data && devices.data.total_count > devices.data.devices.length && <div className="table-foot">Showing the first {fmtInt(devices.data.devices.length)} of {fmtInt(devices.data.total_count)}; choose an organisation to narrow the list.</div>}
        </div>
      </div>
      {deviceId && <DeviceDrawer id={Number(deviceId)} devices={[...(incompatible.data?.devices ?? []), ...(compatible.data?.devices ?? []), ...(notAssessed.data?.devices ?? [])]} onClose={() => setDeviceId(null)} />}
    </div>
  );
}

const col = createColumnHelper<W11Device>();

function DeviceTable({ kind, devices, onOpen }: { kind: string; devices: W11Device[]; onOpen: (id: number) => void }) {
  const columns = useMemo(() => [
    col.accessor("system_name", { header: "Device", size: 170, cell: (c) => <span className="cell-two"><span className="mono">{c.getValue()}</span><span className="sub">{c.row.original.display_name}</span></span> }),
    col.accessor("organization", { header: "Organisation", size: 170, meta: { grow: 1 } }),
    kind === "compatible"
      ? col.accessor("status", { header: "Status", size: 170, cell: (c) => <Badge tone="ok">{c.getValue()}</Badge> })
      : col.accessor((d) => (d.deficiencies ?? []).map((x) => x.requirement).join(", ") || d.reason, { id: "failed", header: kind === "incompatible" ? "Failed requirements" : "Missing data", size: 220, meta: { grow: 2 }, cell: (c) => (
        <span className="row" style={{ gap: 4, flexWrap: "nowrap", overflow: "hidden" }}>
          {(c.row.original.deficiencies ?? []).map((x) => <Badge key={x.requirement} tone={x.fixable ? "warn" : "bad"} title={x.reason}>{x.requirement}{x.fixable ? " (fixable)" : ""}</Badge>)}
          {!(c.row.original.deficiencies ?? []).length && <span className="small muted">{c.row.original.reason}</span>}
        </span>
      ) }),
    col.accessor("cpu_model", { header: "Processor", size: 220, meta: { grow: 1 }, cell: (c) => <span className="small">{c.getValue() ?? "—"}</span> }),
    col.accessor((d) => `${d.os_name ?? ""} ${d.os_version ?? ""}`.trim(), { id: "os", header: "OS", size: 200, cell: (c) => <span className="small">{c.getValue()}</span> }),
    col.accessor("memory_gib", { header: "RAM (GiB)", size: 90, meta: { numeric: true, hidden: true } }),
    col.accessor((d) => [d.system_manufacturer, d.system_model].filter(Boolean).join(" "), { id: "model", header: "Model", size: 200, meta: { hidden: true } }),
    col.accessor("last_contact", { header: "Last contact", size: 120, meta: { hidden: true }, cell: (c) => relTime(c.getValue()) }),
  ], [kind]);
  return <DataTable id={`w11-${kind}`} label={`${kind} devices`} data={devices} columns={columns} getRowId={(d) => String(d.device_id)} rowHeight={48}
    onRowClick={(d) => onOpen(d.device_id)} exportName={`windows11-${kind}`} maxHeight={520} />;
}

function DeviceDrawer({ id, devices, onClose }: { id: number; devices: W11Device[]; onClose: () => void }) {
  const device = devices.find((d) => d.device_id === id);
  const history = useQuery({
    queryKey: ["w11-history", id],
    queryFn: () => unwrap<{ history: { snapshot_date: string; verdict: string; reason: string; assessment_date: string }[] }>(api.GET("/api/windows-11-24h2/history/{device_id}", { params: { path: { device_id: id } } })),
  });
  return (
    <Drawer title={device?.system_name ?? `Device ${id}`} sub={device ? `${device.organization} · ${device.status}` : undefined} onClose={onClose} testid="w11-device">
      {device && (
        <>
          <dl className="kv">
            <dt>Display name</dt><dd>{device.display_name}</dd>
            <dt>Processor</dt><dd>{device.cpu_model ?? "—"}</dd>
            <dt>Memory</dt><dd>{device.memory_gib ? `${device.memory_gib} GiB` : "—"}</dd>
            <dt>OS</dt><dd>{device.os_name} {device.os_version} (build {device.os_build})</dd>
            <dt>Model</dt><dd>{[device.system_manufacturer, device.system_model].filter(Boolean).join(" ") || "—"}</dd>
            <dt>Last contact</dt><dd>{fmtDateTime(device.last_contact)}</dd>
          </dl>
          {(device.deficiencies ?? []).length > 0 && (
            <section className="stack" style={{ gap: 10 }}>
              <h3>Failed requirements and what to do</h3>
              {device.deficiencies!.map((x) => (
                <div key={x.requirement} className="card" style={{ padding: 12 }}>
                  <div className="row" style={{ justifyContent: "space-between" }}><strong>{x.requirement}</strong><Badge tone={x.fixable ? "warn" : "bad"}>{x.fixable ? "Fixable" : "Hardware"}</Badge></div>
                  <div className="small muted" style={{ marginTop: 4 }}>Has: {x.current_value ?? "unknown"} · needs: {x.required}</div>
                  <div className="small" style={{ marginTop: 4 }}>{x.reason}</div>
                  {x.remediation && <div className="small" style={{ marginTop: 6 }}><strong>Remediation:</strong> {x.remediation}</div>}
                </div>
              ))}
            </section>
          )}
          {(device.passed_requirements ?? []).length > 0 && (
            <section><h3>Requirements met</h3><ul className="small" style={{ paddingLeft: 18 }}>{device.passed_requirements!.map((x) => <li key={x.requirement}><strong>{x.requirement}</strong>: {x.current_value}</li>)}</ul></section>
          )}
        </>
      )}
      <section data-testid="w11-device-history">
        <h3 style={{ marginBottom: 10 }}>Assessment history</h3>
        {!history.data ? (history.isError ? <QueryError error={history.error} what="the history" /> : <Loading />) : (
          <ol className="timeline">{[...history.data.history].reverse().map((h) => (
            <li key={h.snapshot_date}><div className="t-head">{h.verdict.replace(/_/g, " ")}</div><div className="t-meta">{h.snapshot_date} · {h.reason}</div></li>
          ))}</ol>
        )}
      </section>
    </Drawer>
  );
}
