// The organisation list behind the client selector: every Ninja organisation on the newest Ninja snapshot
// (the usage-change summary of that date against itself lists them all, with device counts).
import { useQuery } from "@tanstack/react-query";
import { api, dataOf, unwrap } from "../api/client";

interface NinjaDates { dates: string[] }
interface UsageSummary { by_organization: Record<string, { end_count: number }> }

export async function fetchOrganizations(): Promise<string[]> {
  const dates = dataOf<NinjaDates>(await unwrap(api.GET("/api/ninja/available-dates", { params: { query: { days: 65 } as never } })));
  const latest = dates.dates?.[dates.dates.length - 1];
  if (!latest) return [];
  const usage = dataOf<UsageSummary>(
    await unwrap(api.GET("/api/ninja/usage-changes", { params: { query: { start_date: latest, end_date: latest, detail_level: "summary" } as never } })),
  );
  return Object.keys(usage.by_organization ?? {}).sort((a, b) => a.localeCompare(b));
}

export function useOrganizations() {
  return useQuery({ queryKey: ["organizations"], queryFn: fetchOrganizations, staleTime: 10 * 60_000 });
}
