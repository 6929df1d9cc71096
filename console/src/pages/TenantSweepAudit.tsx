import { useQuery } from "@tanstack/react-query";
import { api, dataOf, download, loose, unwrap } from "../api/client";
import { IconDownload } from "../components/icons";
import { Badge, Card, Loading, QueryError, toast } from "../components/ui";
import { fmtDateTime, titleCase } from "../lib/format";
import { Link, useParam } from "../lib/router";
import { SEVERITIES, statusTone, type AuditSummary, type Finding } from "../lib/tenantsweep";
import { SeverityCounts } from "./TenantSweep";

export default function TenantSweepAuditPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const [sev, setSev] = useParam("severity");
  const [failingOnly, setFailingOnly] = useParam("failing", "false");
  const q = useQuery({
    queryKey: ["ts-audit", id], enabled: Number.isInteger(id) && id > 0, retry: false,
    queryFn: async () => dataOf<AuditSummary & { findings: Finding[] }>(await unwrap(api.GET("/api/tenantsweep/audits/{audit_id}", { params: { path: loose({ audit_id: id }), query: loose({ include_findings: true }) } }))),
  });
  const exportCsv = async () => {
    try {
      const query = sev ? `?severity=${encodeURIComponent(sev)}` : "";
      const { name } = await download(`/api/tenantsweep/audits/${id}/export/csv${query}`, `audit-${id}.csv`);
      toast(`Downloaded ${name}`);
    } catch (e) { toast(`Export failed: ${e instanceof Error ? e.message : String(e)}`, "bad"); }
  };
  const a = q.data;
  const findings = (a?.findings ?? []).filter((f) => (!sev || f.severity === sev) && (failingOnly !== "true" || f.status === "fail" || f.status === "warning"));
  return (
    <div data-testid="page-tenantsweep-audit" className="stack">
      <div className="page-head">
        <div className="titles">
          <p className="small"><Link to="/tenantsweep">TenantSweep</Link> / audit #{id}</p>
          <h1>{a ? a.tenant_name : `Audit #${id}`}</h1>
          {a && <p><Badge tone={statusTone(a.status)}>{titleCase(a.status)}</Badge> <span className="muted small">started {fmtDateTime(a.started_at)}{a.completed_at ? ` · completed ${fmtDateTime(a.completed_at)}` : ""} · by {a.initiated_by}</span></p>}
        </div>
        <div className="actions">
          <Link className="btn" to={`/tenantsweep/compare?audit=${id}`} data-testid="audit-compare">Compare with previous</Link>
          <button className="btn" onClick={() => void exportCsv()} data-testid="audit-export-csv"><IconDownload size={14} /> Export CSV</button>
        </div>
      </div>
      {q.isError && <QueryError error={q.error} what="the audit" />}
      {!a ? (!q.isError && <Loading />) : (
        <>
          {a.error_message && <Card title="Error"><p>{a.error_message}</p></Card>}
          <div className="toolbar">
            <div className="chip-row" role="group" aria-label="Severity">
              <button className="chip" aria-pressed={!sev} onClick={() => setSev(null)}>All <span className="n">{a.findings.length}</span></button>
              {SEVERITIES.map((s) => <button key={s} className="chip" aria-pressed={sev === s} onClick={() => setSev(sev === s ? null : s)}><span className={`sev-${s}`}>●</span> {s} <span className="n">{a.severity_summary?.[s] ?? a.findings.filter((f) => f.severity === s).length}</span></button>)}
            </div>
            <label className="check small"><input type="checkbox" checked={failingOnly === "true"} onChange={(e) => setFailingOnly(e.target.checked ? "true" : null)} /> Failing and warnings only</label>
            <span className="grow" />
            <span className="small muted">Failing: <SeverityCounts counts={a.summary} /></span>
          </div>
          {SEVERITIES.filter((s) => findings.some((f) => f.severity === s)).map((s) => (
            <Card key={s} title={<span className={`sev-${s}`}>{s}</span>} sub={`${findings.filter((f) => f.severity === s).length} checks`} testid={`findings-${s}`} flush>
              <div className="table-wrap"><table className="data">
                <thead><tr><th>Check</th><th>Status</th><th>Current</th><th>Expected</th><th>Recommendation</th></tr></thead>
                <tbody>{findings.filter((f) => f.severity === s).map((f) => (
                  <tr key={f.id} data-testid="finding-row" data-id={f.id}>
                    <td><strong>{f.check_name}</strong><div className="mono small muted">{f.check_id}</div></td>
                    <td><Badge tone={statusTone(f.status)}>{titleCase(f.status)}</Badge></td>
                    <td className="small">{f.current_value ?? "—"}</td>
                    <td className="small">{f.expected_value ?? "—"}</td>
                    <td className="small">{f.recommendation ?? ""}</td>
                  </tr>
                ))}</tbody>
              </table></div>
            </Card>
          ))}
          {findings.length === 0 && <Card><p className="muted">No findings match.</p></Card>}
        </>
      )}
    </div>
  );
}
