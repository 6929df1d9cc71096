"""``python -m gateway tokens create|list|revoke``: API tokens for scripts, managed by an operator.

``create`` prints the token once (only its SHA-256 is stored; a lost token is revoked and replaced):

    python -m gateway tokens create --name tenantsweep-scanner --scopes tenantsweep:read,tenantsweep:write \\
        --expires 2027-01-01
    python -m gateway tokens list
    python -m gateway tokens revoke tenantsweep-scanner     # or by id

Scopes are ``<area>:read`` / ``<area>:write`` (write implies read), ``*:read``, ``*:write`` or ``*``; the
areas are those of the access policy (``gateway/auth/policy.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import Any

from gateway.auth.policy import AREAS
from gateway.auth.repository import TokenRow, list_tokens, revoke_token
from gateway.auth.service import AuthService, parse_expiry, parse_scopes, utcnow
from gateway.settings import GatewaySettings
from hub_shared.db import Database
from hub_shared.timefmt import rfc3339


def register(commands: Any) -> None:
    """``ServiceSpec.extra_commands`` hook: adds the ``tokens`` command and its subcommands."""
    tokens = commands.add_parser("tokens", help="create, list and revoke API tokens")
    actions = tokens.add_subparsers(dest="tokens_command", required=True)
    create = actions.add_parser("create", help="create a token and print it once")
    create.add_argument("--name", required=True, help="a unique name, e.g. tenantsweep-scanner")
    create.add_argument(
        "--scopes",
        required=True,
        help=f"comma-separated <area>:read|write; areas: {', '.join(AREAS)}",
    )
    create.add_argument(
        "--expires", help="YYYY-MM-DD (start of day, UTC), RFC 3339, or a duration (12h, 30d, 2w); default: 90 days"
    )
    actions.add_parser("list", help="list tokens (never their secrets)")
    revoke = actions.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("token", help="the token's id or name")
    tokens.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Any) -> None:
    try:
        code = asyncio.run(_run(args, settings))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    if code:
        sys.exit(code)


def _when(moment: datetime | None) -> str:
    return rfc3339(moment) if moment else "-"


def _status(row: TokenRow, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if row.expires_at <= now else "active"


async def _run(args: argparse.Namespace, settings: GatewaySettings) -> int:
    database = Database(settings.database_url, pool_size=1, application_name="gateway-tokens")
    auth = AuthService(settings, None)
    try:
        if args.tokens_command == "create":
            scopes = parse_scopes(args.scopes)
            expires_at = parse_expiry(args.expires, auth.now())
            async with database.transaction() as db:
                secret, row = await auth.create_token(db, name=args.name, scopes=scopes, expires_at=expires_at)
            scope_list = ",".join(row.scopes)
            expires = _when(row.expires_at)
            print(f"Created token {row.id} ({row.name}), scopes {scope_list}, expires {expires}")
            print("Store it now; it is not shown again:")
            print(secret)
            return 0
        if args.tokens_command == "list":
            async with database.transaction() as db:
                rows = await list_tokens(db)
            now = utcnow()
            columns = ("id", "name", "status", "scopes", "expires", "last used", "prefix")
            print("{:>4}  {:<28} {:<8} {:<36} {:<21} {:<21} {}".format(*columns))
            for row in rows:
                print(
                    f"{row.id:>4}  {row.name:<28} {_status(row, now):<8} {','.join(row.scopes):<36} "
                    f"{_when(row.expires_at):<21} {_when(row.last_used_at):<21} {row.prefix}…"
                )
            return 0
        async with database.transaction() as db:
            revoked = await revoke_token(db, args.token, auth.now())
        if revoked is None:
            print(f"error: no token with id or name {args.token!r}", file=sys.stderr)
            return 1
        print(f"Revoked token {revoked.id} ({revoked.name}) at {_when(revoked.revoked_at)}")
        return 0
    finally:
        await database.dispose()
