export default function Windows11Page() {
  return (
    <div data-testid="page-windows11" className="stack">
      <div className="page-head"><div className="titles"><h1>Windows 11 24H2</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
