"""A real gateway with sign-in in front of stand-in services, and a local OpenID provider.

The provider is the ``oidc-provider-mock`` package (a real OIDC server, run on a thread). In front of it
sits :class:`ProviderFront`, a small HTTP relay that is the issuer the gateway is configured with; it
passes everything through, and lets a test replace the ID token the token endpoint returns (one re-signed
with a key the provider publishes, to show claim checks, or with a stranger's key, to show a forgery).
The stand-in ``qbr``/``tenantsweep``/``variance`` services record what reached them, including the
verified identity header.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from joserfc import jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import delete

from gateway.auth.models import api_tokens, auth_login_states, auth_sessions
from gateway.auth.service import AuthService
from gateway.definition import SPEC
from gateway.settings import GatewaySettings
from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.identity import IDENTITY_HEADER, verify_identity
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings
from hub_shared.testing.servers import free_port, running_server

CLIENT_ID = "inventory-hub-tests"
DASHBOARD = "https://dashboards.example.com"
ALLOWED = ["rmmiller@enersystems.com", "JMMiller@EnerSystems.com"]
SIGNING_KEY = "test-signing-key-0123456789"

# Keys for re-signed tokens: one the provider publishes, one it has never heard of.
PUBLISHED_KEY = RSAKey.generate_key(2048, parameters={"kid": "front-key", "use": "sig", "alg": "RS256"})
STRANGER_KEY = RSAKey.generate_key(2048, parameters={"kid": "front-key", "use": "sig", "alg": "RS256"})


def unverified_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


class TokenSmith:
    """Rewrites the provider's ID tokens: re-signed with its published key, or forged with another."""

    @staticmethod
    def resign(**changes: Any) -> Callable[[str], str]:
        def rewrite(token: str) -> str:
            claims = {**unverified_claims(token), **changes}
            return jwt.encode({"alg": "RS256", "kid": "front-key"}, claims, PUBLISHED_KEY)

        return rewrite

    @staticmethod
    def forge(token: str) -> str:
        # Same claims, same key id, but a key the provider never published.
        return jwt.encode({"alg": "RS256", "kid": "front-key"}, unverified_claims(token), STRANGER_KEY)


@pytest.fixture
def smith() -> TokenSmith:
    return TokenSmith()


class ProviderFront:
    """The issuer as the gateway sees it: a relay to the local provider that can swap the ID token."""

    def __init__(self, upstream: str, client: httpx.AsyncClient) -> None:
        self.upstream = upstream
        self.client = client
        self.rewrite_id_token: Callable[[str], str] | None = None
        self.app = FastAPI()
        self.app.add_api_route("/{path:path}", self.relay, methods=["GET", "POST", "PUT"])

    async def relay(self, path: str, request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k not in ("content-length", "connection")}
        answer = await self.client.request(
            request.method,
            f"{self.upstream}/{path}",
            params=list(request.query_params.multi_items()),
            content=await request.body(),
            headers=headers,  # the Host header too: the provider names URLs after it
        )
        if path == "jwks" and self.rewrite_id_token:
            # While rewriting, the provider's published key is the front's own (the gateway fetches the
            # keys after the first token exchange, so a test sets the rewrite before signing in).
            return JSONResponse({"keys": [PUBLISHED_KEY.as_dict(private=False)]})
        if path == "oauth2/token" and answer.status_code == 200 and self.rewrite_id_token:
            body = answer.json()
            body["id_token"] = self.rewrite_id_token(body["id_token"])
            return JSONResponse(body)
        passed = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "location")}
        return Response(answer.content, status_code=answer.status_code, headers=passed)


@pytest.fixture(scope="session")
def provider_url() -> Iterator[str]:
    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="session")
async def provider(provider_url: str) -> AsyncIterator[tuple[ProviderFront, str]]:
    async with httpx.AsyncClient(timeout=10) as client:
        front = ProviderFront(provider_url, client)
        async with running_server(front.app) as url:
            yield front, url


@dataclass
class Upstreams:
    """What reached the stand-in services."""

    seen: list[dict[str, Any]] = field(default_factory=list)

    def app(self, name: str) -> FastAPI:
        app = FastAPI(title=name)

        @app.api_route("/api/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        async def record(path: str, request: Request) -> dict[str, Any]:
            body = await request.body()
            header = request.headers.get(IDENTITY_HEADER)
            identity = verify_identity(header, SIGNING_KEY, audience=name)
            self.seen.append(
                {
                    "service": name,
                    "method": request.method,
                    "path": request.url.path,
                    "header": header,
                    "identity": identity,
                    "cookie": request.headers.get("cookie"),
                    "authorization": request.headers.get("authorization"),
                    "headers": request.headers.items(),
                    "raw_path": request.scope.get("raw_path"),
                    "body_bytes": len(body),
                }
            )
            return {"success": True, "data": {"service": name, "path": request.url.path}}

        return app


@dataclass
class Edge:
    base: str
    runtime: ServiceRuntime
    upstreams: Upstreams
    provider: ProviderFront | None
    provider_url: str | None

    @property
    def auth(self) -> AuthService:
        auth: AuthService = self.runtime.state["auth"]
        return auth

    @property
    def settings(self) -> GatewaySettings:
        settings = self.runtime.settings
        assert isinstance(settings, GatewaySettings)
        return settings

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, timeout=10, follow_redirects=False, **kwargs)

    async def sign_in(self, client: httpx.AsyncClient, email: str, name: str = "Ryan Miller") -> httpx.Response:
        """The browser's round trip: gateway login → provider consent → gateway callback."""
        assert self.provider_url is not None
        authorize = await self.begin(client)
        return await client.get(await self.consent(authorize, email, name))

    async def begin(self, client: httpx.AsyncClient) -> str:
        started = await client.get("/api/auth/microsoft/login")
        assert started.status_code == 302, started.text
        return started.headers["location"]

    async def consent(self, authorize_url: str, email: str, name: str = "Ryan Miller") -> str:
        """The person signs in at the provider; returns the callback URL it redirects the browser to."""
        assert self.provider is not None
        browser = self.provider.client
        # The provider keeps its users' claims; this sets who "email" is.
        user = await browser.put(f"{self.provider_url}/users/{email}", json={"email": email, "name": name})
        assert user.status_code == 204, user.text
        consent = await browser.post(authorize_url, data={"sub": email})
        assert consent.status_code == 302, consent.text
        callback = consent.headers["location"]
        assert callback.startswith(self.base + "/api/auth/microsoft/callback?")
        return callback


def callback_params(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(scope="session")
async def stand_ins() -> AsyncIterator[tuple[Upstreams, dict[str, str]]]:
    upstreams = Upstreams()
    async with AsyncExitStack() as stack:
        urls = {
            f"{name}_url": await stack.enter_async_context(running_server(upstreams.app(name)))
            for name in ("qbr", "tenantsweep", "variance")
        }
        yield upstreams, urls


@pytest.fixture(scope="session")
async def auth_database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=2, application_name="gateway-auth-tests")
    yield database
    await database.dispose()


@pytest.fixture
async def clean_auth_tables(auth_database: Database) -> AsyncIterator[Database]:
    """Empties the sign-in tables after the test (cheaper than truncating every schema)."""
    yield auth_database
    async with auth_database.transaction() as db:
        for table in (auth_sessions, auth_login_states, api_tokens):
            await db.execute(delete(table))


@pytest.fixture
def make_edge(
    service_settings: Callable[..., ServiceSettings],
    clean_auth_tables: Database,
    provider: tuple[ProviderFront, str],
    stand_ins: tuple[Upstreams, dict[str, str]],
) -> Callable[..., Any]:
    """``async with make_edge(**settings) as edge``: a gateway on a real port with its stand-ins."""
    front, front_url = provider
    upstreams, urls = stand_ins

    @asynccontextmanager
    async def build(*, oidc: bool = True, **overrides: Any) -> AsyncIterator[Edge]:
        front.rewrite_id_token = None
        upstreams.seen.clear()
        async with AsyncExitStack() as stack:
            unused = f"http://127.0.0.1:{free_port()}"
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            values: dict[str, Any] = {
                **urls,
                "assessment_url": unused,
                "collector_ninja_url": unused,
                "collector_threatlocker_url": unused,
                "upstream_timeout_seconds": 5,
                "hub_internal_signing_key": SIGNING_KEY,
                "public_base_url": base,
                "session_cookie_secure": False,
                "cors_origins": [DASHBOARD],
                "frontend_url": f"{DASHBOARD}/qbr",
                "auth_allowed_emails": ALLOWED,
            }
            if oidc:
                values.update(oidc_issuer=front_url, oidc_client_id=CLIENT_ID, oidc_client_secret="s3cret")
            values.update(overrides)
            settings = service_settings(SPEC, **values)
            runtime = ServiceRuntime(SPEC, settings, run_worker=False)
            await stack.enter_async_context(running_server(create_app(runtime), port=port))
            yield Edge(base, runtime, upstreams, front if oidc else None, front_url if oidc else None)

    return build
