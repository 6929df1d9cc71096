export default function UsageChangesPage() {
  return (
    <div data-testid="page-usage-changes" className="stack">
      <div className="page-head"><div className="titles"><h1>Ninja usage changes</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
