"""Security headers on every answer and HTTPS served directly (the /docs and console policies: tests/console)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.definition import SPEC
from hub_shared.app import create_app
from hub_shared.cli import uvicorn_options
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.servers import free_port


async def test_api_answers_carry_the_security_headers(make_edge) -> None:
    async with make_edge() as edge, edge.client() as client:
        for answer in (
            await client.get("/api/qbr/metrics/devices-by-client"),  # proxied
            await client.get("/api/qbr/smartnumbers"),  # refused at the edge
            await client.get("/api/auth/status"),  # the gateway's own
        ):
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["x-frame-options"] == "DENY"
            assert answer.headers["referrer-policy"] == "no-referrer"
            assert answer.headers["content-security-policy"].startswith("default-src 'none'")
            assert "strict-transport-security" not in answer.headers  # plain HTTP here
        assert (await client.get("/api/auth/status")).headers["cache-control"] == "no-store"


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


async def test_https_is_served_directly_with_hsts(service_settings, tmp_path: Path) -> None:
    cert_file, key_file = self_signed(tmp_path)
    settings = service_settings(SPEC, tls_cert_file=cert_file, tls_key_file=key_file, log_json=False)
    options = uvicorn_options(settings)  # what `python -m gateway serve` hands uvicorn
    assert options == {
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
        "ssl_certfile": str(cert_file),
        "ssl_keyfile": str(key_file),
    }
    port = free_port()
    app = create_app(ServiceRuntime(SPEC, settings, run_worker=False))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, **options)
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "server stopped before starting"
            await asyncio.sleep(0.02)
        trust = ssl.create_default_context(cafile=str(cert_file))
        async with httpx.AsyncClient(verify=trust, timeout=10) as client:
            answer = await client.get(f"https://127.0.0.1:{port}/api/auth/status")
            assert answer.status_code == 401 and answer.json() == {"authenticated": False}
            assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
            assert answer.headers["x-frame-options"] == "DENY"
        async with httpx.AsyncClient(timeout=5) as plain:
            try:
                await plain.get(f"http://127.0.0.1:{port}/health")
                spoke_plain_http = True
            except httpx.HTTPError:
                spoke_plain_http = False
        assert not spoke_plain_http
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def test_hsts_is_sent_whenever_the_public_url_is_https(make_edge) -> None:
    """Issue 17 finding 5 / issue 15 defect 4: behind an ingress that ends TLS the gateway speaks plain
    HTTP, yet browsers reach it over https: the public URL decides."""
    async with make_edge(public_base_url="https://hub.example.com") as edge, edge.client() as client:
        for path in ("/api/auth/status", "/api/qbr/metrics/devices-by-client", "/docs"):
            answer = await client.get(path)
            assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains", path


@contextlib.asynccontextmanager
async def served_like_the_cli(settings) -> AsyncIterator[str]:
    """The gateway under uvicorn with the options `python -m gateway serve` gives it."""
    port = free_port()
    app = create_app(ServiceRuntime(SPEC, settings, run_worker=False))
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, **uvicorn_options(settings)
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "server stopped before starting"
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def test_the_trusted_proxies_are_a_setting(service_settings) -> None:
    """Issue 17 finding 5 / issue 15 defect 4: FORWARDED_ALLOW_IPS decides whose X-Forwarded-For is the
    client: from a trusted proxy each client has its own sign-in bucket (one attacker cannot exhaust it
    for everyone); from anyone else the header is ignored."""

    async def logins(forwarded_allow_ips: str) -> list[int]:
        settings = service_settings(SPEC, forwarded_allow_ips=forwarded_allow_ips, rate_limit_login_per_minute=1)
        async with served_like_the_cli(settings) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
            statuses = []
            for client_ip in ("203.0.113.7", "198.51.100.9", "203.0.113.7"):
                headers = {"x-forwarded-for": client_ip, "x-forwarded-proto": "https"}
                statuses.append((await client.get("/api/auth/microsoft/login", headers=headers)).status_code)
            return statuses

    # 503: sign-in is not configured here, but the rate limiter ran first.
    assert await logins("127.0.0.1") == [503, 503, 429]
    assert await logins("10.0.0.0/8, 192.0.2.1") == [503, 429, 429]


def test_forwarded_allow_ips_must_be_addresses_or_networks() -> None:
    from hub_shared.settings import ServiceSettings

    assert ServiceSettings(forwarded_allow_ips=" 10.0.0.0/8 , ::1 ").forwarded_allow_ips == "10.0.0.0/8,::1"
    assert ServiceSettings(forwarded_allow_ips="*").forwarded_allow_ips == "*"
    for bad in ("ingress.local", "10.0.0.0/33", ""):
        with pytest.raises(ValueError):
            ServiceSettings(forwarded_allow_ips=bad)
