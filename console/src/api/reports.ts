// The variance report query, shared by the pages and by the route table (which starts fetching it while
// the page's code is still loading).
import { api, loose, unwrap } from "./client";
import type { VarianceReport } from "./types";

export function varianceReportQuery(includeResolved: boolean, date?: string) {
  return {
    queryKey: ["variance-report", date ?? "latest", includeResolved] as const,
    queryFn: () => date
      ? unwrap<VarianceReport>(api.GET("/api/variance-report/{report_date}", { params: { path: { report_date: date }, query: loose({ include_resolved: includeResolved }) } }))
      : unwrap<VarianceReport>(api.GET("/api/variance-report/latest", { params: { query: loose({ include_resolved: includeResolved }) } })),
    staleTime: 10_000,
  };
}
