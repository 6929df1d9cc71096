"""The qbr service's own commands (``python -m qbr …``), added to the shared ``serve|worker|migrate``.

``import-clients FILE`` — per-client seats and endpoints history (CSV or XLSX), columns
``period, client_name, seats, endpoints``. ``import-metrics FILE`` — monthly metrics, columns
``period, metric_name, metric_value[, vendor_id][, notes]`` or ``period`` plus one column per metric.
Both check every row first: bad rows are listed with their line numbers and then nothing is written;
``--dry-run`` prints what would change and writes nothing. Exit status: 0 done, 1 rows rejected, 2 the
file cannot be imported at all.

``audit`` — the latest manual changes (API entries, thresholds, imports) with who, when, old and new.

``collect [--snapshot-date D]`` — count Ninja snapshots into their months without the broker (the
newest snapshot of every month still held, or one date): for a first deployment, or after changing
``HUB_INTERNAL_ORGANIZATIONS``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.app import rfc3339
from hub_shared.db import Database
from qbr.audit import service as audit
from qbr.audit.service import Actor
from qbr.devices import service as devices
from qbr.imports import service
from qbr.imports.readers import ImportFileError, read_table
from qbr.settings import QbrSettings

EXIT_REJECTED = 1
EXIT_UNUSABLE = 2
AUDIT_ACTIONS = ("metric.manual", "metric.import", "threshold.set", "clients.import")


def register(commands: Any) -> None:
    """``ServiceSpec.extra_commands`` hook."""
    clients = commands.add_parser(
        "import-clients",
        help="import per-client seats and endpoints history (CSV or XLSX)",
        description="Columns: period (YYYY-MM), client_name, seats, endpoints. Bad rows are listed with "
        "their line numbers and nothing is written until they are fixed.",
    )
    _common(clients)
    clients.add_argument(
        "--replace",
        action="store_true",
        help="also remove the imported clients of each month in the file that the file leaves out",
    )
    clients.set_defaults(handler=run_import_clients)

    metrics = commands.add_parser(
        "import-metrics",
        help="import monthly metrics (CSV or XLSX)",
        description="Columns: period, metric_name, metric_value[, vendor_id][, notes] — or period plus one "
        "column per metric name. Stored as manual values; collected values are kept unless --force.",
    )
    _common(metrics)
    metrics.add_argument("--force", action="store_true", help="overwrite collected metrics (seats, endpoints)")
    metrics.set_defaults(handler=run_import_metrics)

    collect = commands.add_parser(
        "collect", help="count Ninja snapshots into monthly seats and endpoints now (no broker needed)"
    )
    collect.add_argument(
        "--snapshot-date", type=date.fromisoformat, help="YYYY-MM-DD (default: each month's newest snapshot)"
    )
    collect.set_defaults(handler=run_collect)

    trail = commands.add_parser("audit", help="print the latest manual changes (who, when, old → new)")
    trail.add_argument("--organization-id", type=int, default=1, help="QBR organisation (default 1)")
    trail.add_argument("--limit", type=int, default=50, help="how many changes, newest first (default 50)")
    trail.add_argument("--action", choices=AUDIT_ACTIONS, help="only this kind of change")
    trail.set_defaults(handler=run_audit)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a .csv or .xlsx file (first row: column names)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    parser.add_argument("--organization-id", type=int, default=1, help="QBR organisation (default 1)")
    parser.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    parser.add_argument("--actor", help="who is importing, for the audit trail (default: cli:<login name>)")


def _actor(args: argparse.Namespace) -> Actor:
    if args.actor:
        return Actor(args.actor, "cli")
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        login = "unknown"
    return Actor(f"cli:{login}", "cli")


async def _within_transaction(settings: QbrSettings, work: Callable[[AsyncSession], Awaitable[bool]]) -> None:
    """Run ``work`` in one transaction; it commits only when ``work`` says so."""
    database = Database(settings.database_url, pool_size=1, application_name="qbr-cli")
    try:
        async with database.sessionmaker() as session:
            await session.begin()
            try:
                commit = await work(session)
            except BaseException:
                await session.rollback()
                raise
            if commit:
                await session.commit()
            else:
                await session.rollback()
    finally:
        await database.dispose()


def _finish(rejected: list[service.Rejected], dry_run: bool, out: TextIO) -> int:
    if rejected:
        print("Rejected rows:", file=out)
        for item in rejected:
            print(f"  line {item.line}: {item.message}", file=out)
    if dry_run:
        print("Dry run: nothing was written.", file=out)
    elif rejected:
        print("Nothing was written: fix the rejected rows and run again.", file=out)
    else:
        print("Written.", file=out)
    return EXIT_REJECTED if rejected else 0


def _check_organization(args: argparse.Namespace) -> None:
    if not 1 <= args.organization_id <= 2_147_483_647:
        raise ImportFileError("--organization-id must be a positive integer")


def run_import_clients(args: argparse.Namespace, settings: QbrSettings, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    try:
        _check_organization(args)
        rows, rejected = service.parse_clients(read_table(args.file, args.sheet))
    except ImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)
    actor = _actor(args)
    mode = " (dry run)" if args.dry_run else ""
    print(f"Import of {args.file.name} into organisation {args.organization_id}{mode}", file=out)

    async def work(session: AsyncSession) -> bool:
        changes = await service.plan_clients(session, args.organization_id, rows, replace=args.replace)
        for change in changes:
            if change.action != "unchanged":
                print(f"  {_where(change.line)}  {change.month.label}  {change.client_name:<40} {_describe(change)}",
                      file=out)  # fmt: skip
        tally = Counter(change.action for change in changes)
        print(
            f"Summary: {tally['insert']} new, {tally['update']} updated, {tally['unchanged']} unchanged, "
            f"{tally['remove']} removed, {len(rejected)} rejected",
            file=out,
        )
        write = not args.dry_run and not rejected
        if write:
            await service.apply_clients(session, args.organization_id, changes, actor, args.file.name)
        return write

    asyncio.run(_within_transaction(settings, work))
    code = _finish(rejected, args.dry_run, out)
    if code:
        sys.exit(code)


def _where(line: int | None) -> str:
    return f"line {line:<5}" if line is not None else "-         "


def _describe(change: service.ClientChange) -> str:
    if change.action == "insert" and change.new is not None:
        return f"new: {change.new[0]} seats, {change.new[1]} endpoints"
    if change.action == "remove" and change.old is not None:
        return f"remove: {change.old[0]} seats, {change.old[1]} endpoints"
    assert change.old is not None and change.new is not None
    return f"update: seats {change.old[0]} → {change.new[0]}, endpoints {change.old[1]} → {change.new[1]}"


def run_import_metrics(args: argparse.Namespace, settings: QbrSettings, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    try:
        _check_organization(args)
        rows, rejected = service.parse_metrics(read_table(args.file, args.sheet), args.file.name)
    except ImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)
    actor = _actor(args)
    mode = " (dry run)" if args.dry_run else ""
    print(f"Import of {args.file.name} into organisation {args.organization_id}{mode}", file=out)

    async def work(session: AsyncSession) -> bool:
        plan = await service.plan_metrics(session, args.organization_id, rows, force=args.force)
        for row, change in zip(plan.rows, plan.changes, strict=True):
            if change.action == "unchanged":
                continue
            value = f"{row.metric.metric_value:f}"
            old = f"{change.old['metric_value']:f}" if change.old is not None else ""
            if change.action == "insert":
                text = f"new: {value}"
            elif change.action == "protected":
                text = f"skipped: collected value {old} is kept (use --force)"
            else:
                text = f"update: {old} → {value}"
            print(f"  {_where(row.line)}  {row.month.label}  {row.metric.metric_name:<26} {text}", file=out)
        tally = Counter(change.action for change in plan.changes)
        print(
            f"Summary: {tally['insert']} new, {tally['update']} updated, {tally['unchanged']} unchanged, "
            f"{tally['protected']} protected, {len(rejected)} rejected",
            file=out,
        )
        write = not args.dry_run and not rejected
        if write:
            await service.apply_metrics(session, args.organization_id, plan, actor, args.file.name, force=args.force)
        return write

    asyncio.run(_within_transaction(settings, work))
    code = _finish(rejected, args.dry_run, out)
    if code:
        sys.exit(code)


def run_collect(args: argparse.Namespace, settings: QbrSettings, out: TextIO | None = None) -> None:
    out = out or sys.stdout

    async def work(session: AsyncSession) -> bool:
        days = [args.snapshot_date] if args.snapshot_date else await devices.snapshot_days_to_count(session)
        if not days:
            print("No Ninja snapshot to count.", file=out)
        for day in days:
            result = await devices.collect_snapshot(session, settings, day)
            if result.applied:
                print(
                    f"{result.month.label}: snapshot {day.isoformat()}, {result.clients} clients, "
                    f"{result.seats} seats, {result.endpoints} endpoints",
                    file=out,
                )
            else:
                print(f"{result.month.label}: snapshot {day.isoformat()} not counted: {result.reason}", file=out)
        return True

    asyncio.run(_within_transaction(settings, work))


def run_audit(args: argparse.Namespace, settings: QbrSettings, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if not 1 <= args.limit <= 10_000:
        print("error: --limit must be between 1 and 10000", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)
    try:
        _check_organization(args)
    except ImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)

    async def work(session: AsyncSession) -> bool:
        rows = await audit.recent(session, args.organization_id, limit=args.limit, action=args.action)
        for row in rows:
            period = row["period"].strftime("%Y-%m") if row["period"] is not None else "-"
            change = f"{json.dumps(row['old_value'], sort_keys=True)} → {json.dumps(row['new_value'], sort_keys=True)}"
            print(
                f"{rfc3339(row['occurred_at'])}  {row['actor']} ({row['actor_source']})  {row['action']}  "
                f"{period}  {row['subject']}  {change}",
                file=out,
            )
        if not rows:
            print("No changes recorded.", file=out)
        return False

    asyncio.run(_within_transaction(settings, work))
