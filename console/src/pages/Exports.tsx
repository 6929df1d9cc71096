import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import type { AvailableDatesResponse } from "../api/types";
import { Card, Field, QueryError } from "../components/ui";
import { fmtDate, fmtInt } from "../lib/format";
import { useParam } from "../lib/router";
import { VARIANCE_TYPES } from "../lib/variance";
import { ExportButtons } from "./Variance";

const FORMATS = [
  { name: "CSV", text: "Every exception as one row, with both vendors' hostnames and display names. Opens in any spreadsheet; best for filtering and scripts." },
  { name: "Excel", text: "A workbook with a summary sheet and one sheet per exception type, formatted for reading." },
  { name: "PDF", text: "A printable report with an executive summary and the exceptions by organisation, for sharing with a client or a manager." },
];

export default function ExportsPage() {
  const dates = useQuery({ queryKey: ["variance-dates"], queryFn: () => unwrap<AvailableDatesResponse>(api.GET("/api/variances/available-dates")) });
  const [type, setType] = useParam("type");
  const [date, setDate] = useParam("date", "latest");
  const [resolved, setResolved] = useParam("resolved", "false");
  const list = [...(dates.data?.available_dates ?? [])].filter((d) => d.report_available).sort((a, b) => b.date.localeCompare(a.date));
  return (
    <div data-testid="page-exports" className="stack">
      <div className="page-head"><div className="titles"><h1>Exports</h1><p>Download the variance report as CSV, Excel or PDF, for one exception type or all of them.</p></div></div>
      {dates.isError && <QueryError error={dates.error} what="the available dates" />}
      <Card title="What to export">
        <div className="toolbar" style={{ marginBottom: 16 }}>
          <Field label="Exception type" htmlFor="export-type">
            <select id="export-type" value={type} onChange={(e) => setType(e.target.value || null)} data-testid="export-type">
              <option value="">All types</option>
              {VARIANCE_TYPES.map((t) => <option key={t.key} value={t.key}>{t.label}</option>)}
            </select>
          </Field>
          <Field label="Report date" htmlFor="export-date">
            <select id="export-date" value={date} onChange={(e) => setDate(e.target.value)} data-testid="export-date">
              <option value="latest">Latest report</option>
              {list.map((d) => <option key={d.date} value={d.date}>{fmtDate(d.date)} — {fmtInt(d.total_exceptions)} exceptions</option>)}
            </select>
          </Field>
          <div className="field"><span>Resolved exceptions</span>
            <label className="check" style={{ height: 34 }}><input type="checkbox" checked={resolved === "true"} onChange={(e) => setResolved(e.target.checked ? "true" : "false")} data-testid="export-include-resolved" /> Include resolved and fixed</label>
          </div>
        </div>
        <ExportButtons type={type} date={date} includeResolved={resolved === "true"} />
      </Card>
      <div className="grid grid-3">
        {FORMATS.map((f) => <Card key={f.name} title={f.name}><p className="muted">{f.text}</p></Card>)}
      </div>
    </div>
  );
}
