// The console's pages. To add one: a component in src/pages/, one entry here (see
// /work/notes/console-contract.md, "Adding a page"). Pages load on first visit (code splitting).
import { lazy, type ComponentType, type LazyExoticComponent } from "react";
import { queryClient } from "./api/query";
import { varianceReportQuery } from "./api/reports";
import {
  IconBell, IconChart, IconDownload, IconHistory, IconOverview, IconRefresh, IconSearch, IconShield, IconUsage, IconVariance, IconWindows,
} from "./components/icons";

export interface RouteDef {
  path: string; // "/tenantsweep/audits/:id"
  title: string;
  nav?: { label: string; section: string; icon: ComponentType<{ size?: number }> };
  component: LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
  /** Data to start fetching at navigation, in parallel with loading the page's code. */
  prefetch?: (search: URLSearchParams) => void;
}

export const ROUTES: RouteDef[] = [
  { path: "/overview", title: "Overview", nav: { label: "Overview", section: "Operate", icon: IconOverview }, component: lazy(() => import("./pages/Overview")) },
  { path: "/collections", title: "Collections", nav: { label: "Collections", section: "Operate", icon: IconRefresh }, component: lazy(() => import("./pages/Collections")) },
  { path: "/notifications", title: "Notifications", nav: { label: "Notifications", section: "Operate", icon: IconBell }, component: lazy(() => import("./pages/Notifications")) },
  { path: "/variance", title: "Variance report", nav: { label: "Variance", section: "Reconcile", icon: IconVariance }, component: lazy(() => import("./pages/Variance")),
    prefetch: (search) => void queryClient.prefetchQuery(varianceReportQuery((search.get("status") ?? "open") !== "open")) },
  { path: "/variance/aliases", title: "Organisation aliases", component: lazy(() => import("./pages/Aliases")) },
  { path: "/history", title: "History and trends", nav: { label: "History", section: "Reconcile", icon: IconHistory }, component: lazy(() => import("./pages/History")) },
  { path: "/exports", title: "Exports", nav: { label: "Exports", section: "Reconcile", icon: IconDownload }, component: lazy(() => import("./pages/Exports")) },
  { path: "/usage-changes", title: "Ninja usage changes", nav: { label: "Usage changes", section: "Reconcile", icon: IconUsage }, component: lazy(() => import("./pages/UsageChanges")) },
  { path: "/windows11", title: "Windows 11 24H2", nav: { label: "Windows 11", section: "Assess", icon: IconWindows }, component: lazy(() => import("./pages/Windows11")) },
  { path: "/qbr", title: "QBR", nav: { label: "QBR", section: "Review", icon: IconChart }, component: lazy(() => import("./pages/Qbr")) },
  { path: "/tenantsweep", title: "TenantSweep", nav: { label: "TenantSweep", section: "Review", icon: IconShield }, component: lazy(() => import("./pages/TenantSweep")) },
  { path: "/tenantsweep/audits/:id", title: "TenantSweep audit", component: lazy(() => import("./pages/TenantSweepAudit")) },
  { path: "/tenantsweep/compare", title: "TenantSweep compare", component: lazy(() => import("./pages/TenantSweepCompare")) },
  { path: "/search", title: "Device search", nav: { label: "Device search", section: "Find", icon: IconSearch }, component: lazy(() => import("./pages/Search")) },
];

export function matchRoute(path: string): { route: RouteDef; params: Record<string, string> } | null {
  const clean = path.replace(/\/+$/, "") || "/";
  for (const route of ROUTES) {
    const want = route.path.split("/");
    const got = clean.split("/");
    if (want.length !== got.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      if (want[i].startsWith(":")) {
        try {
          params[want[i].slice(1)] = decodeURIComponent(got[i]);
        } catch {
          ok = false;
        }
      } else if (want[i] !== got[i]) ok = false;
      if (!ok) break;
    }
    if (ok) return { route, params };
  }
  return null;
}
