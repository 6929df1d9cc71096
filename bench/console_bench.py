"""Console bench: the variance report page with 10,000 exceptions, in Debian's Chromium.

The whole stack runs as in the browser tests (``tests/browser/conftest.py``: every service in this process,
the vendor simulator, the dev OpenID provider, the built console behind the real gateway). A small
collection gives a real report; a stand-in in front of the variance service then answers
``GET /api/variance-report/latest`` with that report grown to 10,000 exceptions (rows copied with fresh ids and
host names, the summary counts adjusted) and a strong ETag, and passes everything else to the real service.

Measured, each over ``RUNS`` navigations in a fresh browser context (cold cache):
- first contentful paint after navigating to ``/variance`` (Chromium's paint timing);
- interactive: the first exception row is on screen and the hostname filter has narrowed the 10,000 rows to
  the one typed (navigation start → the filtered row shown);
- scrolling: the virtual table scrolled top to bottom in steps of one viewport; every row index 1…10,000
  must have been rendered at some step (no dropped rows);
- JavaScript: gzip -9 size of every ``.js`` file the page loaded, and of all of ``dist/assets/*.js``.

Goals (issue 13): interactive ≤ 1.5 s, JavaScript ≤ 300 KB gzipped. Results are appended to bench/RESULTS.md.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import importlib.util
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
EXCEPTIONS = 10_000
RUNS = 5
GOAL_INTERACTIVE_S = 1.5
GOAL_JS_KB = 300


def harness() -> Any:
    spec = importlib.util.spec_from_file_location("browser_harness", ROOT / "tests" / "browser" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def grow(report: dict[str, Any], total: int) -> dict[str, Any]:
    """The report with ``total`` exceptions: its rows repeated with fresh ids and host names, in both the
    ``exceptions_by_type`` lists and the per-type sections grouped by organisation (which the console reads)."""
    grown = copy.deepcopy(report)
    templates = [(code, row) for code, rows in report["exceptions_by_type"].items() for row in rows]
    assert templates, "the small collection produced no exceptions to copy"
    org_of: dict[Any, str] = {}
    section_of: dict[str, str] = {}  # type code -> the report key of its section
    for key, value in report.items():
        if isinstance(value, dict) and isinstance(value.get("by_organization"), dict):
            for org, rows in value["by_organization"].items():
                for row in rows:
                    org_of[row["id"]] = org
                    code = next((c for c, r in templates if r["id"] == row["id"]), None)
                    if code:
                        section_of[code] = key
    by_type: dict[str, list[dict[str, Any]]] = {code: [] for code in report["exceptions_by_type"]}
    by_section: dict[str, dict[str, list[dict[str, Any]]]] = {key: {} for key in section_of.values()}
    for index in range(total):
        code, template = templates[index % len(templates)]
        row = copy.deepcopy(template)
        row["id"] = 1_000_000 + index
        for key in ("hostname", "ninja_hostname", "threatlocker_hostname"):
            if row.get(key):
                row[key] = f"{row[key]}-{index:05d}"
        by_type[code].append(row)
        if code in section_of:
            by_section[section_of[code]].setdefault(org_of.get(template["id"], ""), []).append(row)
    grown["exceptions_by_type"] = by_type
    for key, grouped in by_section.items():
        section = grown[key]
        section["by_organization"] = grouped
        for count_key in ("count", "total", "total_count"):
            if isinstance(section.get(count_key), int):
                section[count_key] = sum(len(rows) for rows in grouped.values())
    summary = grown.get("summary", {})
    for key in ("total_exceptions", "unresolved_count"):
        if key in summary:
            summary[key] = total
    return grown


def stand_in(variance_url: str, body: bytes) -> FastAPI:
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    gzipped = gzip.compress(body, 6)
    app = FastAPI()
    client = httpx.AsyncClient(base_url=variance_url, timeout=60)

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def forward(path: str, request: Request) -> Response:
        if request.method == "GET" and request.url.path == "/api/variance-report/latest":
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"etag": etag})
            headers = {"etag": etag, "cache-control": "no-cache", "vary": "accept-encoding"}
            if "gzip" in request.headers.get("accept-encoding", ""):
                headers["content-encoding"] = "gzip"
                return Response(gzipped, media_type="application/json", headers=headers)
            return Response(body, media_type="application/json", headers=headers)
        answer = await client.request(
            request.method,
            request.url.path,
            params=list(request.query_params.multi_items()),
            content=await request.body(),
            headers={k: v for k, v in request.headers.items() if k not in ("host", "content-length")},
        )
        passed = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        return Response(answer.content, status_code=answer.status_code, headers=passed)

    return app


FIRST_ROW_SCRIPT = """
window.__bench = {};
new MutationObserver((_, observer) => {
  if (!window.__bench.firstRow && document.querySelector('[data-testid="exceptions-row"]')) {
    window.__bench.firstRow = performance.now();
  }
}).observe(document, {subtree: true, childList: true});
"""


def measure(browser: Any, base: str, probe: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.add_init_script(FIRST_ROW_SCRIPT)
    scripts: list[str] = []
    page.on("response", lambda r: r.url.endswith(".js") and scripts.append(r.url))
    page.goto(f"{base}/variance", wait_until="commit")
    page.get_by_test_id("exceptions-row").first.wait_for(timeout=60_000)
    count = page.get_by_test_id("exceptions-count")
    count.filter(has_text=f"{EXCEPTIONS:,}").wait_for(timeout=60_000)  # the grown report, all rows
    page.get_by_test_id("hostname-filter").fill(probe)
    page.wait_for_function(
        "() => { const rows = document.querySelectorAll('[data-testid=\"exceptions-row\"]');"
        " return rows.length >= 1 && rows.length <= 2; }",
        timeout=30_000,
    )
    interactive = page.evaluate("performance.now()")
    paint = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime")
    first_row = page.evaluate("window.__bench.firstRow")
    context.close()
    return {"fcp_ms": paint, "first_row_ms": first_row, "interactive_ms": interactive, "scripts": scripts}  # type: ignore[dict-item]


def scroll_all(browser: Any, base: str) -> tuple[int, int, int]:
    """Scroll the table top to bottom; (distinct row indexes seen, highest index, steps)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/variance")
    page.get_by_test_id("exceptions-row").first.wait_for(timeout=60_000)
    seen: set[int] = set()
    steps = 0
    scroller = page.evaluate_handle(
        """() => {
          let el = document.querySelector('[data-testid="exceptions-row"]');
          const scrolls = (e) => e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflowY !== 'visible';
          while (el && !scrolls(el)) el = el.parentElement;
          return el || document.scrollingElement;
        }"""
    )
    while True:
        indexes = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=\"exceptions-row\"]')]"
            ".map(r => Number(r.getAttribute('aria-rowindex')))"
        )
        seen.update(indexes)
        at_end = page.evaluate("el => el.scrollTop + el.clientHeight >= el.scrollHeight - 2", scroller)
        if at_end or steps > 5_000:
            break
        page.evaluate("el => { el.scrollTop += el.clientHeight * 0.9; }", scroller)
        page.wait_for_timeout(16)
        steps += 1
    context.close()
    return len(seen), max(seen), steps


def main() -> int:
    browser_harness = harness()
    dist = browser_harness.console_dist()
    from playwright.sync_api import sync_playwright

    with browser_harness.running_stack(dist) as stack, stack.api() as api:
        started = api.post("/api/collectors/run", json={}, headers={"origin": stack.base})
        assert started.status_code == 202, started.text
        for _ in range(900):
            batch = api.get(f"/api/collectors/runs/batch/{started.json()['batch_id']}").json()
            if batch["status"] in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.2)
        assert batch["status"] == "completed", batch
        for _ in range(300):
            report = api.get("/api/variance-report/latest").json()
            if any(report["exceptions_by_type"].values()):
                break
            time.sleep(0.2)
        grown = grow(report, EXCEPTIONS)
        body = json.dumps(grown, separators=(",", ":")).encode()
        probe = grown["exceptions_by_type"][next(c for c, rows in grown["exceptions_by_type"].items() if rows)][-1]
        probe_host = probe.get("hostname") or probe.get("threatlocker_hostname") or probe.get("ninja_hostname")

        from contextlib import AsyncExitStack

        from hub_shared.testing.servers import running_server

        front = AsyncExitStack()

        async def start_front() -> str:
            return str(await front.enter_async_context(running_server(stand_in(stack.services["variance"].url, body))))

        front_url = stack.call(start_front())
        stack.overrides["gateway"] = {"variance_url": front_url}
        stack.stop_service("gateway")
        stack.start_service("gateway")
        assert len(httpx.get(f"{stack.base}/api/variance-report/latest", timeout=60).json()["exceptions_by_type"]) > 0

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=browser_harness.CHROMIUM, args=browser_harness.CHROMIUM_FLAGS, headless=True
            )
            measure(browser, stack.base, probe_host)  # warm the server side (report parsed once, caches)
            runs = [measure(browser, stack.base, probe_host) for _ in range(RUNS)]
            distinct, highest, steps = scroll_all(browser, stack.base)
            browser.close()
        stack.call(front.aclose())

    loaded = sorted({url.rsplit("/", 1)[-1] for run in runs for url in run["scripts"]})  # type: ignore[attr-defined]
    js_loaded = sum(len(gzip.compress((dist / "assets" / name).read_bytes(), 9)) for name in loaded)
    js_all = sum(len(gzip.compress(path.read_bytes(), 9)) for path in (dist / "assets").glob("*.js"))
    fcp = statistics.median(run["fcp_ms"] for run in runs)
    first_row = statistics.median(run["first_row_ms"] for run in runs)
    interactive = statistics.median(run["interactive_ms"] for run in runs)
    worst = max(run["interactive_ms"] for run in runs)
    ok_rows = distinct == EXCEPTIONS and highest == EXCEPTIONS + 1
    lines = [
        f"## Console — variance page, {EXCEPTIONS:,} exceptions — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {platform.machine()}, 2 cores, Chromium `{browser_harness.CHROMIUM}` headless, viewport 1280×800, "
        f"cold browser cache each run, whole stack in one process on the same machine. Report body "
        f"{len(body) / 1e6:.1f} MB JSON ({len(gzip.compress(body, 6)) / 1e6:.2f} MB gzipped). Median of {RUNS} runs.",
        "",
        "| measure | value | goal |",
        "|---|---:|---:|",
        f"| first contentful paint after navigation | {fcp:,.0f} ms | |",
        f"| first exception row on screen | {first_row:,.0f} ms | |",
        f"| interactive (rows shown, filter applied to 10,000 rows) | {interactive:,.0f} ms (worst {worst:,.0f}) "
        f"| ≤ {GOAL_INTERACTIVE_S * 1000:,.0f} ms |",
        f"| scrolled top to bottom: distinct rows rendered | {distinct:,} of {EXCEPTIONS:,} in {steps} steps "
        f"({'none dropped' if ok_rows else 'ROWS DROPPED'}) | all |",
        f"| JavaScript loaded by the page, gzip -9 | {js_loaded / 1024:,.1f} KB ({len(loaded)} files) "
        f"| ≤ {GOAL_JS_KB} KB |",
        f"| all of dist/assets/*.js, gzip -9 | {js_all / 1024:,.1f} KB | |",
        "",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by `make bench`; newest sections last.\n")
    with RESULTS.open("a") as results_file:
        results_file.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
