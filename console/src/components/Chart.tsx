// Time-series charts with uPlot (≈50 KB, canvas, fast with thousands of points). Colours come from the
// theme's CSS custom properties, so charts follow light/dark.
import { useEffect, useRef } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import "uplot/dist/uPlot.min.css";
import { useTheme } from "../lib/theme";

export interface Series { label: string; color: string; values: (number | null)[]; dash?: boolean }

function cssVar(value: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(value.trim());
  if (!m) return value;
  return getComputedStyle(document.documentElement).getPropertyValue(m[1]).trim() || "#888";
}

export function LineChart({ dates, series, height = 260, label, testid, stacked }: {
  dates: string[]; series: Series[]; height?: number; label: string; testid?: string; stacked?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const xs = dates.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
    const grid = cssVar("var(--border)");
    const text = cssVar("var(--text-3)");
    const data: AlignedData = [xs, ...series.map((s) => s.values)];
    const opts: Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: true, live: false },
      cursor: { points: { size: 7 } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max * 1.1)] } },
      axes: [
        {
          stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, font: "12px system-ui",
          // One tick per day (the points are daily), labelled "Nov 24".
          splits: xs.length <= 16 ? () => xs : undefined,
          values: (_u, splits) => splits.map((v) => new Date(v * 1000).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" })),
        },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, font: "12px system-ui", size: 50 },
      ],
      series: [
        { label: "Date", value: (_u, v) => (v == null ? "" : new Date(v * 1000).toLocaleDateString("en-US", { month: "short", day: "numeric" })) },
        ...series.map((s) => ({
          label: s.label,
          stroke: cssVar(s.color),
          width: 2,
          dash: s.dash ? [5, 4] : undefined,
          fill: stacked ? cssVar(s.color) + "22" : undefined,
          points: { show: dates.length < 40, size: 5 },
          spanGaps: true,
        })),
      ],
    };
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => { ro.disconnect(); plot.destroy(); };
  }, [dates, series, height, theme, stacked]);
  return <div ref={ref} className="chart" role="img" aria-label={label} data-testid={testid} />;
}
