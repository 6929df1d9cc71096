export default function SearchPage() {
  return (
    <div data-testid="page-search" className="stack">
      <div className="page-head"><div className="titles"><h1>Device search</h1><p>This page is being built.</p></div></div>
    </div>
  );
}
