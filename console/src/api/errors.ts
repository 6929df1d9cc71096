// What went wrong with an API call, in words a person can act on, and the shared state behind the
// outage banner and the session-expired dialog.
import { useSyncExternalStore } from "react";

export class ApiError extends Error {
  readonly status: number; // 0 = network failure (no HTTP answer)
  readonly path: string;
  readonly body: unknown;
  readonly code: string | undefined;

  constructor(status: number, path: string, message: string, body: unknown = undefined, code?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.path = path;
    this.body = body;
    this.code = code;
  }

  get isOutage(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

/** The message inside any of the API's error envelopes. */
export function errorMessage(body: unknown, fallback: string): { message: string; code?: string } {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const err = b.error;
    if (err && typeof err === "object") {
      const e = err as Record<string, unknown>;
      return { message: String(e.message ?? e.code ?? fallback), code: typeof e.code === "string" ? e.code : undefined };
    }
    const parts = [b.message, b.details, b.detail].filter((v) => typeof v === "string" && v);
    if (typeof err === "string") {
      const more = parts.filter((p) => p !== err);
      return { message: more.length ? `${err}: ${more.join(" — ")}` : err, code: typeof b.code === "string" ? b.code : undefined };
    }
    if (parts.length) return { message: parts.join(" — ") };
  }
  if (typeof body === "string" && body.trim()) return { message: body.trim().slice(0, 300) };
  return { message: fallback };
}

const AREAS: [string, string][] = [
  ["/api/variance-report", "The variance service"],
  ["/api/variances", "The variance service"],
  ["/api/exceptions", "The variance service"],
  ["/api/devices", "The variance service"],
  ["/api/ninja", "The variance service"],
  ["/api/organization-aliases", "The variance service"],
  ["/api/windows-11-24h2", "The Windows 11 assessment service"],
  ["/api/qbr", "The QBR service"],
  ["/api/tenantsweep", "The TenantSweep service"],
  ["/api/notifications", "The notification service"],
  ["/api", "The gateway"],
];

export function serviceOf(path: string): string {
  for (const [prefix, name] of AREAS) if (path === prefix || path.startsWith(prefix + "/") || path.startsWith(prefix + "?")) return name;
  return "The server";
}

export function outageText(error: ApiError): string {
  if (error.status === 0) return "The server could not be reached. Check your connection; the console retries on its own.";
  const what = serviceOf(error.path);
  if (error.status === 502) return `${what} is unavailable (HTTP 502: the gateway got no answer from it).`;
  if (error.status === 503) return `${what} is unavailable (HTTP 503). ${error.message}`.trim();
  if (error.status === 504) return `${what} did not answer in time (HTTP 504).`;
  return `${what} failed (HTTP ${error.status}). ${error.message}`.trim();
}

// --- tiny external stores -------------------------------------------------------------------------

type Listener = () => void;

function store<T>(initial: T) {
  let value = initial;
  const listeners = new Set<Listener>();
  return {
    get: () => value,
    set(next: T) {
      if (Object.is(next, value)) return;
      value = next;
      for (const l of listeners) l();
    },
    subscribe(l: Listener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

export interface Outage {
  error: ApiError;
  text: string;
  at: number;
}

const outages = store<Outage | null>(null);

export function reportOutage(error: ApiError): void {
  outages.set({ error, text: outageText(error), at: Date.now() });
}

export function reportSuccess(path: string): void {
  const current = outages.get();
  if (!current) return;
  // One good answer from the same service (or any answer after a network failure) clears the banner.
  if (current.error.status === 0 || serviceOf(current.error.path) === serviceOf(path)) outages.set(null);
}

export function clearOutage(): void {
  outages.set(null);
}

export function useOutage(): Outage | null {
  return useSyncExternalStore(outages.subscribe, outages.get, outages.get);
}

const unauthorized = store<number>(0);

export function reportUnauthorized(): void {
  unauthorized.set(unauthorized.get() + 1);
}

export function useUnauthorizedCount(): number {
  return useSyncExternalStore(unauthorized.subscribe, unauthorized.get, unauthorized.get);
}
