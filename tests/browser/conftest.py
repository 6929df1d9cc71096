"""Browser tests: Debian's Chromium, driven by Playwright, against the real stack.

One stack per test session (:class:`Stack`): every service of the hub in this process on free ports, with
its workers and consumers, on a database and broker names of its own (``hub_browser_<random>``), the vendor
simulator, the local OpenID provider ``make dev`` uses (``oidc-provider-mock``), and the console built by
``scripts/build-console.sh`` (the same stamp ``make dev`` uses, so it is built once). The stack runs in a
thread with its own event loop, so the tests use Playwright's synchronous API; a test can stop a service
and start it again on the same port (the outage test).

Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs it when missing);
Playwright never downloads a browser here. Screenshots go to ``docs/screenshots/`` (committed; README).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from hub_shared.devtools import drop_database, ensure_database, migrate_all
from hub_shared.testing.infrastructure import postgres_server, rabbitmq_server, run_sync
from hub_shared.testing.plugin import BusNames, delete_test_topology
from hub_shared.testing.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
DEV_USER = "dev@inventory-hub.local"
DEV_NAME = "Dev Operator"
CLIENT_ID = "inventory-hub-browser-tests"
SERVICES = (
    "collector_ninja",
    "collector_threatlocker",
    "collector_connectwise",
    "variance",
    "assessment",
    "qbr",
    "tenantsweep",
    "notifier",
    "gateway",
)
SIM_DEVICES = 240
SIM_SEED = 13


def console_dist() -> Path:
    """The built console: ``CONSOLE_DIST_DIR`` when set, else ``scripts/build-console.sh`` (a no-op when current)."""
    configured = os.environ.get("CONSOLE_DIST_DIR")
    if configured:
        return Path(configured)
    if not (ROOT / "console" / "package.json").is_file():
        return ROOT / "console" / "dist"  # not built: the gateway answers / with how to build it
    done = subprocess.run([str(ROOT / "scripts" / "build-console.sh")], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"building the console failed:\n{done.stdout}\n{done.stderr}")
    return ROOT / "console" / "dist"


@dataclass
class Service:
    name: str
    port: int
    exits: AsyncExitStack | None = None
    runtime: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    """The whole hub on free ports, in a thread with its own event loop."""

    database_url: str
    amqp_url: str
    bus: BusNames
    dist: Path
    sim_url: str
    sim: Any
    issuer: str
    signing_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # per-service settings (bench)
    services: dict[str, Service] = field(default_factory=dict)
    loop: asyncio.AbstractEventLoop | None = None
    thread: threading.Thread | None = None
    token: str = ""

    @property
    def base(self) -> str:
        return self.services["gateway"].url

    # --- settings ---

    def settings(self, name: str) -> Any:
        from hub_shared.registry import installed_services

        spec = next(spec for spec in installed_services() if spec.name == name)
        values: dict[str, Any] = {
            "database_url": self.database_url,
            "amqp_url": self.amqp_url,
            "amqp_exchange": self.bus.exchange,
            "amqp_dead_exchange": self.bus.dead_exchange,
            "amqp_queue_prefix": self.bus.queue_prefix,
            "outbox_poll_seconds": 0.5,
            "log_json": False,
            "log_level": "WARNING",
            "hub_internal_signing_key": self.signing_key,
        }
        if name == "collector_ninja":
            values.update(
                ninja_base_url=self.sim_url,
                ninja_client_id=self.sim.config.ninja_client_id,
                ninja_client_secret=self.sim.config.ninja_client_secret,
                ninja_retry_base_seconds=0.05,
                job_heartbeat_seconds=1,
            )
        elif name == "collector_threatlocker":
            values.update(
                threatlocker_base_url=f"{self.sim_url}/portalapi/",
                threatlocker_org_id=self.sim.config.tl_parent_org_id,
                threatlocker_api_key=self.sim.config.tl_api_key,
                threatlocker_retry_base_seconds=0.05,
                job_heartbeat_seconds=1,
            )
        elif name == "collector_connectwise":
            from vendor_sim.connectwise import collector_settings

            values.update(collector_settings(self.sim_url, self.sim.config))
        elif name == "notifier":
            known = spec.settings_cls.model_fields
            values.update(
                {f"{other}_url": service.url for other, service in self.services.items() if f"{other}_url" in known}
            )
            # The browser test's webhook receiver listens on 127.0.0.1 over plain HTTP.
            values.update(
                notifier_allow_private_targets=True,
                notifier_allowed_schemes=["http", "https"],
                notifier_retry_base_seconds=0.2,
                public_base_url=self.base,
            )
        elif name == "gateway":
            known = spec.settings_cls.model_fields
            values.update(
                {f"{other}_url": service.url for other, service in self.services.items() if f"{other}_url" in known}
            )
            values.update(
                oidc_issuer=self.issuer,
                oidc_client_id=CLIENT_ID,
                oidc_client_secret="browser-tests-secret",
                auth_allowed_emails=[DEV_USER],
                public_base_url=self.base,
                session_cookie_secure=False,
                console_dist_dir=self.dist,
                collector_schedule_enabled=False,
                rate_limit_api_per_minute=0,
                rate_limit_login_per_minute=0,
            )
        values.update(self.overrides.get(name, {}))
        return spec, spec.settings_cls(**values)

    # --- lifecycle (in the stack's loop) ---

    async def _start(self, name: str) -> None:
        from hub_shared.app import create_app
        from hub_shared.runtime import ServiceRuntime
        from hub_shared.testing.servers import running_server

        service = self.services[name]
        spec, settings = self.settings(name)
        exits = AsyncExitStack()
        runtime = ServiceRuntime(spec, settings)
        await exits.enter_async_context(running_server(create_app(runtime), port=service.port))
        if runtime.bus is not None:
            await runtime.bus.wait_ready(30)
        service.exits, service.runtime = exits, runtime

    async def _stop(self, name: str) -> None:
        service = self.services[name]
        if service.exits is not None:
            await service.exits.aclose()
        service.exits = service.runtime = None

    def call(self, coroutine: Any, timeout: float = 120) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> None:
        from hub_shared.registry import installed_services

        installed = {spec.name for spec in installed_services()}  # services others add later join by themselves
        self.services = {name: Service(name, free_port()) for name in SERVICES if name in installed}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="browser-stack", daemon=True)
        self.thread.start()
        for name in self.services:
            self.call(self._start(name))
        self.token = self.call(self._token())

    def stop(self) -> None:
        for name in reversed(list(self.services)):
            with contextlib.suppress(Exception):
                self.call(self._stop(name), timeout=30)
        assert self.loop is not None and self.thread is not None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def stop_service(self, name: str) -> None:
        self.call(self._stop(name))

    def start_service(self, name: str) -> None:
        self.call(self._start(name))

    async def _token(self) -> str:
        from datetime import timedelta

        from gateway.auth.service import utcnow

        runtime = self.services["gateway"].runtime
        async with runtime.database.transaction() as db:
            secret, _ = await runtime.state["auth"].create_token(
                db, name="browser-tests", scopes=["*"], expires_at=utcnow() + timedelta(days=1)
            )
        return str(secret)

    # --- the API as a test reads it ---

    def api(self) -> httpx.Client:
        """The public API with a token (every scope), for what a test compares the page with."""
        return httpx.Client(base_url=self.base, timeout=60, headers={"authorization": f"Bearer {self.token}"})

    def truth(self, **params: Any) -> dict[str, Any]:
        return httpx.get(f"{self.sim_url}/_sim/truth", params=params, timeout=60).json()


@contextlib.contextmanager
def running_stack(
    dist: Path, *, devices: int = SIM_DEVICES, seed: int = SIM_SEED, overrides: dict[str, dict[str, Any]] | None = None
) -> Iterator[Stack]:
    """The whole hub on its own database and broker names, until the block ends (tests and ``make bench``)."""
    from oidc_provider_mock import User, run_server_in_thread

    from vendor_sim.app import serve_in_thread
    from vendor_sim.config import SimConfig

    with contextlib.ExitStack() as exits:
        server_url = exits.enter_context(postgres_server(os.environ.get("TEST_DATABASE_URL")))
        amqp_url = exits.enter_context(rabbitmq_server(os.environ.get("TEST_AMQP_URL")))
        url = make_url(server_url).set(drivername="postgresql+asyncpg", database=f"hub_browser_{uuid.uuid4().hex[:8]}")
        database_url = url.render_as_string(hide_password=False)
        run_sync(ensure_database(database_url))
        exits.callback(lambda: run_sync(drop_database(database_url)))
        migrate_all(database_url)
        tag = uuid.uuid4().hex[:8]
        bus = BusNames(f"browser-{tag}.hub.events", f"browser-{tag}.hub.dead", f"browser-{tag}.")
        exits.callback(lambda: run_sync(delete_test_topology(amqp_url, bus)))
        sim_url, sim = exits.enter_context(serve_in_thread(SimConfig(devices=devices, seed=seed)))
        user = User(sub=DEV_USER, claims={"email": DEV_USER, "email_verified": True, "name": DEV_NAME})
        provider = exits.enter_context(run_server_in_thread(port=free_port(), user_claims=[user]))
        issuer = f"http://localhost:{provider.server_port}"
        hub = Stack(database_url, amqp_url, bus, dist, sim_url, sim, issuer, overrides=overrides or {})
        exits.callback(hub.stop)
        hub.start()
        yield hub


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with running_stack(console_dist()) as hub:
        yield hub


# --- the browser ---


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """One browser context (its own cookies) on the stack, with what the page reported."""

    context: Any
    page: Any
    stack: Stack
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.stack.base + path)

    def shot(self, name: str) -> None:
        """A screenshot of the whole page for README (docs/screenshots/<name>.png)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_timeout(300)  # let charts finish their first frame
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)

    def sign_in(self, return_path: str = "/") -> None:
        """Through the console's own button and the provider's page, as a person does."""
        self.goto(return_path)
        self.page.get_by_test_id("sign-in").first.click()
        self.authorize()
        self.page.get_by_test_id("user-menu").wait_for()

    def authorize(self) -> None:
        """On the provider's page: the predefined dev user's button."""
        self.page.wait_for_url(f"{self.stack.issuer}/**")
        self.page.get_by_role("button", name=DEV_USER).click()


@pytest.fixture
def visit(stack: Stack, browser: Any) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_visit(**options: Any) -> Visit:
        context = browser.new_context(viewport=VIEWPORT, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        seen = Visit(context, page, stack)
        page.on("console", lambda message: message.type == "error" and seen.console_errors.append(message.text))
        page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
        # CSP violations are reported to the console as errors too; keep them apart for the assertion.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        return seen

    yield open_visit
    for context in contexts:
        context.close()


def csp_violations(visit: Visit) -> list[str]:
    return [text for text in visit.console_errors if text.startswith("CSP violation")]


@pytest.fixture(scope="session")
def console(stack: Stack) -> Stack:
    """The stack, for tests of the console's pages (skipped only where the checkout has no console/)."""
    if not (stack.dist / "index.html").is_file():
        pytest.skip("the console is not in this checkout")
    return stack


@pytest.fixture(scope="session")
def collected(stack: Stack) -> dict[str, Any]:
    """One collection through the API (for tests that need data but do not test running one)."""
    with stack.api() as api:
        latest = api.get("/api/variance-report/latest")

        def empty(answer: httpx.Response) -> bool:  # before any collection the report exists, with nothing in it
            return answer.status_code != 200 or not any(answer.json().get("exceptions_by_type", {}).values())

        if empty(latest):
            started = api.post("/api/collectors/run", json={}, headers={"origin": stack.base})
            assert started.status_code == 202, started.text
            batch_id = started.json()["batch_id"]
            for _ in range(600):
                batch = api.get(f"/api/collectors/runs/batch/{batch_id}").json()
                if batch["status"] in ("completed", "failed", "cancelled"):
                    break
                threading.Event().wait(0.2)
            assert batch["status"] == "completed", batch
            for _ in range(300):
                latest = api.get("/api/variance-report/latest")
                if not empty(latest):
                    break
                threading.Event().wait(0.2)
        assert latest.status_code == 200, latest.text
        return dict(latest.json())


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
