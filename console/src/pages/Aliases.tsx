export default function AliasesPage() {
  return (
    <div data-testid="page-variance-aliases" className="stack">
      <div className="page-head"><div className="titles"><h1>Organisation aliases</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
