export default function TenantSweepPage() {
  return (
    <div data-testid="page-tenantsweep" className="stack">
      <div className="page-head"><div className="titles"><h1>TenantSweep</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
