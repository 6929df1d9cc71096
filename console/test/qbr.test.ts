import { describe, expect, it } from "vitest";
import { band, formatSmart, recentMonths, recentQuarters, SMARTNUMBERS, GROUPS } from "../src/lib/qbr";
import { VARIANCE_TYPES, TYPE_BY_CODE, TYPE_BY_KEY, typeLabel } from "../src/lib/variance";

describe("QBR helpers", () => {
  it("lists the spec's 18 SmartNumbers in its five groups", () => {
    expect(SMARTNUMBERS).toHaveLength(18);
    expect(new Set(SMARTNUMBERS.map((s) => s.key)).size).toBe(18);
    expect(GROUPS.map((g) => SMARTNUMBERS.filter((s) => s.group === g).length)).toEqual([6, 1, 2, 4, 5]);
  });
  it("formats values by kind and maps threshold bands", () => {
    expect(formatSmart(0.9578, "pct")).toBe("95.8%");
    expect(formatSmart(125.5, "money")).toBe("$126");
    expect(formatSmart(null, "num")).toBe("—");
    expect(band("green")).toBe("green");
    expect(band(null)).toBe("none");
    expect(band("purple")).toBe("none");
  });
  it("offers recent periods newest first, across year ends", () => {
    expect(recentQuarters(3, new Date(2026, 1, 10))).toEqual(["2026-Q1", "2025-Q4", "2025-Q3"]);
    expect(recentMonths(2, new Date(2026, 0, 15))).toEqual(["2026-01", "2025-12"]);
  });
});

describe("variance types", () => {
  it("maps the six codes to the report keys the export's variance_type takes", () => {
    expect(VARIANCE_TYPES).toHaveLength(6);
    expect(TYPE_BY_CODE.get("SPARE_MISMATCH")?.key).toBe("devices_that_should_not_have_threatlocker");
    expect(TYPE_BY_KEY.get("missing_in_ninja")?.code).toBe("MISSING_NINJA");
    expect(typeLabel("SITE_MISMATCH")).toBe("Site mismatches");
    expect(typeLabel("UNKNOWN")).toBe("UNKNOWN");
  });
});
