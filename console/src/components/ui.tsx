import { useEffect, useId, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { ApiError } from "../api/errors";
import { isUnauthorized } from "../api/query";
import { signIn } from "../auth";
import { IconAlert, IconCheck, IconCopy, IconInfo, IconLock, IconX } from "./icons";

export function Card({ title, actions, children, flush, testid, className = "", sub }: {
  title?: ReactNode; actions?: ReactNode; children: ReactNode; flush?: boolean; testid?: string; className?: string; sub?: ReactNode;
}) {
  return (
    <section className={`card ${className}`} data-testid={testid} aria-label={typeof title === "string" ? title : undefined}>
      {(title || actions) && (
        <div className="card-head">
          <h2>{title}{sub && <span className="muted small"> · {sub}</span>}</h2>
          {actions}
        </div>
      )}
      <div className={`card-body${flush ? " flush" : ""}`}>{children}</div>
    </section>
  );
}

export function Stat({ label, value, sub, testid, tone, href, icon }: {
  label: ReactNode; value: ReactNode; sub?: ReactNode; testid?: string; tone?: "ok" | "warn" | "bad"; href?: string; icon?: ReactNode;
}) {
  const inner = (
    <>
      <span className="label">{icon}{label}</span>
      <span className="value" data-testid={testid}>{value}</span>
      {sub && <span className={`sub${tone ? ` tone-${tone}` : ""}`}>{sub}</span>}
    </>
  );
  return <div className="card">{href ? <a className="stat" href={href}>{inner}</a> : <div className="stat">{inner}</div>}</div>;
}

export function Badge({ tone, children, plain, testid, title }: { tone?: "ok" | "warn" | "bad" | "info" | "accent"; children: ReactNode; plain?: boolean; testid?: string; title?: string }) {
  return <span className={`badge${tone ? ` ${tone}` : ""}${plain ? " plain" : ""}`} data-testid={testid} title={title}>{children}</span>;
}

export function Spinner({ label = "Loading" }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return <div className="empty" aria-busy="true"><Spinner label={what} /> <span className="sr-only">{what}…</span></div>;
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return <div className="empty"><strong>{title}</strong>{children}</div>;
}

export function Banner({ tone = "info", title, children, actions, testid, role }: {
  tone?: "info" | "warn" | "bad" | "ok"; title?: ReactNode; children?: ReactNode; actions?: ReactNode; testid?: string; role?: string;
}) {
  const Icon = tone === "bad" || tone === "warn" ? IconAlert : tone === "ok" ? IconCheck : IconInfo;
  return (
    <div className={`banner ${tone}`} data-testid={testid} role={role ?? (tone === "bad" ? "alert" : "status")}>
      <Icon size={18} />
      <div className="b-text">{title && <strong>{title}</strong>}{children}</div>
      {actions}
    </div>
  );
}

/** What a failed query shows in place of its content: a sign-in prompt for 401, else the message. */
export function QueryError({ error, retry, what }: { error: unknown; retry?: () => void; what?: string }) {
  if (isUnauthorized(error)) return <SignInRequired />;
  const text = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError && error.status ? ` (HTTP ${error.status})` : "";
  return (
    <Banner tone={error instanceof ApiError && error.status === 404 ? "info" : "bad"} title={`Could not load ${what ?? "this"}${status}`}
      actions={retry && <button className="btn btn-sm" onClick={retry}>Retry</button>}>
      <span>{text}</span>
    </Banner>
  );
}

export function SignInRequired({ what = "this page" }: { what?: string }) {
  return (
    <div className="card" data-testid="signin-required">
      <div className="empty">
        <IconLock size={28} />
        <strong>Sign in to see {what}</strong>
        <p>QBR and TenantSweep data are available to signed-in staff only.</p>
        <p><button className="btn btn-primary" onClick={signIn} data-testid="signin-required-button">Sign in with Microsoft</button></p>
      </div>
    </div>
  );
}

export function ProgressBar({ value, label, tone, indeterminate, testid }: { value: number; label: string; tone?: "ok" | "bad"; indeterminate?: boolean; testid?: string }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className={`progress${tone ? ` ${tone}` : ""}${indeterminate ? " indeterminate" : ""}`} role="progressbar" aria-label={label}
      aria-valuemin={0} aria-valuemax={100} aria-valuenow={indeterminate ? undefined : v} data-testid={testid}>
      <div style={{ width: `${v}%` }} />
    </div>
  );
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

export function CopyButton({ text, label, testid }: { text: string; label: string; testid?: string }) {
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(false), 1500);
    return () => clearTimeout(t);
  }, [done]);
  if (!text) return null;
  return (
    <button type="button" className={`copy${done ? " done" : ""}`} aria-label={done ? `Copied ${text}` : label} title={done ? "Copied" : label}
      data-testid={testid} onClick={async (e) => { e.stopPropagation(); setDone(await copyText(text)); }}>
      {done ? <IconCheck size={14} /> : <IconCopy size={14} />}
    </button>
  );
}

/** A hostname meant for one vendor's API, with its copy button (spec: "Hostname Usage Guidelines"). */
export function Hostname({ value, vendor, testid }: { value: string | null | undefined; vendor: "Ninja" | "ThreatLocker"; testid?: string }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <span className="host">
      <code title={`${vendor} hostname — use this one for ${vendor} API calls`}>{value}</code>
      <CopyButton text={value} label={`Copy ${vendor} hostname ${value}`} testid={testid} />
    </span>
  );
}

export function Dialog({ open, onClose, title, children, footer, testid }: {
  open: boolean; onClose: () => void; title: string; children: ReactNode; footer?: ReactNode; testid?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby={id} data-testid={testid} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {open && (
        <>
          <div className="d-head"><h2 id={id}>{title}</h2><button className="btn btn-ghost btn-icon" aria-label="Close" onClick={onClose}><IconX /></button></div>
          <div className="d-body">{children}</div>
          {footer && <div className="d-foot">{footer}</div>}
        </>
      )}
    </dialog>
  );
}

export function Drawer({ title, sub, onClose, children, testid }: { title: ReactNode; sub?: ReactNode; onClose: () => void; children: ReactNode; testid?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape") onClose(); };
    window.addEventListener("keydown", onKey);
    return () => { window.removeEventListener("keydown", onKey); previous?.focus?.(); };
  }, [onClose]);
  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-label={typeof title === "string" ? title : "Details"} data-testid={testid} tabIndex={-1} ref={ref}>
      <div className="d-head"><div className="grow"><h2>{title}</h2>{sub && <div className="muted small">{sub}</div>}</div><button className="btn btn-ghost btn-icon" aria-label="Close details" onClick={onClose}><IconX /></button></div>
      <div className="d-body">{children}</div>
    </aside>
  );
}

/**
 * A dropdown menu: button + list, closes on Escape, outside click and choice. The list is rendered in a
 * portal with fixed positioning, so it is never clipped by a scrolling table or covered by the next row.
 */
export function Menu({ label, button, children, testid, className = "btn btn-sm", align = "right" }: {
  label: string; button: ReactNode; children: (close: () => void) => ReactNode; testid?: string; className?: string; align?: "left" | "right";
}) {
  const [open, setOpen] = useState(false);
  const [pos, setPos] = useState<{ top: number; left?: number; right?: number } | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const place = () => {
      const r = trigger.current?.getBoundingClientRect();
      if (!r) return;
      const below = window.innerHeight - r.bottom > 240 || r.top < 240;
      setPos(align === "left"
        ? { top: below ? r.bottom + 4 : Math.max(8, r.top - 4 - (list.current?.offsetHeight ?? 200)), left: r.left }
        : { top: below ? r.bottom + 4 : Math.max(8, r.top - 4 - (list.current?.offsetHeight ?? 200)), right: window.innerWidth - r.right });
    };
    place();
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!wrap.current?.contains(t) && !list.current?.contains(t)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape") { setOpen(false); trigger.current?.focus(); } };
    const onScroll = (e: Event) => { if (!list.current?.contains(e.target as Node)) setOpen(false); };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    window.addEventListener("scroll", onScroll, true);
    window.addEventListener("resize", place);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
      window.removeEventListener("scroll", onScroll, true);
      window.removeEventListener("resize", place);
    };
  }, [open, align]);
  useEffect(() => {
    if (open && pos) list.current?.querySelector<HTMLElement>("button, a, input")?.focus();
  }, [open, pos]);
  const close = () => setOpen(false);
  return (
    <div className="menu-wrap" ref={wrap}>
      <button type="button" ref={trigger} className={className} aria-haspopup="menu" aria-expanded={open} aria-label={label} title={label} data-testid={testid}
        onClick={(e) => { e.stopPropagation(); setOpen((o) => !o); }}>{button}</button>
      {open && createPortal(
        <div className="menu menu-fixed" role="menu" ref={list} aria-label={label} onClick={(e) => e.stopPropagation()}
          style={pos ? { top: pos.top, left: pos.left ?? "auto", right: pos.right ?? "auto" } : { visibility: "hidden" }}>
          {children(close)}
        </div>,
        document.body,
      )}
    </div>
  );
}

// ---- toasts ---------------------------------------------------------------------------------------

interface Toast { id: number; text: string; tone?: "bad" }
let toasts: Toast[] = [];
const toastListeners = new Set<() => void>();
let nextToast = 1;
export function toast(text: string, tone?: "bad"): void {
  const id = nextToast++;
  toasts = [...toasts, { id, text, tone }];
  toastListeners.forEach((l) => l());
  setTimeout(() => { toasts = toasts.filter((t) => t.id !== id); toastListeners.forEach((l) => l()); }, tone ? 7000 : 3500);
}
export function Toasts() {
  const list = useSyncExternalStore((l) => { toastListeners.add(l); return () => toastListeners.delete(l); }, () => toasts, () => toasts);
  return <div className="toast-area" aria-live="polite">{list.map((t) => <div key={t.id} className={`toast${t.tone ? ` ${t.tone}` : ""}`} role={t.tone ? "alert" : "status"}>{t.text}</div>)}</div>;
}

export function Field({ label, children, hint, htmlFor }: { label: string; children: ReactNode; hint?: ReactNode; htmlFor?: string }) {
  return <div className="field"><label htmlFor={htmlFor}>{label}</label>{children}{hint && <span className="hint">{hint}</span>}</div>;
}
