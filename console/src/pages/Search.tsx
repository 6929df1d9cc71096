import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { api, loose, unwrap } from "../api/client";
import { DataTable } from "../components/DataTable";
import { Badge, Empty, Hostname, Loading, QueryError } from "../components/ui";
import { fmtDate, titleCase } from "../lib/format";
import { Link, useParam } from "../lib/router";

interface Hit {
  vendor: string; hostname: string; display_name: string; organization_name: string; snapshot_date: string; canonical_key: string;
  device_id?: string | null; site?: string | null; device_type?: string | null; billing_status?: string | null; is_truncated?: boolean;
  ninja_hostname?: string | null; threatlocker_hostname?: string | null;
}
interface SearchResponse { search_term: string; total_results: number; vendors_found: string[]; grouped_by_canonical_key: Record<string, Hit[]> }
interface Device { key: string; ninja: Hit[]; threatlocker: Hit[]; organization: string; snapshot: string }

const col = createColumnHelper<Device>();
const columns = [
  col.accessor("key", { header: "Device", size: 170, cell: (c) => <span className="mono">{c.getValue()}</span> }),
  col.accessor((d) => d.ninja.map((h) => h.hostname).join(" "), { id: "ninja", header: "Ninja", size: 230, meta: { grow: 1, label: "Ninja hostname" }, cell: (c) => {
    const hits = c.row.original.ninja;
    if (!hits.length) return <Badge tone="warn">Not in Ninja</Badge>;
    return <span className="cell-two"><Hostname value={hits[0].ninja_hostname ?? hits[0].hostname} vendor="Ninja" testid="copy-ninja-hostname" /><span className="sub">{hits[0].display_name}{hits.length > 1 ? ` · ${hits.length} records` : ""}</span></span>;
  } }),
  col.accessor((d) => d.threatlocker.map((h) => h.hostname).join(" "), { id: "threatlocker", header: "ThreatLocker", size: 230, meta: { grow: 1, label: "ThreatLocker hostname" }, cell: (c) => {
    const hits = c.row.original.threatlocker;
    if (!hits.length) return <Badge tone="warn">Not in ThreatLocker</Badge>;
    return <span className="cell-two"><Hostname value={hits[0].threatlocker_hostname ?? hits[0].hostname} vendor="ThreatLocker" testid="copy-threatlocker-hostname" /><span className="sub">{hits[0].display_name}{hits.length > 1 ? ` · ${hits.length} records` : ""}</span></span>;
  } }),
  col.accessor("organization", { header: "Organisation", size: 190, meta: { grow: 1 } }),
  col.accessor((d) => titleCase(d.ninja[0]?.billing_status ?? ""), { id: "billing", header: "Billing", size: 90 }),
  col.accessor((d) => d.ninja[0]?.site ?? d.threatlocker[0]?.site ?? "", { id: "site", header: "Site", size: 140, meta: { hidden: true } }),
  col.accessor("snapshot", { header: "Snapshot", size: 110, cell: (c) => fmtDate(c.getValue()) }),
  col.display({ id: "open", header: () => <span className="sr-only">Exceptions</span>, size: 110, meta: { noFilter: true, label: "Exceptions", exportValue: () => "" }, cell: (c) => <Link to={`/variance?host=${encodeURIComponent(c.row.original.key)}&status=all`} className="small">Exceptions</Link> }),
];

export default function SearchPage() {
  const [q] = useParam("q");
  const term = q.trim();
  const result = useQuery({
    queryKey: ["search", term], enabled: term.length > 0,
    queryFn: () => unwrap<SearchResponse>(api.GET("/api/devices/search", { params: { query: loose({ q: term, limit: 500 }) } })),
  });
  const devices = useMemo<Device[]>(() => Object.entries(result.data?.grouped_by_canonical_key ?? {}).map(([key, hits]) => ({
    key,
    ninja: hits.filter((h) => h.vendor === "Ninja"),
    threatlocker: hits.filter((h) => h.vendor === "ThreatLocker"),
    organization: [...new Set(hits.map((h) => h.organization_name))].join(" / "),
    snapshot: hits.map((h) => h.snapshot_date).sort().reverse()[0] ?? "",
  })), [result.data]);
  return (
    <div data-testid="page-search" className="stack">
      <div className="page-head"><div className="titles"><h1>Device search</h1><p>{term ? <>Devices matching <strong>“{term}”</strong> in NinjaOne and ThreatLocker, one row per device.</> : "Type a hostname in the search box at the top (press / to jump there)."}</p></div></div>
      {!term ? <div className="card"><Empty title="Search both vendors at once">Hostnames match in any case, with or without domain suffixes, across both systems' newest snapshots.</Empty></div>
        : result.isError ? <QueryError error={result.error} retry={() => result.refetch()} what="search results" />
          : !result.data ? <Loading what="Searching" /> : (
            <div className="card">
              <DataTable id="search-results" label="Search results" data={devices} columns={columns} getRowId={(d) => d.key} rowHeight={52} exportName={`device-search-${term}`}
                toolbar={<span className="small muted">{result.data.total_results} records · found in {result.data.vendors_found.join(" and ") || "neither vendor"}</span>}
                empty={<Empty title={`No device matches “${term}”`}>Try fewer characters, or the other vendor's spelling of the name.</Empty>} maxHeight="calc(100vh - 260px)" />
            </div>
          )}
    </div>
  );
}
