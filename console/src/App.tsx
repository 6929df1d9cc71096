import { Suspense, useEffect, useRef, useState, type FormEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./api/client";
import { clearOutage, useOutage, useUnauthorizedCount } from "./api/errors";
import { signIn, signOut, takeReturn, useAuth } from "./auth";
import { IconLogo, IconLogout, IconMoon, IconSearch, IconSun, IconUser } from "./components/icons";
import { Dialog, Loading, Menu, Toasts } from "./components/ui";
import { Link, navigate, useLocation, useParam } from "./lib/router";
import { effectiveTheme, setTheme, useTheme } from "./lib/theme";
import { ROUTES, matchRoute } from "./routes";
import type { StatusResponse } from "./api/types";
import { useOrganizations } from "./lib/orgs";

export function App() {
  const location = useLocation();
  const auth = useAuth();
  const wasSignedIn = useRef(false);
  if (auth.data?.authenticated) wasSignedIn.current = true;

  // Back to the page a sign-in started from (the gateway lands the browser on the console's root).
  useEffect(() => {
    if (!auth.data?.authenticated) return;
    const target = takeReturn();
    if (target && target !== location.href) navigate(target, { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [auth.data?.authenticated]);

  useEffect(() => {
    if (location.path === "/" || location.path === "") navigate("/overview" + (location.search.toString() ? `?${location.search}` : ""), { replace: true });
  }, [location.path, location.search]);

  const match = matchRoute(location.path);
  useEffect(() => {
    match?.route.prefetch?.(location.search);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [match?.route.path]);
  useEffect(() => {
    document.title = match ? `${match.route.title} · Inventory Hub` : "Inventory Hub";
  }, [match?.route.title]);

  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    // Move focus to the new page's content on navigation, for keyboard and screen-reader users.
    if (firstRender.current) { firstRender.current = false; return; }
    mainRef.current?.focus({ preventScroll: true });
  }, [location.path]);

  const Page = match?.route.component;
  return (
    <div className="shell">
      <a href="#main" className="skip-link">Skip to content</a>
      <Sidebar path={location.path} />
      <div className="main-col">
        <TopBar />
        <OutageBanner />
        <main id="main" ref={mainRef} tabIndex={-1} className="content">
          {Page ? (
            <Suspense fallback={<Loading what="Loading page" />}>
              <Page params={match!.params} />
            </Suspense>
          ) : location.path === "/" ? null : (
            <div data-testid="page-not-found"><h1>Page not found</h1><p className="muted">There is no page at {location.path}. <Link to="/overview">Go to the overview</Link>.</p></div>
          )}
        </main>
      </div>
      <SessionExpired signedIn={wasSignedIn.current} />
      <Toasts />
    </div>
  );
}

function Sidebar({ path }: { path: string }) {
  const status = useQuery({
    queryKey: ["status"],
    queryFn: () => unwrap<StatusResponse>(api.GET("/api/status")),
    refetchInterval: 30_000,
  });
  const sections: string[] = [];
  for (const r of ROUTES) if (r.nav && !sections.includes(r.nav.section)) sections.push(r.nav.section);
  const counts: Record<string, number | undefined> = { "/variance": status.data?.total_exceptions };
  return (
    <aside className="sidebar">
      <Link to="/overview" className="brand" aria-label="Inventory Hub — overview">
        <span className="brand-mark"><IconLogo size={18} /></span>
        <span>Inventory Hub<small>Operator console</small></span>
      </Link>
      <nav aria-label="Main" className="nav">
        {sections.map((section) => (
          <div key={section}>
            <div className="nav-section" aria-hidden="true">{section}</div>
            {ROUTES.filter((r) => r.nav?.section === section).map((r) => {
              const Icon = r.nav!.icon;
              const current = path === r.path || path.startsWith(r.path + "/");
              return (
                <Link key={r.path} to={r.path} aria-current={current ? "page" : undefined}>
                  <Icon size={16} />
                  <span>{r.nav!.label}</span>
                  {counts[r.path] !== undefined && <span className="count" aria-label={`${counts[r.path]} open exceptions`}>{counts[r.path]!.toLocaleString("en-US")}</span>}
                </Link>
              );
            })}
          </div>
        ))}
      </nav>
      <div className="sidebar-foot">
        <a href="/docs">API documentation</a>
      </div>
    </aside>
  );
}

function TopBar() {
  const location = useLocation();
  const [q, setQ] = useState(location.path === "/search" ? location.search.get("q") ?? "" : "");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (location.path === "/search") setQ(location.search.get("q") ?? "");
  }, [location.path, location.search]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName) && !t.isContentEditable) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const term = q.trim();
    if (term) navigate(`/search?q=${encodeURIComponent(term)}`);
  };
  return (
    <header className="topbar">
      <form className="search" role="search" onSubmit={submit}>
        <IconSearch size={15} />
        <label htmlFor="device-search" className="sr-only">Search devices</label>
        <input id="device-search" ref={input} type="search" placeholder="Search devices…" value={q}
          onChange={(e) => setQ(e.target.value)} data-testid="device-search" autoComplete="off" />
        {!q && <kbd aria-hidden="true">/</kbd>}
      </form>
      <OrgSelector />
      <span className="spacer" />
      <ThemeToggle />
      <UserMenu />
    </header>
  );
}

function OrgSelector() {
  const [org, setOrg] = useParam("org");
  const orgs = useOrganizations();
  const names = orgs.data ?? [];
  const options = org && !names.includes(org) ? [org, ...names] : names;
  return (
    <div className="row" style={{ gap: 6 }}>
      <label htmlFor="org-filter" className="small muted">Organisation</label>
      <select id="org-filter" value={org} onChange={(e) => setOrg(e.target.value || null)} data-testid="org-filter" style={{ maxWidth: 240 }}>
        <option value="">All organisations</option>
        {options.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </div>
  );
}

function ThemeToggle() {
  const theme = useTheme();
  const dark = effectiveTheme(theme) === "dark";
  return (
    <button type="button" className="btn btn-ghost btn-icon" data-testid="theme-toggle" aria-label={dark ? "Switch to light theme" : "Switch to dark theme"}
      title={dark ? "Light theme" : "Dark theme"} onClick={() => setTheme(dark ? "light" : "dark")}>
      {dark ? <IconSun /> : <IconMoon />}
    </button>
  );
}

function UserMenu() {
  const auth = useAuth();
  if (auth.isPending) return <span className="spinner" aria-label="Checking sign-in" role="status" />;
  if (!auth.data?.authenticated) {
    return <button type="button" className="btn btn-primary btn-sm" onClick={signIn} data-testid="sign-in">Sign in</button>;
  }
  const who = auth.data.name || auth.data.email || "Signed in";
  return (
    <Menu label={`Signed in as ${who}`} testid="user-menu" className="btn btn-ghost btn-sm" button={<><IconUser size={15} /><span data-testid="user-name">{who}</span></>}>
      {() => (
        <>
          <div className="menu-head">Signed in as<br /><strong data-testid="user-email">{auth.data.email ?? who}</strong>
            {auth.data.expiresAt && <><br />Session until {new Date(auth.data.expiresAt).toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit" })}</>}
          </div>
          <hr />
          <button type="button" onClick={() => void signOut()} data-testid="sign-out"><IconLogout size={15} /> Sign out</button>
        </>
      )}
    </Menu>
  );
}

function OutageBanner() {
  const outage = useOutage();
  const client = useQueryClient();
  if (!outage) return null;
  return (
    <div className="banner bad outage" role="alert" data-testid="api-error-banner">
      <div className="b-text"><strong>{outage.text}</strong>
        <span className="small muted">The page shows the last data it received. {new Date(outage.at).toLocaleTimeString()}</span></div>
      <button type="button" className="btn btn-sm" data-testid="api-error-retry" onClick={() => { clearOutage(); void client.refetchQueries({ type: "active" }); }}>Retry</button>
    </div>
  );
}

function SessionExpired({ signedIn }: { signedIn: boolean }) {
  const count = useUnauthorizedCount();
  const [seen, setSeen] = useState(0);
  const client = useQueryClient();
  const open = signedIn && count > seen;
  useEffect(() => {
    if (count > seen && signedIn) void client.invalidateQueries({ queryKey: ["auth"] });
  }, [count, seen, signedIn, client]);
  return (
    <Dialog open={open} onClose={() => setSeen(count)} title="Your session has expired" testid="session-expired"
      footer={<>
        <button className="btn" onClick={() => setSeen(count)}>Not now</button>
        <button className="btn btn-primary" onClick={signIn} data-testid="session-expired-sign-in">Sign in again</button>
      </>}>
      <p>Sign in again to continue. You will come back to this page{typeof window !== "undefined" ? ` (${window.location.pathname})` : ""}.</p>
    </Dialog>
  );
}

