import { useQuery } from "@tanstack/react-query";
import { api, dataOf, loose, unwrap } from "../api/client";
import { isUnauthorized } from "../api/query";
import { IconArrowDown, IconArrowUp, IconMinus } from "../components/icons";
import { Badge, Card, Empty, Field, Loading, QueryError, SignInRequired } from "../components/ui";
import { fmtDateTime, relTime, titleCase } from "../lib/format";
import { Link, navigate, useParam } from "../lib/router";
import { SEVERITIES, statusTone, type AuditSummary, type TenantOverview } from "../lib/tenantsweep";

const PAGE = 25;

export function TrendArrow({ direction, change }: { direction: string; change?: number }) {
  const Icon = direction === "improving" ? IconArrowDown : direction === "worsening" ? IconArrowUp : IconMinus;
  const label = direction === "improving" ? "Improving" : direction === "worsening" ? "Worsening" : direction === "new" ? "First audit" : direction === "none" ? "No completed audit" : "Unchanged";
  return (
    <span className={`row trend-${direction}`} style={{ gap: 4 }} data-testid={`trend-${direction}`} title={label}>
      <Icon size={14} /> <span className="small">{label}{change ? ` (${change > 0 ? "+" : ""}${change} failing)` : ""}</span>
    </span>
  );
}

export function SeverityCounts({ counts }: { counts: Record<string, number> | null | undefined }) {
  if (!counts) return <span className="muted">—</span>;
  return (
    <span className="row" style={{ gap: 8 }}>
      {SEVERITIES.filter((s) => counts[s]).map((s) => <span key={s} className={`small sev-${s}`} title={s}><strong className="num">{counts[s]}</strong> {s}</span>)}
      {SEVERITIES.every((s) => !counts[s]) && <span className="small muted">none</span>}
    </span>
  );
}

export default function TenantSweepPage() {
  const [tenant, setTenant] = useParam("tenant");
  const [status, setStatus] = useParam("status");
  const [pageParam, setPage] = useParam("page", "1");
  const page = Math.max(1, Number(pageParam) || 1);
  const overview = useQuery({ queryKey: ["ts-overview"], retry: false, queryFn: async () => dataOf<{ tenants: TenantOverview[] }>(await unwrap(api.GET("/api/tenantsweep/overview"))) });
  const audits = useQuery({
    queryKey: ["ts-audits", tenant, status, page], retry: false,
    queryFn: async () => dataOf<{ audits: AuditSummary[]; total_count: number }>(await unwrap(api.GET("/api/tenantsweep/audits", { params: { query: loose({ tenant_name: tenant || null, status: status || null, limit: PAGE, offset: (page - 1) * PAGE }) } }))),
  });
  if (isUnauthorized(overview.error) || isUnauthorized(audits.error)) {
    return <div data-testid="page-tenantsweep" className="stack"><Head /><SignInRequired what="TenantSweep audits" /></div>;
  }
  const total = audits.data?.total_count ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  return (
    <div data-testid="page-tenantsweep" className="stack">
      <Head />
      <Card title="Tenants" sub="latest completed audit against the one before" flush>
        {overview.isError ? <div className="card-body"><QueryError error={overview.error} what="the tenant overview" /></div> : !overview.data ? <Loading /> : overview.data.tenants.length === 0 ? <Empty title="No audits yet">Audits appear here when the TenantSweep scanner posts them.</Empty> : (
          <div className="table-wrap"><table className="data" data-testid="tenant-overview-table">
            <thead><tr><th>Tenant</th><th>Latest audit</th><th>Failing now</th><th>Trend</th><th className="num">Audits</th><th /></tr></thead>
            <tbody>{overview.data.tenants.map((t) => (
              <tr key={t.tenant_id}>
                <td><strong>{t.tenant_name}</strong><div className="mono small muted">{t.tenant_id}</div></td>
                <td className="small">{t.latest_audit ? <Link to={`/tenantsweep/audits/${t.latest_audit.id}`}>#{t.latest_audit.id} · {relTime(t.latest_audit.completed_at ?? t.latest_audit.started_at)}</Link> : "—"}
                  {t.latest_run && t.latest_run.status !== "completed" && <div><Badge tone={statusTone(t.latest_run.status)}>{titleCase(t.latest_run.status)}</Badge> run #{t.latest_run.id}</div>}</td>
                <td>{t.latest_audit ? <SeverityCounts counts={t.latest_audit.failing_counts} /> : "—"}</td>
                <td><TrendArrow direction={t.trend.direction} change={t.trend.failing_change} /></td>
                <td className="num">{t.completed_audits_count}/{t.audits_count}</td>
                <td className="right">{t.latest_audit && t.previous_audit && <Link className="btn btn-sm" to={`/tenantsweep/compare?audit=${t.latest_audit.id}&against=${t.previous_audit.id}`}>Compare</Link>}</td>
              </tr>
            ))}</tbody>
          </table></div>
        )}
      </Card>

      <Card title="Audits" flush actions={<span className="small muted">{total.toLocaleString("en-US")} audits</span>}>
        <div className="toolbar" style={{ padding: "0 16px" }}>
          <Field label="Tenant name" htmlFor="audit-tenant-filter"><input id="audit-tenant-filter" type="search" value={tenant} placeholder="part of the name" onChange={(e) => { setTenant(e.target.value || null); setPage(null); }} data-testid="audit-tenant-filter" /></Field>
          <Field label="Status" htmlFor="audit-status-filter">
            <select id="audit-status-filter" value={status} onChange={(e) => { setStatus(e.target.value || null); setPage(null); }} data-testid="audit-status-filter">
              <option value="">Any</option><option value="running">Running</option><option value="completed">Completed</option><option value="failed">Failed</option>
            </select>
          </Field>
        </div>
        {audits.isError ? <div className="card-body"><QueryError error={audits.error} what="the audits" /></div> : !audits.data ? <Loading /> : (
          <>
            <div className="table-wrap"><table className="data" data-testid="audits-table">
              <thead><tr><th>#</th><th>Tenant</th><th>Status</th><th>Started</th><th>Failing by severity</th><th className="num">Findings</th><th>By</th></tr></thead>
              <tbody>{audits.data.audits.map((a) => (
                <tr key={a.id} data-testid="audits-row" data-id={a.id} style={{ cursor: "pointer" }} onClick={() => navigate(`/tenantsweep/audits/${a.id}`)}>
                  <td><Link to={`/tenantsweep/audits/${a.id}`} onClick={(e) => e.stopPropagation()}>#{a.id}</Link></td>
                  <td>{a.tenant_name}<div className="mono small muted">{a.tenant_id}</div></td>
                  <td><Badge tone={statusTone(a.status)}>{titleCase(a.status)}</Badge>{a.error_message && <div className="small" style={{ color: "var(--bad)" }}>{a.error_message}</div>}</td>
                  <td className="small" title={fmtDateTime(a.started_at)}>{relTime(a.started_at)}</td>
                  <td><SeverityCounts counts={a.summary} /></td>
                  <td className="num">{a.findings_count ?? "—"}</td>
                  <td className="small muted">{a.initiated_by}</td>
                </tr>
              ))}</tbody>
            </table></div>
            {audits.data.audits.length === 0 && <Empty title="No audit matches" />}
            <div className="table-foot">
              <button className="btn btn-sm" disabled={page <= 1} onClick={() => setPage(String(page - 1))} data-testid="page-prev">Previous</button>
              <span>Page {page} of {pages}</span>
              <button className="btn btn-sm" disabled={page >= pages} onClick={() => setPage(String(page + 1))} data-testid="page-next">Next</button>
            </div>
          </>
        )}
      </Card>
    </div>
  );
}

function Head() {
  return <div className="page-head"><div className="titles"><h1>TenantSweep</h1><p>Microsoft 365 security audits of every client tenant: what fails, what got better, what got worse.</p></div></div>;
}
