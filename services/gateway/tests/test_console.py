"""The console's typed client stays in step with the API, and its own checks pass.

1. The merged OpenAPI document committed at ``console/openapi.json`` equals the one built now from every
   service's app (``python -m gateway openapi``), so a route change that is not regenerated fails here.
2. The TypeScript types committed at ``console/src/api/schema.d.ts`` equal what openapi-typescript makes of
   that document.
3. ``npm ci && npm run typecheck && npm test`` pass in ``console/``: a route change that breaks a page's use
   of the client fails the build.

Regenerate after changing routes::

    .venv/bin/python -m gateway openapi --out console/openapi.json && (cd console && npm run gen:api)

Node.js 20+ and npm are required; without them this test fails (it is never skipped silently).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.system.openapi_cli import build_document, render

ROOT = Path(__file__).resolve().parents[3]
CONSOLE = ROOT / "console"
REGENERATE = ".venv/bin/python -m gateway openapi --out console/openapi.json && (cd console && npm run gen:api)"


def _npm() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.fail(
            "Node.js 20+ and npm are needed to check the console (console/): install them "
            "(e.g. `apt-get install nodejs npm`, or from https://nodejs.org/) and run the tests again."
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0])
    if major < 20:
        pytest.fail(f"Node.js 20+ is needed to check the console; this machine has {version}.")
    return npm


def _run(*args: str) -> None:
    env = {**os.environ, "CI": "1", "NO_COLOR": "1", "npm_config_fund": "false", "npm_config_audit": "false"}
    result = subprocess.run(args, cwd=CONSOLE, capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0:
        output = f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        pytest.fail(f"`{' '.join(args)}` failed in console/ (exit {result.returncode}):\n{output}")


def test_committed_openapi_document_is_current() -> None:
    committed = (CONSOLE / "openapi.json").read_text(encoding="utf-8")
    assert committed == render(build_document()), f"console/openapi.json is out of date; regenerate it: {REGENERATE}"


@pytest.fixture(scope="module")
def installed_console() -> str:
    npm = _npm()
    _run(npm, "ci", "--no-audit", "--no-fund")
    return npm


def test_committed_client_types_are_current(installed_console: str, tmp_path: Path) -> None:
    generated = tmp_path / "schema.d.ts"
    npx = shutil.which("npx") or "npx"
    options = ("--default-non-nullable", "false", "-o", str(generated))
    _run(npx, "--no-install", "openapi-typescript", "openapi.json", *options)
    committed = (CONSOLE / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert committed == generated.read_text(encoding="utf-8"), (
        f"console/src/api/schema.d.ts does not match console/openapi.json; regenerate it: {REGENERATE}"
    )


def test_console_typechecks_and_its_unit_tests_pass(installed_console: str) -> None:
    _run(installed_console, "run", "typecheck")
    _run(installed_console, "test")
