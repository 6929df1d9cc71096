"""The gateway-signed identity header: only a well-formed, correctly signed, unexpired header is believed."""

from __future__ import annotations

import base64
import json
import time
from types import SimpleNamespace

import httpx
import pytest
from fastapi import Depends, FastAPI

from hub_shared.app import install_error_handlers
from hub_shared.identity import (
    IDENTITY_HEADER,
    Identity,
    _signature,
    anonymous_identity,
    current_identity,
    issue_identity,
    require_identity,
    require_scope,
    scope_allows,
    sign_identity,
    verify_identity,
)

KEY = "shared-secret-for-tests-000"
AUD = "qbr"  # the service the stand-in app below plays


def session_identity(**overrides: object) -> Identity:
    values: dict[str, object] = {"email": "dana@example.com", "name": "Dana", "scopes": ("*",)}
    values.update(overrides)
    return issue_identity("dana@example.com", "session", **values)  # type: ignore[arg-type]


def test_a_signed_identity_verifies_to_the_same_identity() -> None:
    identity = issue_identity(
        "token:scanner", "token", name="scanner", scopes=("tenantsweep:write",), ttl_seconds=60, now=1_000
    )
    header = sign_identity(identity, KEY, audience=AUD)
    assert header.startswith("v1.") and header.count(".") == 2
    assert verify_identity(header, KEY, audience=AUD, now=1_030) == identity
    assert identity.expires_at == 1_060 and identity.issued_at == 1_000
    assert identity.authenticated and identity.has_scope("tenantsweep:read")
    assert not identity.has_scope("qbr:read")


def test_tampering_a_wrong_key_expiry_and_garbage_are_all_refused() -> None:
    now = time.time()
    header = sign_identity(session_identity(now=now), KEY, audience=AUD)
    version, payload, signature = header.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "admin@example.com"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert verify_identity(f"{version}.{forged_payload}.{signature}", KEY, audience=AUD) is None
    assert verify_identity(header, "another-key-of-enough-length", audience=AUD) is None
    assert verify_identity(header, KEY, audience=AUD, now=now + 61) is None
    assert verify_identity(header, KEY, audience=AUD, now=now + 59) is not None
    for garbage in (None, "", "forged-admin", "v1.x", "v2." + header[3:], header + ".", "v1." + "a" * 5000):
        assert verify_identity(garbage, KEY, audience=AUD) is None
    # Validly signed but not an identity: still refused.
    odd = base64.urlsafe_b64encode(b'{"sub": 1, "method": "root", "exp": 9999999999}').rstrip(b"=").decode()
    assert verify_identity(f"v1.{odd}.{_signature(KEY, 'v1.' + odd)}", KEY, audience=AUD) is None


def test_scopes() -> None:
    assert scope_allows(["*"], "qbr:write")
    assert scope_allows(["qbr:write"], "qbr:read") and not scope_allows(["qbr:read"], "qbr:write")
    assert scope_allows(["*:read"], "tenantsweep:read") and not scope_allows(["*:read"], "tenantsweep:write")
    assert scope_allows(["*:write"], "variance:read")
    assert not scope_allows([], "qbr:read")
    anonymous = anonymous_identity()
    assert not anonymous.authenticated and not anonymous.has_scope("qbr:read")


@pytest.fixture
async def service() -> httpx.AsyncClient:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(
        settings=SimpleNamespace(hub_internal_signing_key=KEY), spec=SimpleNamespace(name=AUD)
    )
    install_error_handlers(app)

    @app.get("/api/qbr/who")
    async def who(identity: Identity | None = Depends(current_identity)) -> dict[str, object]:
        return {"user": identity.user if identity else None}

    @app.post("/api/qbr/thresholds")
    async def write(identity: Identity = Depends(require_scope("qbr:write"))) -> dict[str, object]:
        return {"user": identity.user}

    @app.post("/api/exceptions/{exception_id}/resolve")
    async def resolve(exception_id: int, identity: Identity = Depends(require_identity)) -> dict[str, object]:
        return {"resolved_by": identity.email}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


async def test_services_verify_the_header_with_dependencies(service: httpx.AsyncClient) -> None:
    async with service as client:
        signed = {IDENTITY_HEADER: sign_identity(session_identity(), KEY, audience=AUD)}
        token = {
            IDENTITY_HEADER: sign_identity(issue_identity("token:x", "token", scopes=("qbr:read",)), KEY, audience=AUD)
        }
        forged = {IDENTITY_HEADER: sign_identity(session_identity(), "not-the-shared-key-000", audience=AUD)}

        assert (await client.get("/api/qbr/who", headers=signed)).json() == {"user": "dana@example.com"}
        assert (await client.get("/api/qbr/who", headers=forged)).json() == {"user": None}
        assert (await client.get("/api/qbr/who")).json() == {"user": None}

        assert (await client.post("/api/qbr/thresholds", headers=signed)).json() == {"user": "dana@example.com"}
        lacking = await client.post("/api/qbr/thresholds", headers=token)
        assert (lacking.status_code, lacking.json()) == (
            403,
            {
                "success": False,
                "error": {
                    "code": "FORBIDDEN",
                    "message": "The caller lacks the scope qbr:write",
                    "status": 403,
                },
            },
        )
        missing = await client.post("/api/qbr/thresholds", headers=forged)
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "UNAUTHORIZED"

        resolved = await client.post("/api/exceptions/4/resolve", headers=signed)
        assert resolved.json() == {"resolved_by": "dana@example.com"}
        anonymous = await client.post(
            "/api/exceptions/4/resolve",
            headers={IDENTITY_HEADER: sign_identity(anonymous_identity(), KEY, audience=AUD)},
        )
        assert (anonymous.status_code, anonymous.json()) == (401, {"error": "Authentication required"})


def test_a_header_minted_for_one_service_is_refused_by_another() -> None:
    """Issue 17 finding 1: the audience (the target service) is signed into the header and checked."""
    header = sign_identity(session_identity(), KEY, audience="variance")
    assert verify_identity(header, KEY, audience="variance") is not None
    assert verify_identity(header, KEY, audience="qbr") is None
    assert verify_identity(header, KEY, audience="tenantsweep") is None
    # A header without any audience (as signed before audiences existed) is refused too.
    claims = {**session_identity().to_payload()}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert verify_identity(f"v1.{payload}.{_signature(KEY, 'v1.' + payload)}", KEY, audience="qbr") is None


async def test_a_replayed_header_and_a_non_ascii_signature_are_401_not_500(service: httpx.AsyncClient) -> None:
    """Issue 17 findings 1 and 12: another service's header is not believed; a signature with a byte outside
    ASCII is a plain 401 (the comparison used to raise TypeError and the service answered 500)."""
    async with service as client:
        other = {IDENTITY_HEADER: sign_identity(session_identity(), KEY, audience="tenantsweep")}
        assert (await client.post("/api/qbr/thresholds", headers=other)).status_code == 401
        header = sign_identity(session_identity(), KEY, audience=AUD)
        version, payload, _ = header.split(".")
        odd = f"{version}.{payload}.\u00e9t\u00e9".encode("latin-1")
        answer = await client.post("/api/qbr/thresholds", headers=[(IDENTITY_HEADER.encode(), odd)])
        assert answer.status_code == 401, answer.text
        assert verify_identity(f"{version}.{payload}.\u00e9t\u00e9", KEY, audience=AUD) is None
