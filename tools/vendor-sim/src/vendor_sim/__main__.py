"""Command line: run the simulator under uvicorn (`python -m vendor_sim --port 5409 --devices 2000`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from vendor_sim.config import DEFAULT_TL_PARENT_ORG_ID, DEFAULT_TPM_FIELDS, SimConfig
from vendor_sim.faults import FaultRule


def _fail_page(value: str) -> dict[str, Any]:
    parts = value.split(":")
    if not 2 <= len(parts) <= 4:
        raise argparse.ArgumentTypeError("expected TARGET:PAGE[:COUNT[:STATUS]]")
    rule: dict[str, Any] = {"kind": "server_error", "target": parts[0], "page": int(parts[1])}
    if len(parts) > 2 and parts[2]:
        rule["count"] = int(parts[2])
    if len(parts) > 3:
        rule["status"] = int(parts[3])
    return rule


def _truncate(value: str) -> dict[str, Any]:
    target, _, drop = value.partition(":")
    if not drop:
        raise argparse.ArgumentTypeError("expected TARGET:DROP")
    return {"kind": "truncate", "target": target, "drop": int(drop)}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vendor_sim", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5409)
    p.add_argument("--devices", type=int, default=2000, help="Ninja device count on day 0")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--day", type=int, default=0, help="starting fleet day")
    p.add_argument("--reference-date", type=date.fromisoformat, help="date of day 0 (default: today, UTC)")
    p.add_argument("--token-ttl", type=int, default=3600, help="Ninja access-token lifetime, seconds")
    p.add_argument("--client-id", default="sim-client")
    p.add_argument("--client-secret", default="sim-secret")
    p.add_argument("--tpm-fields", default=",".join(DEFAULT_TPM_FIELDS), help="five comma-separated names")
    p.add_argument("--tl-api-key", default="sim-tl-key")
    p.add_argument("--tl-org-id", default=DEFAULT_TL_PARENT_ORG_ID, help="ThreatLocker parent organisation")
    p.add_argument("--internal-org", default="Summit Tech Partners", help="the MSP's own organisation")
    p.add_argument("--exempt-location", action="append", help="spare-exempt location (repeatable; default Shop Spares)")
    cw = p.add_argument_group("ConnectWise Manage")
    cw.add_argument("--cw-company", default="summitsim", help="company id (the Basic user is <company>+<public>)")
    cw.add_argument("--cw-public-key", default="sim-cw-public")
    cw.add_argument("--cw-private-key", default="sim-cw-private")
    cw.add_argument("--cw-client-id", default="sim-cw-client", help="the clientId header every call needs")
    cw.add_argument("--cw-tickets-per-month", type=int, default=120)
    cw.add_argument("--cw-timezone", default="America/Chicago", help="zone of the planted month boundaries")
    faults = p.add_argument_group("faults (same rules as POST /_sim/faults)")
    faults.add_argument("--fault", action="append", default=[], type=json.loads, help="a fault rule as JSON")
    faults.add_argument("--rate-limit", type=int, metavar="COUNT", help="429 for the next COUNT requests")
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds of --rate-limit")
    faults.add_argument(
        "--fail-page", action="append", default=[], type=_fail_page, metavar="TARGET:PAGE[:COUNT[:STATUS]]"
    )
    faults.add_argument("--delay-ms", type=int, help="delay every vendor response")
    faults.add_argument("--truncate", action="append", default=[], type=_truncate, metavar="TARGET:DROP")
    p.add_argument("--log-level", default="info")
    return p


def config_from_args(args: argparse.Namespace) -> SimConfig:
    rules: list[dict[str, Any]] = [*args.fault, *args.fail_page, *args.truncate]
    if args.rate_limit:
        rules.append({"kind": "rate_limit", "count": args.rate_limit, "retry_after": args.retry_after})
    if args.delay_ms:
        rules.append({"kind": "delay", "ms": args.delay_ms})
    for rule in rules:
        FaultRule.model_validate(rule)  # fail at start, not on the first request
    tpm = tuple(name.strip() for name in args.tpm_fields.split(","))
    if len(tpm) != 5:
        raise ValueError("--tpm-fields needs exactly five names")
    return SimConfig(
        devices=args.devices,
        seed=args.seed,
        day=args.day,
        reference_date=args.reference_date,
        token_ttl=args.token_ttl,
        ninja_client_id=args.client_id,
        ninja_client_secret=args.client_secret,
        tpm_fields=tpm,  # type: ignore[arg-type]
        tl_api_key=args.tl_api_key,
        tl_parent_org_id=args.tl_org_id,
        internal_org_name=args.internal_org,
        spare_exempt_locations=tuple(args.exempt_location or ("Shop Spares",)),
        cw_company_id=args.cw_company,
        cw_public_key=args.cw_public_key,
        cw_private_key=args.cw_private_key,
        cw_client_id=args.cw_client_id,
        cw_tickets_per_month=args.cw_tickets_per_month,
        cw_timezone=args.cw_timezone,
        faults=rules,
    )


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    from vendor_sim.app import create_app

    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
        app = create_app(config, prebuild=True)
    except ValueError as exc:
        print(f"vendor_sim: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
