export default function HistoryPage() {
  return (
    <div data-testid="page-history" className="stack">
      <div className="page-head"><div className="titles"><h1>History and trends</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
