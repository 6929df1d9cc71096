export default function TenantSweepComparePage() {
  return (
    <div data-testid="page-tenantsweep-compare" className="stack">
      <div className="page-head"><div className="titles"><h1>TenantSweep compare</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
