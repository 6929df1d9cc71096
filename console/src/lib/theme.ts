// Light, dark, or the system's choice; a class on <html> set from script (no inline script in index.html).
import { useSyncExternalStore } from "react";
import { load, save } from "./storage";

export type Theme = "system" | "light" | "dark";
const KEY = "hub.theme";
const listeners = new Set<() => void>();
let current: Theme = typeof window === "undefined" ? "system" : load<Theme>(KEY, "system");

export function applyTheme(theme: Theme = current): void {
  const root = document.documentElement;
  root.classList.toggle("theme-dark", theme === "dark");
  root.classList.toggle("theme-light", theme === "light");
}

export function effectiveTheme(theme: Theme = current): "light" | "dark" {
  if (theme !== "system") return theme;
  return typeof window !== "undefined" && window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function setTheme(theme: Theme): void {
  current = theme;
  save(KEY, theme);
  applyTheme(theme);
  listeners.forEach((l) => l());
}

export function useTheme(): Theme {
  return useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, () => current, () => current);
}
