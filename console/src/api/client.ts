// The typed API client: openapi-fetch over the paths generated from the gateway's merged OpenAPI
// (src/api/schema.d.ts, `npm run gen:api`). Same origin, session cookie. Every call goes through one
// middleware that adds conditional requests and reports outages and expired sessions.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import { ApiError, errorMessage, reportOutage, reportSuccess, reportUnauthorized } from "./errors";
import { EtagCache } from "./etag";

export const etags = new EtagCache();

/** Paths whose 401 is an answer, not a lapse (the sign-in state itself). */
const QUIET_401 = ["/api/auth/status"];

function pathOf(url: string): string {
  try {
    return new URL(url, "http://x").pathname;
  } catch {
    return url;
  }
}

const middleware: Middleware = {
  onRequest({ request }) {
    return etags.prepare(request);
  },
  async onResponse({ request, response }) {
    const path = pathOf(request.url);
    if (response.status >= 500) {
      let body: unknown;
      try {
        body = await response.clone().json();
      } catch {
        body = undefined;
      }
      reportOutage(new ApiError(response.status, path, errorMessage(body, response.statusText).message, body));
    } else {
      reportSuccess(path);
      if (response.status === 401 && !QUIET_401.includes(path)) reportUnauthorized();
    }
    return etags.settle(request, response);
  },
  onError({ request, error }) {
    const path = pathOf(request.url);
    if (request.signal?.aborted) return; // a cancelled query is no outage
    reportOutage(new ApiError(0, path, error instanceof Error ? error.message : String(error)));
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(middleware);

type Result = { data?: unknown; error?: unknown; response: Response };

/**
 * The body of a successful answer, typed by the caller, or an ApiError. The generated response types get
 * exact as the OpenAPI does (issue 12); until then pages name the shapes they read in `types.ts`.
 */
export async function unwrap<T>(call: Promise<Result>): Promise<T> {
  let result: Result;
  try {
    result = await call;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "", err instanceof Error ? err.message : String(err));
  }
  const { response } = result;
  if (!response.ok) {
    const body = result.error;
    const { message, code } = errorMessage(body, `HTTP ${response.status}`);
    throw new ApiError(response.status, pathOf(response.url || ""), message, body, code);
  }
  return result.data as T;
}

/** Unwrap the spec's `{success, data}` envelope when present (QBR, TenantSweep, Ninja usage). */
export function dataOf<T>(body: unknown): T {
  if (body && typeof body === "object" && "success" in body && "data" in body) return (body as { data: T }).data;
  return body as T;
}

/** A download (CSV, Excel, PDF) fetched with the session, saved under the server's file name. */
export async function download(url: string, fallbackName: string, signal?: AbortSignal): Promise<{ name: string; bytes: number }> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", signal });
  } catch (err) {
    const e = new ApiError(0, pathOf(url), err instanceof Error ? err.message : String(err));
    if (!signal?.aborted) reportOutage(e);
    throw e;
  }
  if (!response.ok) {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    const e = new ApiError(response.status, pathOf(url), errorMessage(body, `HTTP ${response.status}`).message, body);
    if (e.isOutage) reportOutage(e);
    if (response.status === 401) reportUnauthorized();
    throw e;
  }
  reportSuccess(pathOf(url));
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  saveBlob(blob, name);
  return { name, bytes: blob.size };
}

export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30_000);
}

/**
 * Query parameters passed without their generated types. Issue 12 is changing many parameters from
 * loose strings to exact types (integers, enums, dates); until that settles, pages pass query values
 * through here so a type change in the document does not break the build. Paths, path parameters and
 * request bodies stay fully typed.
 */
export function loose(query: Record<string, string | number | boolean | null | undefined>): never {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== "") out[k] = v;
  return out as never;
}
