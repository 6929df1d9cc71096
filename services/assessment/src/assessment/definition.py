"""What the assessment service is: its schema, settings, routes, consumers, workers and ``assess`` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from typing import Any

from assessment.models import SCHEMA, messaging, metadata
from assessment.results.routes import router as results_router
from assessment.runs.consumers import make_snapshot_handler
from assessment.runs.routes import router as runs_router
from assessment.runs.service import NoSnapshot, RunSummary, assess_snapshot, summary_output
from assessment.schedule.workers import scheduled_run_worker
from assessment.settings import AssessmentSettings
from hub_shared.progress import ConsoleProgress
from hub_shared.runtime import ConsumerSpec, ServiceRuntime, ServiceSpec
from hub_shared.timefmt import rfc3339


def add_commands(commands: Any) -> None:
    assess = commands.add_parser("assess", help="assess a Ninja snapshot now (no broker needed)")
    assess.add_argument("--snapshot-date", type=date.fromisoformat, help="YYYY-MM-DD (default: the latest)")
    assess.set_defaults(handler=assess_once)


def assess_once(args: argparse.Namespace, settings: AssessmentSettings) -> None:
    console = ConsoleProgress("Windows 11 24H2 assessment")

    async def progress(percent: int, message: str) -> None:
        console.update(percent, message)

    async def run() -> RunSummary:
        runtime = ServiceRuntime(SPEC, settings, run_worker=False)
        try:
            async with runtime.database.transaction() as session:
                return await assess_snapshot(
                    session,
                    args.snapshot_date,
                    trigger="cli",
                    producer=SPEC.name,
                    retention_days=settings.assessment_retention_days,
                    progress=progress,
                )
        finally:
            await runtime.stop()

    try:
        summary = asyncio.run(run())
    except NoSnapshot as exc:
        console.close()
        print(exc, file=sys.stderr)
        sys.exit(1)
    console.close(f"{summary.device_count:,} devices assessed")
    print(summary_output(summary, rfc3339(datetime.now(UTC))))


SPEC = ServiceSpec(
    name="assessment",
    package="assessment",
    schema=SCHEMA,
    settings_cls=AssessmentSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub Windows 11 assessment",
    routers=lambda: (results_router, runs_router),
    consumers=(ConsumerSpec("snapshots", ("snapshot.completed",), make_snapshot_handler),),
    workers=(scheduled_run_worker,),
    extra_commands=add_commands,
)
