"""API tokens for scripts: created by the CLI, sent as Bearer, scoped, expiring, revocable, use recorded."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from gateway.auth.models import api_tokens
from gateway.auth.repository import revoke_token
from gateway.auth.service import hash_secret, parse_expiry, parse_scopes, utcnow
from gateway.definition import SPEC
from hub_shared.cli import main as cli_main

UNAUTHENTICATED = {"error": "Authentication required", "message": "Please log in to access this resource"}
INVALID_TOKEN = {
    "error": "Authentication required",
    "message": "The API token is invalid, expired or revoked",
}


async def new_token(edge: Any, scopes: list[str], *, name: str = "scanner", days: float = 30) -> str:
    async with edge.runtime.database.transaction() as db:
        secret, _ = await edge.auth.create_token(
            db, name=name, scopes=scopes, expires_at=utcnow() + timedelta(days=days)
        )
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_a_token_with_the_scope_reaches_the_service_with_its_identity(make_edge) -> None:
    async with make_edge() as edge, edge.client() as script:
        token = await new_token(edge, ["tenantsweep:write"])
        assert token.startswith("hub_") and len(token) >= 40
        created = await script.post(
            "/api/tenantsweep/audits", json={"tenant_name": "ACME", "tenant_id": "t-1"}, headers=bearer(token)
        )
        assert created.status_code == 200, created.text
        # write implies read
        assert (await script.get("/api/tenantsweep/audits", headers=bearer(token))).status_code == 200
        seen = edge.upstreams.seen[-2]
        assert (seen["service"], seen["method"], seen["path"]) == (
            "tenantsweep",
            "POST",
            "/api/tenantsweep/audits",
        )
        identity = seen["identity"]
        assert (identity.user, identity.method, identity.scopes) == (
            "token:scanner",
            "token",
            ("tenantsweep:write",),
        )
        assert identity.email is None and identity.name == "scanner"
        assert seen["authorization"] is None  # the token itself stays at the edge

        status = (await script.get("/api/auth/status", headers=bearer(token))).json()
        assert status["authenticated"] is True and status["auth_method"] == "token"
        assert status["user_email"] is None and status["user"] == {"email": None, "name": "scanner"}
        assert status["scopes"] == ["tenantsweep:write"]


async def test_a_token_without_the_scope_gets_403(make_edge) -> None:
    async with make_edge() as edge, edge.client() as script:
        token = await new_token(edge, ["qbr:read"])
        assert (await script.get("/api/qbr/smartnumbers", headers=bearer(token))).status_code == 200
        for method, path, scope in (
            ("POST", "/api/qbr/thresholds", "qbr:write"),
            ("PATCH", "/api/tenantsweep/audits/7", "tenantsweep:write"),
            ("GET", "/api/tenantsweep/audits", "tenantsweep:read"),
        ):
            refused = await script.request(method, path, json={}, headers=bearer(token))
            assert refused.status_code == 403
            assert refused.json() == {
                "error": "Access denied",
                "message": f"This API token lacks the scope {scope}",
                "required_scope": scope,
            }
        assert [s["path"] for s in edge.upstreams.seen] == ["/api/qbr/smartnumbers"]


async def test_revoked_expired_and_unknown_tokens_are_refused(make_edge) -> None:
    async with make_edge() as edge, edge.client() as script:
        token = await new_token(edge, ["*:read"], days=1)
        assert (await script.get("/api/qbr/thresholds", headers=bearer(token))).status_code == 200

        edge.auth.clock = lambda: utcnow() + timedelta(days=1, seconds=1)
        expired = await script.get("/api/qbr/thresholds", headers=bearer(token))
        assert (expired.status_code, expired.json()) == (401, INVALID_TOKEN)
        assert expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        edge.auth.clock = utcnow

        async with edge.runtime.database.transaction() as db:
            assert (await revoke_token(db, "scanner", utcnow())) is not None
        revoked = await script.get("/api/qbr/thresholds", headers=bearer(token))
        assert (revoked.status_code, revoked.json()) == (401, INVALID_TOKEN)
        # A bad token is refused even on a public route: the script should hear that it is broken.
        assert (await script.get("/api/variance-report/latest", headers=bearer(token))).status_code == 401
        unknown = await script.get("/api/qbr/thresholds", headers=bearer("hub_" + "x" * 43))
        assert (unknown.status_code, unknown.json()) == (401, INVALID_TOKEN)
        assert [s["path"] for s in edge.upstreams.seen] == ["/api/qbr/thresholds"]


async def test_last_use_is_recorded(make_edge) -> None:
    async with make_edge() as edge, edge.client() as script:
        token = await new_token(edge, ["qbr:read"])
        async with edge.runtime.database.transaction() as db:
            assert (await db.execute(select(api_tokens.c.last_used_at))).scalar_one() is None
        before = utcnow()
        assert (await script.get("/api/qbr/thresholds", headers=bearer(token))).status_code == 200
        async with edge.runtime.database.transaction() as db:
            row = (await db.execute(select(api_tokens))).one()
        assert row.last_used_at is not None and before <= row.last_used_at <= utcnow()
        assert row.token_hash == hash_secret(token) and row.prefix == token[:10]
        assert token not in str(dict(row._mapping))  # only the hash is stored


def test_scopes_and_expiry_parse_strictly() -> None:
    assert parse_scopes("qbr:read, tenantsweep:write,qbr:read") == ["qbr:read", "tenantsweep:write"]
    assert parse_scopes("*:read") == ["*:read"]
    for bad in ("qbr", "qbr:admin", "billing:read", ""):
        with pytest.raises(ValueError):
            parse_scopes(bad)
    now = utcnow()
    assert parse_expiry("2027-01-01", now).isoformat() == "2027-01-01T00:00:00+00:00"
    assert parse_expiry("2027-01-01T12:30:00Z", now).isoformat() == "2027-01-01T12:30:00+00:00"
    assert parse_expiry(None, now) - now == timedelta(days=90)
    assert parse_expiry("30d", now) - now == timedelta(days=30)
    assert parse_expiry("12h", now) - now == timedelta(hours=12)
    assert parse_expiry(" 2W ", now) - now == timedelta(weeks=2)
    with pytest.raises(ValueError, match="zero duration"):
        parse_expiry("0d", now)
    with pytest.raises(ValueError):
        parse_expiry("next tuesday", now)


def run_cli_process(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m gateway tokens ...`` as an operator runs it."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_JSON": "false"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let later runs start faster
    return subprocess.run(
        [sys.executable, "-m", "gateway", "tokens", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )


async def run_cli(settings: Any, capsys: Any, *args: str) -> tuple[int, str, str]:
    """The same command line, in this process (a thread, as it runs its own event loop)."""
    code = 0
    try:
        await asyncio.to_thread(cli_main, SPEC, ["tokens", *args], settings)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_the_cli_creates_lists_and_revokes_tokens(make_edge, database_url, capsys) -> None:
    async with make_edge() as edge, edge.client() as script:
        created = run_cli_process(
            database_url, "create", "--name", "billing-export", "--scopes", "ninja:read,variance:read",
            "--expires", "52w",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        lines = created.stdout.strip().splitlines()
        assert lines[0].startswith("Created token ") and "(billing-export)" in lines[0]
        assert "scopes ninja:read,variance:read, expires " in lines[0]
        assert lines[1] == "Store it now; it is not shown again:"
        token = lines[2]
        assert token.startswith("hub_")
        with_token = await script.get("/api/ninja/usage-changes", headers=bearer(token))
        assert with_token.status_code == 200

        settings = edge.settings
        code, _, err = await run_cli(settings, capsys, "create", "--name", "billing-export", "--scopes", "ninja:read")
        assert code == 2 and "already exists" in err
        code, _, err = await run_cli(settings, capsys, "create", "--name", "x", "--scopes", "payroll:write")
        assert code == 2 and "unknown scope(s): payroll:write" in err
        code, _, err = await run_cli(
            settings, capsys, "create", "--name", "x", "--scopes", "qbr:read", "--expires", "2001-01-01"
        )
        assert code == 2 and "the expiry must be in the future" in err
        # Issue 17 finding 12: a token lives at most a year.
        for far in ("2099-01-01", "53w", "366d"):
            code, _, err = await run_cli(
                settings, capsys, "create", "--name", "x", "--scopes", "qbr:read", "--expires", far
            )
            assert code == 2 and "the expiry may be at most 365 days away" in err, far

        code, out, _ = await run_cli(settings, capsys, "list")
        assert code == 0
        row = next(line for line in out.splitlines() if "billing-export" in line)
        assert " active " in row and "ninja:read,variance:read" in row and token[:10] in row
        assert token not in out

        code, out, _ = await run_cli(settings, capsys, "revoke", "billing-export")
        assert code == 0 and out.startswith("Revoked token ")
        assert (await script.get("/api/ninja/usage-changes", headers=bearer(token))).status_code == 401
        code, out, _ = await run_cli(settings, capsys, "list")
        assert " revoked " in out
        code, _, err = await run_cli(settings, capsys, "revoke", "no-such-token")
        assert code == 1 and "no token with id or name 'no-such-token'" in err
