// The 18 SmartNumbers (qbr-api.md), their groups and how each is shown.
export type Fmt = "pct" | "num" | "money" | "hours";
export interface SmartNumberDef { key: string; label: string; group: string; fmt: Fmt; help: string }

export const SMARTNUMBERS: SmartNumberDef[] = [
  { key: "tickets_per_tech_per_month", label: "Tickets per tech per month", group: "Operations", fmt: "num", help: "Reactive tickets closed per technical employee per month" },
  { key: "total_close_pct", label: "Total close %", group: "Operations", fmt: "pct", help: "Tickets closed ÷ tickets created" },
  { key: "tickets_per_endpoint_per_month", label: "Tickets per endpoint per month", group: "Operations", fmt: "num", help: "New reactive tickets per managed endpoint per month" },
  { key: "rhem", label: "RHEM", group: "Operations", fmt: "num", help: "Reactive hours per endpoint per month" },
  { key: "avg_resolution_time", label: "Average resolution time", group: "Operations", fmt: "hours", help: "Reactive hours per closed ticket" },
  { key: "reactive_service_pct", label: "Reactive service %", group: "Operations", fmt: "pct", help: "Share of technicians' time spent on reactive work" },
  { key: "net_profit_pct", label: "Net profit %", group: "Profit", fmt: "pct", help: "Net profit ÷ total revenue" },
  { key: "revenue_from_services_pct", label: "Revenue from services %", group: "Revenue", fmt: "pct", help: "Services revenue (MRR + NRR + ORR) ÷ total revenue" },
  { key: "services_from_mrr_pct", label: "Services from MRR %", group: "Revenue", fmt: "pct", help: "MRR ÷ services revenue" },
  { key: "annual_service_rev_per_employee", label: "Annual service revenue per employee", group: "Leverage", fmt: "money", help: "Services revenue, annualised, per employee" },
  { key: "annual_service_rev_per_tech", label: "Annual service revenue per tech", group: "Leverage", fmt: "money", help: "Services revenue, annualised, per technical employee" },
  { key: "avg_aisp", label: "Average AISP", group: "Leverage", fmt: "money", help: "Average income per seat per month" },
  { key: "avg_mrr_per_agreement", label: "Average MRR per agreement", group: "Leverage", fmt: "money", help: "MRR per managed-services agreement per month" },
  { key: "new_mrr_added", label: "New MRR added", group: "Sales", fmt: "money", help: "MRR won in the quarter" },
  { key: "lost_mrr", label: "Lost MRR", group: "Sales", fmt: "money", help: "MRR lost to churn in the quarter" },
  { key: "net_mrr_gain", label: "Net MRR gain", group: "Sales", fmt: "money", help: "New MRR − lost MRR" },
  { key: "dials_per_appointment", label: "Dials per appointment", group: "Sales", fmt: "num", help: "Telemarketing dials per first-time appointment" },
  { key: "sales_call_close_pct", label: "Sales call close %", group: "Sales", fmt: "pct", help: "New agreements ÷ prospects presented" },
];

export const GROUPS = ["Operations", "Profit", "Revenue", "Leverage", "Sales"];

export function formatSmart(value: number | null | undefined, fmt: Fmt): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  switch (fmt) {
    case "pct": return `${(value * 100).toFixed(1)}%`;
    case "money": return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 }).format(value);
    case "hours": return `${value.toFixed(2)} h`;
    default: return new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }).format(value);
  }
}

export function band(status: unknown): "green" | "yellow" | "red" | "none" {
  return status === "green" || status === "yellow" || status === "red" ? status : "none";
}

export function currentQuarter(d = new Date()): string {
  return `${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`;
}

export function currentMonth(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

/** The last `n` quarters, newest first. */
export function recentQuarters(n: number, d = new Date()): string[] {
  const out: string[] = [];
  let y = d.getFullYear();
  let q = Math.floor(d.getMonth() / 3) + 1;
  for (let i = 0; i < n; i++) {
    out.push(`${y}-Q${q}`);
    q -= 1;
    if (q === 0) { q = 4; y -= 1; }
  }
  return out;
}

export function recentMonths(n: number, d = new Date()): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(currentMonth(new Date(d.getFullYear(), d.getMonth() - i, 1)));
  return out;
}
