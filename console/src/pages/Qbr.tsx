export default function QbrPage() {
  return (
    <div data-testid="page-qbr" className="stack">
      <div className="page-head"><div className="titles"><h1>QBR</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
