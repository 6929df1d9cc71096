import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, loose, unwrap } from "../api/client";
import type { AvailableDatesResponse } from "../api/types";
import { LineChart } from "../components/Chart";
import { Badge, Card, Empty, Field, Loading, QueryError } from "../components/ui";
import { fmtDate, fmtInt } from "../lib/format";
import { Link, useParam } from "../lib/router";
import { countsByOrganization, flattenReport, statusTone, TYPE_BY_CODE, VARIANCE_TYPES } from "../lib/variance";
import { ExportButtons, useVarianceReport } from "./Variance";

interface TrendsResponse {
  trends_by_type: Record<string, { date: string; total: number; unresolved: number; resolved: number }[]>;
  trends_by_date: Record<string, Record<string, { total: number; unresolved: number; resolved: number }>>;
}

export default function HistoryPage() {
  const dates = useQuery({ queryKey: ["variance-dates"], queryFn: () => unwrap<AvailableDatesResponse>(api.GET("/api/variances/available-dates")) });
  const list = useMemo(() => [...(dates.data?.available_dates ?? [])].sort((a, b) => b.date.localeCompare(a.date)), [dates.data]);
  const [dateParam, setDate] = useParam("date");
  const date = dateParam || list[0]?.date || "";
  const earliest = list[list.length - 1]?.date ?? "";
  const latest = list[0]?.date ?? "";
  const [startParam, setStart] = useParam("from");
  const [endParam, setEnd] = useParam("to");
  const [metric, setMetric] = useParam("metric", "total");
  const start = startParam || earliest;
  const end = endParam || latest;
  const [type, setType] = useParam("type");

  const trends = useQuery({
    queryKey: ["variance-trends", start, end],
    enabled: !!start && !!end,
    queryFn: () => unwrap<TrendsResponse>(api.GET("/api/variances/trends", { params: { query: loose({ start_date: start, end_date: end }) } })),
  });
  const chart = useMemo(() => {
    const byType = trends.data?.trends_by_type ?? {};
    const allDates = [...new Set(Object.values(byType).flat().map((p) => p.date))].sort();
    const types = VARIANCE_TYPES.filter((t) => !type || t.key === type);
    const key = metric as "total" | "unresolved" | "resolved";
    return {
      dates: allDates,
      series: types.map((t) => {
        const points = new Map((byType[t.code] ?? []).map((p) => [p.date, p[key] ?? p.total]));
        return { label: t.label, color: t.color, values: allDates.map((d) => points.get(d) ?? null) };
      }),
    };
  }, [trends.data, type, metric]);

  const report = useVarianceReport(true, date || undefined);
  const rows = useMemo(() => flattenReport(report.data), [report.data]);
  const byOrg = useMemo(() => countsByOrganization(rows).slice(0, 12), [rows]);
  const chosen = list.find((d) => d.date === date);

  return (
    <div data-testid="page-history" className="stack">
      <div className="page-head">
        <div className="titles"><h1>History and trends</h1><p>How the exceptions developed, and the report of any day with data from both vendors.</p></div>
      </div>
      {dates.isError && <QueryError error={dates.error} retry={() => dates.refetch()} what="the available dates" />}

      <Card title="Trends by type" actions={
        <div className="row">
          <Field label="From" htmlFor="trend-range-start">
            <select id="trend-range-start" value={start} onChange={(e) => setStart(e.target.value)} data-testid="trend-range-start">
              {[...list].reverse().map((d) => <option key={d.date} value={d.date} disabled={!!end && d.date > end}>{fmtDate(d.date)}</option>)}
            </select>
          </Field>
          <Field label="To" htmlFor="trend-range-end">
            <select id="trend-range-end" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="trend-range-end">
              {list.map((d) => <option key={d.date} value={d.date} disabled={!!start && d.date < start}>{fmtDate(d.date)}</option>)}
            </select>
          </Field>
          <Field label="Type" htmlFor="trend-type">
            <select id="trend-type" value={type} onChange={(e) => setType(e.target.value || null)}>
              <option value="">All types</option>
              {VARIANCE_TYPES.map((t) => <option key={t.key} value={t.key}>{t.label}</option>)}
            </select>
          </Field>
          <Field label="Count" htmlFor="trend-metric">
            <select id="trend-metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
              <option value="total">All exceptions</option><option value="unresolved">Open</option><option value="resolved">Resolved</option>
            </select>
          </Field>
        </div>
      }>
        {trends.isError ? <QueryError error={trends.error} what="the trends" /> : !trends.data ? <Loading /> : chart.dates.length === 0 ? <Empty title="No data in this range" /> : (
          <LineChart dates={chart.dates} series={chart.series} label={`Exceptions per type from ${start} to ${end}`} testid="trend-chart" />
        )}
      </Card>

      <Card title="Report of a past day" testid="history-report" actions={
        <div className="row">
          <Field label="Date" htmlFor="history-date">
            <select id="history-date" value={date} onChange={(e) => setDate(e.target.value)} data-testid="history-date">
              {list.map((d) => <option key={d.date} value={d.date} disabled={!d.report_available}>{fmtDate(d.date)}{d.report_available ? "" : " (no report)"}</option>)}
            </select>
          </Field>
          {date && <ExportButtons type={type} date={date} includeResolved />}
        </div>
      }>
        {!list.length ? (dates.isPending ? <Loading /> : <Empty title="No day has data from both vendors yet" />) : (
          <div className="stack">
            {chosen && (
              <div className="grid grid-4">
                <div><h3>Ninja devices</h3><div className="stat" style={{ padding: 0 }}><span className="value">{fmtInt(chosen.ninja_devices)}</span></div></div>
                <div><h3>ThreatLocker devices</h3><div className="stat" style={{ padding: 0 }}><span className="value">{fmtInt(chosen.threatlocker_devices)}</span></div></div>
                <div><h3>Exceptions</h3><div className="stat" style={{ padding: 0 }}><span className="value">{fmtInt(chosen.total_exceptions)}</span><span className="sub">{fmtInt(chosen.unresolved_exceptions)} still open</span></div></div>
                <div><h3>Data quality</h3><div style={{ marginTop: 8 }}><Badge tone={statusTone(chosen.data_quality)}>{chosen.data_quality.replace(/_/g, " ")}</Badge></div></div>
              </div>
            )}
            {report.isError ? <QueryError error={report.error} what="that day's report" /> : !report.data ? <Loading /> : (
              <div className="grid grid-2">
                <div>
                  <h3 style={{ marginBottom: 8 }}>By type</h3>
                  <table className="data"><tbody>
                    {VARIANCE_TYPES.map((t) => <tr key={t.code}><td><i className="dot" style={{ background: t.color }} /> {t.label}</td><td className="num">{fmtInt(report.data!.exception_counts?.[t.code] ?? 0)}</td></tr>)}
                  </tbody></table>
                </div>
                <div>
                  <h3 style={{ marginBottom: 8 }}>Organisations with the most exceptions</h3>
                  <table className="data"><tbody>
                    {byOrg.map((o) => (
                      <tr key={o.organization}><td>{o.organization}</td>
                        <td className="small muted">{Object.entries(o.byType).map(([c, n]) => `${TYPE_BY_CODE.get(c)?.label ?? c} ${n}`).join(" · ")}</td>
                        <td className="num">{o.total}</td></tr>
                    ))}
                  </tbody></table>
                </div>
              </div>
            )}
            {date === latest && <p className="small muted">This is the current report; work it on the <Link to="/variance">variance page</Link>.</p>}
          </div>
        )}
      </Card>
    </div>
  );
}
