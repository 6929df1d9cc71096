import { describe, expect, it } from "vitest";
import { EtagCache } from "../src/api/etag";

describe("conditional requests", () => {
  it("asks with If-None-Match and turns a 304 into the stored body", async () => {
    const cache = new EtagCache();
    const url = "http://hub.test/api/variance-report/latest";
    const first = cache.prepare(new Request(url));
    expect(first.headers.get("If-None-Match")).toBeNull();
    const body = JSON.stringify({ report_date: "2026-01-01" });
    const ok = await cache.settle(first, new Response(body, { status: 200, headers: { ETag: '"abc"', "Content-Type": "application/json" } }));
    expect(await ok.text()).toBe(body);

    const second = cache.prepare(new Request(url));
    expect(second.headers.get("If-None-Match")).toBe('"abc"');
    const revalidated = await cache.settle(second, new Response(null, { status: 304, headers: { ETag: '"abc"' } }));
    expect(revalidated.status).toBe(200);
    expect(revalidated.headers.get("Content-Type")).toBe("application/json");
    expect(await revalidated.json()).toEqual({ report_date: "2026-01-01" });
    expect(cache.hits).toBe(1);
  });
  it("leaves writes and ETag-less answers alone", async () => {
    const cache = new EtagCache();
    const post = new Request("http://hub.test/api/collectors/run", { method: "POST" });
    expect(cache.prepare(post)).toBe(post);
    await cache.settle(new Request("http://hub.test/api/status"), new Response("{}", { status: 200 }));
    expect(cache.size).toBe(0);
  });
});
