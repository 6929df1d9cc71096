"""The published document tells the truth: schemathesis, every check, against the whole running hub.

All seven services run for real behind the gateway (one collection done), the caller holds an API token
with ``*`` and rate limits are off. Schemathesis reads the gateway's merged ``/openapi.json`` and runs its
stateless phases (examples, coverage, fuzzing) with every check; the run must report no failure.

In ``make test`` the number of examples per operation is bounded (``CONTRACT_MAX_EXAMPLES``) so the test
stays within a few minutes; ``make contract`` runs it unbounded (``HUB_CONTRACT_FULL=1``) and appends the
figures to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

# Every public path prefix (the gateway's own and the route table's): all owners have typed their routes;
# a new prefix is added here with its routes.
COVERED_PREFIXES = (
    "/api/health",
    "/api/status",
    "/api/collectors",
    "/api/auth",
    "/api/windows-11-24h2",
    "/api/variance-report",
    "/api/variances",
    "/api/exceptions",
    "/api/devices",
    "/api/ninja",
    "/api/organization-aliases",
    "/api/qbr",
    "/api/tenantsweep",
    "/api/notifications",
)
# Operations left out on purpose, each with its reason.
EXCLUDED_OPERATIONS: dict[str, str] = {}
CONTRACT_MAX_EXAMPLES = 6
FULL = os.environ.get("HUB_CONTRACT_FULL") == "1"
ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "bench" / "RESULTS.md"
CONFIG = ROOT / "schemathesis.toml"  # the few per-operation exceptions, each with its reason


def schemathesis_command() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def path_filter() -> str:
    return "^(" + "|".join(re.escape(prefix) for prefix in COVERED_PREFIXES) + ")(/|$)"


@pytest.mark.timeout(3600 if FULL else 900)
async def test_schemathesis_finds_nothing(full_hub: httpx.AsyncClient, tmp_path: Path) -> None:
    client = full_hub
    report = tmp_path / "report.json"
    arguments = [
        "--config-file",
        str(CONFIG),
        "run",
        f"{client.base_url}/openapi.json",
        "--max-redirects",
        "0",
        # Every check: enabled in schemathesis.toml (`--checks all` here would override its per-operation
        # exceptions).
        "--phases",
        "examples,coverage,fuzzing",
        "--header",
        f"Authorization: {client.headers['authorization']}",
        # One worker: hypothesis describing strategies from two threads trips CPython 3.11's AST
        # recursion check ("AST constructor recursion depth mismatch"), a runtime error of the tool.
        "--workers",
        "1",
        "--seed",
        "12",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--suppress-health-check",
        "all",
        "--output-truncate",
        "true",
    ]
    if not FULL:
        arguments += ["--include-path-regex", path_filter(), "--max-examples", str(CONTRACT_MAX_EXAMPLES)]
    for operation in EXCLUDED_OPERATIONS:
        method, path = operation.split(" ", 1)
        arguments += ["--exclude-by", f'method == "{method}" && path == "{path}"']
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    started = datetime.now(UTC)
    process = await asyncio.create_subprocess_exec(
        *schemathesis_command(),
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=environment,
        cwd=tmp_path,
    )
    output, _ = await process.communicate()
    text = output.decode("utf-8", "replace")
    figures = summarise(report, text)
    if FULL:
        record(figures, started)
    assert process.returncode == 0 and figures["failures"] == 0, text[-20000:]


def summarise(report: Path, text: str) -> dict[str, Any]:
    """Cases, operations and failures of the run (from its JSON report, else from its summary text)."""
    figures: dict[str, Any] = {"cases": None, "operations": None, "failures": None}
    if report.exists():
        data = json.loads(report.read_text())
        figures.update(read_report(data))
    if figures["failures"] is None:
        match = re.search(r"(\d+) failures?", text)
        figures["failures"] = int(match.group(1)) if match else (0 if "No issues found" in text else -1)
    return figures


def read_report(data: dict[str, Any]) -> dict[str, Any]:
    """Figures from schemathesis' JSON run report (``--report json``)."""
    cases = data.get("test_cases", {})
    return {
        "cases": cases.get("generated"),
        "operations": data.get("operations", {}).get("tested"),
        "failures": cases.get("unique_failures", 0) + len(data.get("errors", [])),
    }


def record(figures: dict[str, Any], started: datetime) -> None:
    line = (
        f"| {started:%Y-%m-%d %H:%M} UTC | `make contract` (schemathesis, all checks, stateless phases, "
        f"unbounded) | cases {figures['cases']} | operations {figures['operations']} | "
        f"failures {figures['failures']} |\n"
    )
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(line)
