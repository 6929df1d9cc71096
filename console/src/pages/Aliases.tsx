import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, loose, unwrap } from "../api/client";
import { IconTrash } from "../components/icons";
import { Banner, Card, Empty, Field, Loading, QueryError, toast } from "../components/ui";
import { fmtDateTime } from "../lib/format";
import { Link } from "../lib/router";
import { useOrganizations } from "../lib/orgs";

interface Alias { id: number; ninja_name: string; threatlocker_name: string; notes?: string | null; created_at?: string; created_by?: string | null }

export default function AliasesPage() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ["aliases"], queryFn: () => unwrap<{ aliases: Alias[]; total: number }>(api.GET("/api/organization-aliases")) });
  const orgs = useOrganizations();
  const [ninja, setNinja] = useState("");
  const [tl, setTl] = useState("");
  const [notes, setNotes] = useState("");
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["aliases"] });
    void client.invalidateQueries({ queryKey: ["variance-report"] });
    void client.invalidateQueries({ queryKey: ["status"] });
  };
  const add = useMutation({
    mutationFn: () => unwrap(api.POST("/api/organization-aliases", { params: { query: loose({ recompute: true }) }, body: { ninja_name: ninja.trim(), threatlocker_name: tl.trim(), notes: notes.trim() || null } })),
    onSuccess: () => { toast(`Alias added: ${tl} = ${ninja}; the report is recomputed`); setNinja(""); setTl(""); setNotes(""); refresh(); },
  });
  const remove = useMutation({
    mutationFn: (a: Alias) => unwrap(api.DELETE("/api/organization-aliases/{alias_id}", { params: { path: loose({ alias_id: a.id }), query: loose({ recompute: true }) } })),
    onSuccess: () => { toast("Alias removed; the report is recomputed"); refresh(); },
    onError: (e) => toast(e instanceof Error ? e.message : String(e), "bad"),
  });
  return (
    <div data-testid="page-variance-aliases" className="stack">
      <div className="page-head"><div className="titles">
        <p className="small"><Link to="/variance">Variance report</Link> / organisation aliases</p>
        <h1>Organisation aliases</h1>
        <p>When ThreatLocker names an organisation differently from Ninja, say they are the same here, so its devices are not reported as site mismatches. Names identical in both need no alias.</p>
      </div></div>
      <div className="grid" style={{ gridTemplateColumns: "minmax(0, 1fr) minmax(300px, 380px)" }}>
        <Card title="Aliases" flush sub={list.data ? `${list.data.total}` : undefined}>
          {list.isError ? <div className="card-body"><QueryError error={list.error} what="the aliases" /></div> : !list.data ? <Loading /> : list.data.aliases.length === 0 ? <Empty title="No aliases yet">Add one on the right when a site mismatch is really the same organisation.</Empty> : (
            <div className="table-wrap"><table className="data" data-testid="alias-table">
              <thead><tr><th>ThreatLocker name</th><th>Ninja organisation</th><th>Notes</th><th>Added</th><th /></tr></thead>
              <tbody>{list.data.aliases.map((a) => (
                <tr key={a.id} data-testid="alias-row" data-id={a.id}>
                  <td>{a.threatlocker_name}</td><td>{a.ninja_name}</td><td className="small">{a.notes}</td>
                  <td className="small muted">{fmtDateTime(a.created_at)}{a.created_by ? ` · ${a.created_by}` : ""}</td>
                  <td className="right"><button className="btn btn-sm btn-ghost btn-danger" aria-label={`Delete alias ${a.threatlocker_name}`} disabled={remove.isPending} onClick={() => { if (window.confirm(`Delete the alias “${a.threatlocker_name}” = “${a.ninja_name}”?`)) remove.mutate(a); }} data-testid="alias-delete"><IconTrash size={14} /> Delete</button></td>
                </tr>
              ))}</tbody>
            </table></div>
          )}
        </Card>
        <Card title="Add an alias">
          <form className="stack" style={{ gap: 12 }} onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
            <Field label="ThreatLocker organisation name" htmlFor="alias-add-from"><input id="alias-add-from" type="text" required maxLength={300} value={tl} onChange={(e) => setTl(e.target.value)} data-testid="alias-add-from" /></Field>
            <Field label="Ninja organisation" htmlFor="alias-add-to" hint="Pick from the list or type the exact name">
              <input id="alias-add-to" type="text" required maxLength={300} list="ninja-orgs" value={ninja} onChange={(e) => setNinja(e.target.value)} data-testid="alias-add-to" />
            </Field>
            <datalist id="ninja-orgs">{(orgs.data ?? []).map((o) => <option key={o} value={o} />)}</datalist>
            <Field label="Notes" htmlFor="alias-notes"><input id="alias-notes" type="text" maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} /></Field>
            <div><button className="btn btn-primary" type="submit" disabled={add.isPending || !ninja.trim() || !tl.trim()} data-testid="alias-add-submit">{add.isPending && <span className="spinner" aria-hidden="true" />}Add alias</button></div>
            {add.isError && <Banner tone="bad" title="Not added">{add.error instanceof Error ? add.error.message : String(add.error)}</Banner>}
          </form>
        </Card>
      </div>
    </div>
  );
}
