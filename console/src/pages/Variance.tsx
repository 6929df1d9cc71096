export default function VariancePage() {
  return (
    <div data-testid="page-variance" className="stack">
      <div className="page-head"><div className="titles"><h1>Variance report</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
