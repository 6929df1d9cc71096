import { describe, expect, it } from "vitest";
import { parseLocation, stickyHref, withParams } from "../src/lib/router";
import { toCsv, fmtDuration, fmtInt } from "../src/lib/format";
import { groupHistory, isTerminal, activeBatchId } from "../src/lib/batch";
import { flattenReport, countsByOrganization } from "../src/lib/variance";
import { parseAuthStatus, parseReturn, safeLocalPath } from "../src/auth";
import { ApiError, errorMessage, outageText, serviceOf } from "../src/api/errors";
import type { JobInfo, VarianceReport } from "../src/api/types";

describe("router", () => {
  it("parses and rebuilds query strings", () => {
    const loc = parseLocation("/variance?type=site_mismatches&org=Acme");
    expect(loc.path).toBe("/variance");
    expect(loc.search.get("org")).toBe("Acme");
    expect(withParams(loc.search, { type: null, q: "pc 1" })).toBe("?org=Acme&q=pc+1");
    expect(withParams(new URLSearchParams(), { a: "" })).toBe("");
  });
  it("keeps the client selector across pages", () => {
    expect(stickyHref("/windows11", new URLSearchParams("org=Acme+Corp&type=x"))).toBe("/windows11?org=Acme+Corp");
    expect(stickyHref("/variance?org=Other", new URLSearchParams("org=Acme"))).toBe("/variance?org=Other");
  });
});

describe("format", () => {
  it("writes CSV that spreadsheets read safely", () => {
    expect(toCsv(["a", "b"], [["x,y", '"q"'], ["=SUM(A1)", -5]])).toBe('a,b\r\n"x,y","""q"""\r\n\'=SUM(A1),-5\r\n');
  });
  it("formats numbers and durations", () => {
    expect(fmtInt(12345.4)).toBe("12,345");
    expect(fmtInt(null)).toBe("0");
    expect(fmtDuration(75)).toBe("1m 15s");
    expect(fmtDuration(null)).toBe("—");
  });
});

describe("batches", () => {
  const job = (over: Partial<JobInfo>): JobInfo => ({
    job_id: "ni_1", batch_id: "bc_1", job_name: "ninja-collector", status: "completed", started_at: "2026-01-01T00:00:00Z",
    updated_at: null, ended_at: "2026-01-01T00:01:00Z", progress_percent: 100, message: null, error: null, duration_seconds: 60, ...over,
  });
  it("groups history jobs into batches, newest first, with a combined status", () => {
    const groups = groupHistory([
      job({}),
      job({ job_id: "th_1", job_name: "threatlocker-collector", status: "failed", error: "boom", ended_at: "2026-01-01T00:02:00Z" }),
      job({ job_id: "ni_2", batch_id: "bc_2", started_at: "2026-01-02T00:00:00Z", ended_at: null, status: "running" }),
    ]);
    expect(groups.map((g) => g.batch_id)).toEqual(["bc_2", "bc_1"]);
    expect(groups[1].status).toBe("partial");
    expect(groups[1].errors).toEqual(["boom"]);
    expect(groups[1].duration_seconds).toBe(120);
    expect(groups[0].status).toBe("running");
  });
  it("stops polling only on terminal states", () => {
    expect(isTerminal("running")).toBe(false);
    expect(isTerminal("completed")).toBe(true);
    expect(isTerminal("cancelled")).toBe(true);
    expect(activeBatchId({ active_collections: [{ batch_id: "bc_9" }] })).toBe("bc_9");
    expect(activeBatchId({ active_collections: [] })).toBeNull();
  });
});

describe("variance report", () => {
  const report = {
    report_date: "2026-01-01",
    missing_in_ninja: { total_count: 1, by_organization: { Acme: [{ id: 1, hostname: "a", organization: "" }] } },
    site_mismatches: { total_count: 2, by_organization: { Acme: [{ id: 2, hostname: "b", type: "SITE_MISMATCH", organization: "Acme" }], Beta: [{ id: 3, hostname: "c", organization: "Beta" }] } },
  } as unknown as VarianceReport;
  it("flattens every section and tags rows with their type", () => {
    const rows = flattenReport(report);
    expect(rows.map((r) => [r.id, r.type, r.organization])).toEqual([[1, "MISSING_NINJA", "Acme"], [2, "SITE_MISMATCH", "Acme"], [3, "SITE_MISMATCH", "Beta"]]);
    expect(countsByOrganization(rows)[0]).toEqual({ organization: "Acme", total: 2, byType: { MISSING_NINJA: 1, SITE_MISMATCH: 1 } });
  });
});

describe("auth", () => {
  it("reads both forms of the status body", () => {
    expect(parseAuthStatus({ authenticated: true, user_email: "a@x", user_name: "A" }).email).toBe("a@x");
    expect(parseAuthStatus({ authenticated: true, user: { email: "b@x", name: "B" } }).name).toBe("B");
    expect(parseAuthStatus({ authenticated: false, error: "x" }).authenticated).toBe(false);
    expect(parseAuthStatus(undefined).authenticated).toBe(false);
  });
  it("returns only to a recent, same-origin console path", () => {
    const now = 1_000_000;
    expect(parseReturn(JSON.stringify({ target: "/variance?type=x", at: now - 1000 }), now)).toBe("/variance?type=x");
    expect(parseReturn(JSON.stringify({ target: "/variance", at: now - 3_600_000 }), now)).toBeNull();
    expect(safeLocalPath("//evil.example")).toBeNull();
    expect(safeLocalPath("https://evil.example")).toBeNull();
    expect(safeLocalPath("/\\evil")).toBeNull();
    expect(safeLocalPath("/api/auth/logout")).toBeNull();
    expect(parseReturn("not json", now)).toBeNull();
  });
});

describe("errors", () => {
  it("finds the message in each envelope", () => {
    expect(errorMessage({ success: false, error: { code: "NO_DATA", message: "No data", status: 404 } }, "x")).toEqual({ message: "No data", code: "NO_DATA" });
    expect(errorMessage({ error: "Authentication required", message: "Please log in" }, "x").message).toBe("Authentication required: Please log in");
    expect(errorMessage({ detail: "Not Found" }, "x").message).toBe("Not Found");
    expect(errorMessage(undefined, "HTTP 500").message).toBe("HTTP 500");
  });
  it("names the service that is down", () => {
    expect(serviceOf("/api/qbr/smartnumbers")).toBe("The QBR service");
    expect(serviceOf("/api/collectors/run")).toBe("The gateway");
    expect(outageText(new ApiError(502, "/api/variance-report/latest", "Bad gateway"))).toMatch(/^The variance service is unavailable \(HTTP 502/);
    expect(outageText(new ApiError(0, "/api/status", "Failed to fetch"))).toMatch(/^The server could not be reached/);
  });
});

import { loginUrl } from "../src/auth";
describe("sign-in link", () => {
  it("asks the gateway to return to the same page", () => {
    expect(loginUrl("/variance?type=site_mismatches&org=A B")).toBe("/api/auth/microsoft/login?return_to=%2Fvariance%3Ftype%3Dsite_mismatches%26org%3DA%20B");
    expect(loginUrl("//evil")).toBe("/api/auth/microsoft/login");
  });
});

import { otherSide } from "../src/lib/variance";
describe("site mismatches", () => {
  it("merges vendor details by id and names ThreatLocker's organisation and site", () => {
    const report = {
      exceptions_by_type: { SITE_MISMATCH: [{ id: 7, details: { tl_org_name: "Acme Grp", tl_site: "Workstations", ninja_site: "Denver" }, date_found: "2026-11-20" }] },
      site_mismatches: { total_count: 1, by_organization: { "Acme Group": [{ id: 7, hostname: "a", organization: "Acme Group", type: "SITE_MISMATCH" }] } },
    } as unknown as VarianceReport;
    const [row] = flattenReport(report);
    expect(row.first_seen).toBe("2026-11-20");
    expect(otherSide(row)).toBe("ThreatLocker: Acme Grp · site Workstations (Ninja: Denver)");
  });
});
