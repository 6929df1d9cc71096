export default function ExportsPage() {
  return (
    <div data-testid="page-exports" className="stack">
      <div className="page-head"><div className="titles"><h1>Exports</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
