// The organisation list behind the client selector: the clients counted from the newest Ninja snapshot
// (QBR devices-by-client, public), plus organisations that appear in the variance report.
import { useQuery } from "@tanstack/react-query";
import { api, dataOf, loose, unwrap } from "../api/client";

interface NinjaDates { dates: string[] }
interface DevicesByClient { clients: { client_name: string }[] }

export async function fetchOrganizations(): Promise<string[]> {
  const dates = dataOf<NinjaDates>(await unwrap(api.GET("/api/ninja/available-dates", { params: { query: loose({ days: 65 }) } })));
  const latest = dates.dates?.[dates.dates.length - 1];
  if (!latest) return [];
  const body = dataOf<DevicesByClient>(await unwrap(api.GET("/api/qbr/metrics/devices-by-client", { params: { query: loose({ period: latest.slice(0, 7) }) } })));
  const names = new Set((body.clients ?? []).map((c) => c.client_name));
  return [...names].sort((a, b) => a.localeCompare(b));
}

export function useOrganizations() {
  return useQuery({ queryKey: ["organizations"], queryFn: fetchOrganizations, staleTime: 10 * 60_000, retry: false });
}
