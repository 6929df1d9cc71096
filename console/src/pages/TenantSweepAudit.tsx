export default function TenantSweepAuditPage() {
  return (
    <div data-testid="page-tenantsweep-audit" className="stack">
      <div className="page-head"><div className="titles"><h1>TenantSweep audit</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
