import { useQuery } from "@tanstack/react-query";
import { api, dataOf, loose, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import { Badge, Banner, Card, Loading, QueryError } from "../components/ui";
import { fmtDateTime, titleCase } from "../lib/format";
import { Link, useParam } from "../lib/router";
import { statusTone, type Compare, type CompareItem } from "../lib/tenantsweep";

const SECTIONS: { key: keyof Pick<Compare, "new_failures" | "fixed" | "still_failing" | "not_rechecked" | "changed_severity">; label: string; tone: "bad" | "ok" | "warn" | "info"; help: string }[] = [
  { key: "new_failures", label: "New failures", tone: "bad", help: "Passed before, failing now" },
  { key: "fixed", label: "Fixed", tone: "ok", help: "Failing before, passing now" },
  { key: "still_failing", label: "Still failing", tone: "warn", help: "Failing in both audits" },
  { key: "not_rechecked", label: "Not rechecked", tone: "info", help: "Failing before; missing or errored now" },
  { key: "changed_severity", label: "Changed severity", tone: "info", help: "Same check, different severity" },
];

export default function TenantSweepComparePage() {
  const [audit] = useParam("audit");
  const [against] = useParam("against");
  const id = Number(audit);
  const q = useQuery({
    queryKey: ["ts-compare", id, against], enabled: Number.isInteger(id) && id > 0, retry: false,
    queryFn: async () => dataOf<Compare>(await unwrap(api.GET("/api/tenantsweep/audits/{audit_id}/compare", { params: { path: loose({ audit_id: id }), query: loose({ against: against || null }) } }))),
  });
  const c = q.data;
  return (
    <div data-testid="page-tenantsweep-compare" className="stack">
      <div className="page-head"><div className="titles">
        <p className="small"><Link to="/tenantsweep">TenantSweep</Link> / compare</p>
        <h1>{c ? `${c.audit.tenant_name}: audit #${c.audit.id} against #${c.against.id}` : "Compare audits"}</h1>
        {c && <p className="muted small">#{c.audit.id} of {fmtDateTime(c.audit.started_at)} against {c.baseline === "previous_completed" ? "the previous completed audit" : "the chosen audit"}, #{c.against.id} of {fmtDateTime(c.against.started_at)}</p>}
      </div></div>
      {!audit && <Banner tone="info" title="Choose an audit to compare">Open an audit from the TenantSweep page and choose “Compare with previous”.</Banner>}
      {q.isError && (q.error instanceof ApiError && q.error.status === 404 ? <Banner tone="info" title="Nothing to compare against">{q.error.message}</Banner> : <QueryError error={q.error} what="the comparison" />)}
      {audit && !c && !q.isError && <Loading />}
      {c && (
        <>
          <div className="grid" style={{ gridTemplateColumns: "repeat(5, minmax(0, 1fr))" }}>
            {SECTIONS.map((s) => (
              <a key={s.key} href={`#${s.key}`} className="card stat" style={{ color: "inherit" }}>
                <span className="label">{s.label}</span><span className="value" style={{ color: c.counts[s.key] ? `var(--${s.tone})` : undefined }}>{c.counts[s.key] ?? c[s.key].length}</span><span className="sub">{s.help}</span>
              </a>
            ))}
          </div>
          {SECTIONS.map((s) => (
            <section key={s.key} id={s.key} data-testid={`compare-${s.key}`}>
              <Card title={s.label} sub={<span data-testid="compare-count">{c[s.key].length}</span>} flush>
                {c[s.key].length === 0 ? <p className="muted" style={{ padding: "0 16px 14px" }}>None.</p> : (
                  <div className="table-wrap"><table className="data"><thead><tr><th>Check</th><th>Severity</th><th>Before</th><th>Now</th></tr></thead>
                    <tbody>{c[s.key].map((i: CompareItem) => (
                      <tr key={i.check_id}><td><strong>{i.check_name}</strong><div className="mono small muted">{i.check_id}</div></td>
                        <td><span className={`sev-${i.severity}`}>{i.severity}</span>{i.previous_severity && i.previous_severity !== i.severity ? <span className="small muted"> (was {i.previous_severity})</span> : null}</td>
                        <td>{i.previous_status ? <Badge tone={statusTone(i.previous_status)}>{titleCase(i.previous_status)}</Badge> : <span className="muted">—</span>}</td>
                        <td>{i.status ? <Badge tone={statusTone(i.status)}>{titleCase(i.status)}</Badge> : <span className="muted">missing</span>}</td></tr>
                    ))}</tbody></table></div>
                )}
              </Card>
            </section>
          ))}
          <p className="small"><Link to={`/tenantsweep/audits/${c.audit.id}`}>Open audit #{c.audit.id}</Link> · <Link to={`/tenantsweep/audits/${c.against.id}`}>Open audit #{c.against.id}</Link></p>
        </>
      )}
    </div>
  );
}
