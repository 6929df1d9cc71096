import { useQuery } from "@tanstack/react-query";
import { api, loose, unwrap } from "../api/client";
import type { CollectorState, HistoryResponse, StatusResponse } from "../api/types";
import { Badge, Banner, Card, Empty, Loading, QueryError, Stat } from "../components/ui";
import { IconAlert, IconRefresh } from "../components/icons";
import { fmtDate, fmtDuration, fmtInt, fmtPct, relTime, titleCase } from "../lib/format";
import { Link } from "../lib/router";
import { statusTone, TYPE_BY_CODE, VARIANCE_TYPES } from "../lib/variance";

interface W11Status { total_windows_devices: number; compatible_devices: number; incompatible_devices: number; not_assessed_devices: number; compatibility_rate: number; last_assessment: string | null; compatible_after_fix_devices?: number }

const VENDORS: { key: string; label: string; testid: string }[] = [
  { key: "Ninja", label: "NinjaOne", testid: "ninja" },
  { key: "ThreatLocker", label: "ThreatLocker", testid: "threatlocker" },
];

export default function OverviewPage() {
  const status = useQuery({ queryKey: ["status"], queryFn: () => unwrap<StatusResponse>(api.GET("/api/status")), refetchInterval: 30_000 });
  const collectors = useQuery({ queryKey: ["collectors-status"], queryFn: () => unwrap<Record<string, CollectorState>>(api.GET("/api/collectors/status")), refetchInterval: 30_000 });
  const history = useQuery({ queryKey: ["collectors-history", 10], queryFn: () => unwrap<HistoryResponse>(api.GET("/api/collectors/history", { params: { query: loose({ limit: 10 }) } })), refetchInterval: 30_000 });
  const w11 = useQuery({ queryKey: ["w11-status", ""], queryFn: () => unwrap<W11Status>(api.GET("/api/windows-11-24h2/status")) });

  const s = status.data;
  const maxCount = Math.max(1, ...VARIANCE_TYPES.map((t) => s?.exception_counts?.[t.code] ?? 0));
  return (
    <div data-testid="page-overview" className="stack">
      <div className="page-head">
        <div className="titles">
          <h1>Overview</h1>
          <p>Data freshness, open exceptions and collector health at a glance.</p>
        </div>
        <div className="actions">
          <Link to="/collections" className="btn btn-primary"><IconRefresh size={15} /> Run collectors</Link>
        </div>
      </div>

      {status.isError && !s && <QueryError error={status.error} retry={() => status.refetch()} what="the system status" />}
      {s?.has_warnings && (
        <Banner tone="warn" title="Attention needed" testid="overview-warnings">
          <ul className="small" style={{ margin: "4px 0 0", paddingLeft: 18 }}>{s.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </Banner>
      )}
      {s && !s.has_warnings && <div data-testid="overview-warnings" hidden>No warnings</div>}

      <div className="grid grid-4">
        {VENDORS.map((v) => {
          const vs = s?.vendor_status?.[v.key];
          return (
            <div className="card" key={v.key}>
              <div className="stat">
                <span className="label">{v.label} devices</span>
                <span className="value" data-testid={`overview-device-count-${v.testid}`}>{s ? fmtInt(s.device_counts?.[v.key] ?? 0) : "…"}</span>
                <span className="sub row" style={{ gap: 6 }} data-testid={`overview-freshness-${v.testid}`}>
                  {vs ? <><Badge tone={statusTone(vs.freshness_status)}>{vs.freshness_message}</Badge> {vs.latest_date && <span>{fmtDate(vs.latest_date)}</span>}</> : "—"}
                </span>
              </div>
            </div>
          );
        })}
        <Stat label="Open exceptions" value={s ? fmtInt(s.total_exceptions) : "…"} testid="overview-total-exceptions"
          sub={s?.data_status ? <>Report of {fmtDate(s.data_status.latest_date)} · <Link to="/variance">work the list</Link></> : undefined} />
        <Stat label="Windows 11 24H2 ready" value={w11.data ? fmtPct(w11.data.compatibility_rate) : "…"} testid="overview-w11-rate"
          sub={w11.data ? <>{fmtInt(w11.data.compatible_devices)} of {fmtInt(w11.data.total_windows_devices)} Windows devices · <Link to="/windows11">details</Link></> : undefined} />
      </div>

      <div className="grid grid-2">
        <Card title="Exceptions by type" actions={<Link to="/variance" className="btn btn-sm">Open variance report</Link>}>
          {!s ? <Loading /> : (
            <div className="bar-list">
              {VARIANCE_TYPES.map((t) => {
                const n = s.exception_counts?.[t.code] ?? 0;
                return (
                  <Link key={t.code} to={`/variance?type=${t.key}`} className="bl-row" data-testid={`overview-exception-${t.code}`} title={t.help}>
                    <span style={{ color: "var(--text)" }}>{t.label}</span>
                    <span className="bl-track"><span className="bl-fill" style={{ display: "block", width: `${(n / maxCount) * 100}%`, background: t.color }} /></span>
                    <span className="num right" style={{ color: "var(--text)", fontWeight: 600 }}>{fmtInt(n)}</span>
                  </Link>
                );
              })}
              {Object.keys(s.exception_counts ?? {}).filter((c) => !TYPE_BY_CODE.has(c)).map((c) => (
                <div key={c} className="bl-row"><span>{titleCase(c.toLowerCase())}</span><span /><span className="num right">{fmtInt(s.exception_counts[c])}</span></div>
              ))}
            </div>
          )}
        </Card>
        <Card title="Collector health" actions={s?.collector_health?.has_recent_failures ? <Badge tone="bad">{s.collector_health.total_failures_last_24h} failures in 24 h</Badge> : <Badge tone="ok">No failures in 24 h</Badge>}>
          {!collectors.data ? (collectors.isError ? <QueryError error={collectors.error} what="collector status" /> : <Loading />) : (
            <div className="stack" style={{ gap: 10 }}>
              {Object.entries(collectors.data).map(([name, c]) => (
                <div key={name} className="row" style={{ justifyContent: "space-between", flexWrap: "nowrap" }}>
                  {/* The message may be long: it shrinks and wraps, the time and status stay on its right. */}
                  <div className="cell-two" style={{ minWidth: 0, flex: "1 1 auto" }}>
                    <span style={{ fontWeight: 600 }}>{name === "ninja" ? "NinjaOne" : name === "threatlocker" ? "ThreatLocker" : name === "connectwise" ? "ConnectWise" : titleCase(name)}</span>
                    <span className="sub">{c.last_message ?? "No run yet"}</span>
                  </div>
                  <div className="row" style={{ gap: 8, flexWrap: "nowrap", flexShrink: 0 }}>
                    <span className="small muted">{relTime(c.last_run)}</span>
                    <Badge tone={statusTone(c.last_status ?? c.status)}>{titleCase(c.last_status ?? c.status)}</Badge>
                  </div>
                </div>
              ))}
              {s?.collector_health?.recent_failures?.slice(0, 3).map((f) => (
                <Banner key={f.job_id ?? f.started_at} tone="bad" title={`${f.collector ?? f.job_name} failed ${relTime(f.ended_at ?? f.started_at)}`}>
                  <span className="small">{f.message ?? f.error}</span>
                </Banner>
              ))}
            </div>
          )}
        </Card>
      </div>

      <Card title="Last runs" testid="overview-last-runs" actions={<Link to="/collections" className="btn btn-sm">All runs</Link>} flush>
        {!history.data ? (history.isError ? <div className="card-body"><QueryError error={history.error} what="run history" /></div> : <Loading />) : history.data.collection_history.length === 0 ? (
          <Empty title="No collection has run yet"><Link to="/collections">Run the collectors</Link> to take the first snapshot.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead><tr><th>Job</th><th>Status</th><th>Message</th><th>Started</th><th className="num">Duration</th></tr></thead>
              <tbody>
                {history.data.collection_history.map((j) => (
                  <tr key={j.job_id}>
                    <td><span style={{ fontWeight: 600 }}>{titleCase(j.job_name)}</span> <span className="muted mono small">{j.batch_id}</span></td>
                    <td><Badge tone={statusTone(j.status)}>{titleCase(j.status)}</Badge></td>
                    <td className="small">{j.error ? <span style={{ color: "var(--bad)" }}><IconAlert size={12} /> {j.error}</span> : j.message}</td>
                    <td className="small" title={j.started_at ?? ""}>{relTime(j.started_at)}</td>
                    <td className="num">{fmtDuration(j.duration_seconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
