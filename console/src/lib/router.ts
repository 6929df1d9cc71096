// A small history-API router: the console's few routes do not need a routing library, and the view state
// lives in the query string (organisation, filters, dates), so links can be shared and reloads keep it.
import { createElement, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

type Listener = () => void;
const listeners = new Set<Listener>();
const hasWindow = typeof window !== "undefined";

function notify(): void {
  for (const listener of listeners) listener();
}
if (hasWindow) window.addEventListener("popstate", notify);

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot(): string {
  return hasWindow ? window.location.pathname + window.location.search : "/";
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (!hasWindow) return;
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  notify();
  if (!options.replace) window.scrollTo?.(0, 0);
}

export interface Location {
  path: string;
  search: URLSearchParams;
  href: string;
}

export function parseLocation(href: string): Location {
  const q = href.indexOf("?");
  const path = q < 0 ? href : href.slice(0, q);
  return { path: path || "/", search: new URLSearchParams(q < 0 ? "" : href.slice(q + 1)), href };
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot, () => "/");
  return parseLocation(href);
}

/** The query string with `changes` applied (null or "" removes a key). */
export function withParams(search: URLSearchParams, changes: Record<string, string | number | null | undefined>): string {
  const next = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") next.delete(key);
    else next.set(key, String(value));
  }
  const text = next.toString();
  return text ? `?${text}` : "";
}

/** Read and write one query-string value; writes replace the history entry (filters are not pages). */
export function useParam(name: string, fallback = ""): [string, (value: string | null) => void] {
  const location = useLocation();
  const value = location.search.get(name) ?? fallback;
  const set = (next: string | null) => {
    const current = parseLocation(snapshot());
    navigate(current.path + withParams(current.search, { [name]: next === fallback ? null : next }), { replace: true });
  };
  return [value, set];
}

export function setParams(changes: Record<string, string | number | null | undefined>): void {
  const current = parseLocation(snapshot());
  navigate(current.path + withParams(current.search, changes), { replace: true });
}

/** Parameters that follow a person from page to page (the client selector). */
export const STICKY_PARAMS = ["org"];

export function stickyHref(to: string, search: URLSearchParams): string {
  const target = parseLocation(to);
  for (const key of STICKY_PARAMS) {
    const value = search.get(key);
    if (value && !target.search.has(key)) target.search.set(key, value);
  }
  const text = target.search.toString();
  return target.path + (text ? `?${text}` : "");
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; sticky?: boolean };

export function Link({ to, sticky = true, onClick, ...rest }: LinkProps) {
  const location = useLocation();
  const href = sticky ? stickyHref(to, location.search) : to;
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (rest.target && rest.target !== "_self") return;
    event.preventDefault();
    navigate(href);
  };
  return createElement("a", { ...rest, href, onClick: handle });
}
