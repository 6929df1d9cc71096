// Who is signed in, signing in (and coming back to the same page) and signing out.
import { useQuery } from "@tanstack/react-query";
import { api } from "./api/client";

export interface AuthState {
  authenticated: boolean;
  email: string | null;
  name: string | null;
  method: string | null;
  expiresAt: string | null;
}

const RETURN_KEY = "hub.returnTo";
const RETURN_MAX_AGE_MS = 15 * 60_000; // a sign-in takes at most LOGIN_STATE_MINUTES (10) on the gateway

export function parseAuthStatus(body: unknown): AuthState {
  const b = (body ?? {}) as Record<string, unknown>;
  const user = (b.user ?? {}) as Record<string, unknown>;
  const authenticated = b.authenticated === true;
  return {
    authenticated,
    email: authenticated ? ((b.user_email as string) ?? (user.email as string) ?? null) : null,
    name: authenticated ? ((b.user_name as string) ?? (user.name as string) ?? null) : null,
    method: authenticated ? ((b.auth_method as string) ?? null) : null,
    expiresAt: authenticated ? ((b.expires_at as string) ?? null) : null,
  };
}

export async function fetchAuth(): Promise<AuthState> {
  const { data, error } = await api.GET("/api/auth/status");
  return parseAuthStatus(data ?? error);
}

export function useAuth() {
  return useQuery({ queryKey: ["auth"], queryFn: fetchAuth, staleTime: 60_000, refetchInterval: 5 * 60_000, retry: 1 });
}

export function rememberReturn(target: string): void {
  try {
    sessionStorage.setItem(RETURN_KEY, JSON.stringify({ target, at: Date.now() }));
  } catch {
    /* private mode: the person lands on the overview instead */
  }
}

/** The page a sign-in started from, once (cleared on read); only same-origin paths. */
export function takeReturn(now = Date.now()): string | null {
  let raw: string | null = null;
  try {
    raw = sessionStorage.getItem(RETURN_KEY);
    sessionStorage.removeItem(RETURN_KEY);
  } catch {
    return null;
  }
  return parseReturn(raw, now);
}

export function parseReturn(raw: string | null, now: number): string | null {
  if (!raw) return null;
  try {
    const { target, at } = JSON.parse(raw) as { target: unknown; at: unknown };
    if (typeof target !== "string" || typeof at !== "number" || now - at > RETURN_MAX_AGE_MS) return null;
    return safeLocalPath(target);
  } catch {
    return null;
  }
}

export function safeLocalPath(target: string): string | null {
  if (!target.startsWith("/") || target.startsWith("//") || target.includes("\\") || target.startsWith("/api/")) return null;
  return target;
}

export function loginUrl(here: string): string {
  const target = safeLocalPath(here);
  return target ? `/api/auth/microsoft/login?return_to=${encodeURIComponent(target)}` : "/api/auth/microsoft/login";
}

/** Sign in and come back here: the gateway redirects to `return_to`; sessionStorage is the fallback. */
export function signIn(): void {
  const here = window.location.pathname + window.location.search;
  rememberReturn(here);
  window.location.assign(loginUrl(here));
}

export async function signOut(): Promise<void> {
  let target = "/";
  try {
    const response = await fetch("/api/auth/logout", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const body = (await response.json()) as { logout_url?: string };
    if (body.logout_url) target = body.logout_url;
  } catch {
    /* the cookie may still be gone; go home either way */
  }
  window.location.assign(target);
}
