import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, loose, unwrap } from "../api/client";
import { isUnauthorized } from "../api/query";
import { Badge, Banner, Card, Empty, Field, Loading, QueryError, SignInRequired, toast } from "../components/ui";
import { fmtDateTime, relTime, titleCase } from "../lib/format";

type Envelope<T> = { success: true; data: T };
interface Channel {
  id: number; name: string; kind: "email" | "webhook" | "teams" | "slack"; url: string | null; recipients: string[];
  enabled: boolean; disabled_reason: string | null; signed: boolean; secret_env: string | null; url_env: string | null;
}
interface Rule {
  id: number; name: string; condition: string; enabled: boolean; severity_min: string; channel_ids: number[];
  delivery_mode: string; digest_frequency: string; quiet_start: string | null; quiet_end: string | null;
  snoozed_until: string | null; snooze_reason: string | null; held_for_digest: number; held_for_quiet_hours: number;
}
interface Delivery {
  id: number; kind: string; rule_id: number | null; channel_id: number | null; channel_kind: string; subject: string;
  severity: string; status: "pending" | "delivered" | "failed" | "dead"; attempts: number; last_error: string | null;
  last_status_code: number | null; created_at: string; delivered_at: string | null; item_count: number | null;
}
interface TestResult { status: "delivered" | "failed"; status_code: number | null; error: string | null; delivery_id: number; message: string }

const STATUS_TONE = { delivered: "ok", pending: "info", failed: "bad", dead: "bad" } as const;

function data<T>(call: Promise<unknown>): Promise<T> {
  return unwrap<Envelope<T>>(call as never).then((body) => body.data);
}

export default function NotificationsPage() {
  const client = useQueryClient();
  const channels = useQuery({ queryKey: ["notifications", "channels"], queryFn: () => data<{ channels: Channel[]; total: number }>(api.GET("/api/notifications/channels")) });
  const rules = useQuery({ queryKey: ["notifications", "rules"], queryFn: () => data<{ rules: Rule[]; total: number }>(api.GET("/api/notifications/rules")) });
  const deliveries = useQuery({
    queryKey: ["notifications", "deliveries"],
    queryFn: () => data<{ items: Delivery[]; total: number }>(api.GET("/api/notifications/deliveries", { params: { query: loose({ limit: 100 }) } })),
    refetchInterval: 5000,
  });
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Channel["kind"]>("webhook");
  const [target, setTarget] = useState("");
  const [lastTest, setLastTest] = useState<TestResult | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: ["notifications"] });
  const create = useMutation({
    mutationFn: () => {
      const body = kind === "email"
        ? { name: name.trim(), kind, recipients: target.split(/[\s,;]+/).filter(Boolean) }
        : { name: name.trim(), kind, url: target.trim() };
      return data<Channel>(api.POST("/api/notifications/channels", { body: body as never }));
    },
    onSuccess: (made) => { toast(`Channel “${made.name}” created`); setName(""); setTarget(""); refresh(); },
  });
  const test = useMutation({
    mutationFn: (c: Channel) => data<TestResult>(api.POST("/api/notifications/channels/{channel_id}/test", { params: { path: loose({ channel_id: c.id }) } })),
    onSuccess: (result) => { setLastTest(result); toast(result.message, result.status === "delivered" ? undefined : "bad"); refresh(); },
    onError: (e) => toast(e instanceof Error ? e.message : String(e), "bad"),
  });
  const retry = useMutation({
    mutationFn: (d: Delivery) => data<Delivery>(api.POST("/api/notifications/deliveries/{delivery_id}/retry", { params: { path: loose({ delivery_id: d.id }) } })),
    onSuccess: () => { toast("Delivery queued again"); refresh(); },
    onError: (e) => toast(e instanceof Error ? e.message : String(e), "bad"),
  });
  if ([channels.error, rules.error, deliveries.error].some(isUnauthorized)) return <SignInRequired what="notifications" />;
  const channelName = (id: number | null) => channels.data?.channels.find((c) => c.id === id)?.name ?? (id === null ? "—" : `#${id}`);
  return (
    <div data-testid="page-notifications" className="stack">
      <div className="page-head"><div className="titles">
        <h1>Notifications</h1>
        <p>Rules say what to tell whom when a condition starts; channels are where messages go (e-mail, signed webhooks, Teams, Slack); the log shows every delivery with its attempts.</p>
      </div></div>
      <div className="grid" style={{ gridTemplateColumns: "minmax(0, 1fr) minmax(300px, 380px)" }}>
        <Card title="Channels" flush sub={channels.data ? `${channels.data.total}` : undefined}>
          {channels.isError ? <div className="card-body"><QueryError error={channels.error} what="the channels" /></div> : !channels.data ? <Loading /> : channels.data.channels.length === 0 ? <Empty title="No channels yet">Create one on the right, then send it a test.</Empty> : (
            <div className="table-wrap"><table className="data" data-testid="channel-table">
              <thead><tr><th>Name</th><th>Kind</th><th>Target</th><th>State</th><th /></tr></thead>
              <tbody>{channels.data.channels.map((c) => (
                <tr key={c.id} data-testid="channel-row" data-id={c.id}>
                  <td>{c.name}</td><td>{titleCase(c.kind)}{c.kind === "webhook" && <span className="small muted">{c.signed ? " · signed" : " · unsigned"}</span>}</td>
                  <td className="small">{c.kind === "email" ? c.recipients.join(", ") : (c.url ?? c.url_env)}</td>
                  <td>{c.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="bad" title={c.disabled_reason ?? undefined}>Disabled</Badge>}</td>
                  <td className="right"><button className="btn btn-sm" disabled={test.isPending} onClick={() => test.mutate(c)} data-testid="channel-test">{test.isPending && test.variables?.id === c.id && <span className="spinner" aria-hidden="true" />}Send test</button></td>
                </tr>
              ))}</tbody>
            </table></div>
          )}
          {lastTest && <div className="card-body"><Banner tone={lastTest.status === "delivered" ? "ok" : "bad"} title={lastTest.status === "delivered" ? "Test delivered" : "Test failed"} testid="channel-test-result">{lastTest.message}</Banner></div>}
        </Card>
        <Card title="Add a channel">
          <form className="stack" style={{ gap: 12 }} onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
            <Field label="Name" htmlFor="channel-name"><input id="channel-name" type="text" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} data-testid="channel-name" /></Field>
            <Field label="Kind" htmlFor="channel-kind">
              <select id="channel-kind" value={kind} onChange={(e) => setKind(e.target.value as Channel["kind"])} data-testid="channel-kind">
                <option value="webhook">Webhook (Standard Webhooks signature)</option>
                <option value="email">E-mail</option>
                <option value="teams">Microsoft Teams (Workflows URL)</option>
                <option value="slack">Slack (incoming webhook)</option>
              </select>
            </Field>
            <Field label={kind === "email" ? "Recipients" : "URL"} htmlFor="channel-target" hint={kind === "email" ? "Comma-separated addresses" : "Signing secrets are set through the API (secret_env)"}>
              <input id="channel-target" type="text" required maxLength={2000} value={target} onChange={(e) => setTarget(e.target.value)} data-testid="channel-target" />
            </Field>
            <div><button className="btn btn-primary" type="submit" disabled={create.isPending || !name.trim() || !target.trim()} data-testid="channel-create">{create.isPending && <span className="spinner" aria-hidden="true" />}Create channel</button></div>
            {create.isError && <Banner tone="bad" title="Not created">{create.error instanceof Error ? create.error.message : String(create.error)}</Banner>}
          </form>
        </Card>
      </div>
      <Card title="Rules" flush sub={rules.data ? `${rules.data.total}` : undefined}>
        {rules.isError ? <div className="card-body"><QueryError error={rules.error} what="the rules" /></div> : !rules.data ? <Loading /> : rules.data.rules.length === 0 ? <Empty title="No rules yet">Rules are created through the API (POST /api/notifications/rules).</Empty> : (
          <div className="table-wrap"><table className="data" data-testid="rule-table">
            <thead><tr><th>Name</th><th>Condition</th><th>Min. severity</th><th>Mode</th><th>Channels</th><th>State</th></tr></thead>
            <tbody>{rules.data.rules.map((r) => (
              <tr key={r.id} data-testid="rule-row" data-id={r.id}>
                <td>{r.name}</td><td>{titleCase(r.condition.replace(/_/g, " "))}</td><td>{titleCase(r.severity_min)}</td>
                <td>{r.delivery_mode === "digest" ? `${titleCase(r.digest_frequency)} digest (${r.held_for_digest} waiting)` : "Immediate"}{r.quiet_start && <div className="small muted">quiet {r.quiet_start.slice(0, 5)}–{r.quiet_end?.slice(0, 5)}{r.held_for_quiet_hours ? ` · ${r.held_for_quiet_hours} held` : ""}</div>}</td>
                <td className="small">{r.channel_ids.map(channelName).join(", ")}</td>
                <td>{!r.enabled ? <Badge>Off</Badge> : r.snoozed_until && new Date(r.snoozed_until) > new Date() ? <Badge tone="warn" title={r.snooze_reason ?? undefined}>Snoozed until {fmtDateTime(r.snoozed_until)}</Badge> : <Badge tone="ok">On</Badge>}</td>
              </tr>
            ))}</tbody>
          </table></div>
        )}
      </Card>
      <Card title="Delivery log" flush sub={deliveries.data ? `${deliveries.data.total}` : undefined}>
        {deliveries.isError ? <div className="card-body"><QueryError error={deliveries.error} what="the delivery log" /></div> : !deliveries.data ? <Loading /> : deliveries.data.items.length === 0 ? <Empty title="Nothing sent yet" /> : (
          <div className="table-wrap"><table className="data" data-testid="delivery-table">
            <thead><tr><th>When</th><th>Kind</th><th>Subject</th><th>Channel</th><th>Status</th><th>Attempts</th><th>Last error</th><th /></tr></thead>
            <tbody>{deliveries.data.items.map((d) => (
              <tr key={d.id} data-testid="delivery-row" data-id={d.id} data-status={d.status}>
                <td className="small" title={fmtDateTime(d.created_at)}>{relTime(d.created_at)}</td>
                <td>{titleCase(d.kind)}</td><td className="small">{d.subject}</td><td className="small">{channelName(d.channel_id)}</td>
                <td><Badge tone={STATUS_TONE[d.status]} testid="delivery-status">{titleCase(d.status)}</Badge></td>
                <td>{d.attempts}</td>
                <td className="small">{d.last_error}{d.last_status_code ? ` (HTTP ${d.last_status_code})` : ""}</td>
                <td className="right">{(d.status === "failed" || d.status === "dead") && <button className="btn btn-sm btn-ghost" disabled={retry.isPending} onClick={() => retry.mutate(d)} data-testid="delivery-retry">Retry</button>}</td>
              </tr>
            ))}</tbody>
          </table></div>
        )}
      </Card>
    </div>
  );
}
