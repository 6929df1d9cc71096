"""Settings of the assessment service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from hub_shared.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    service_name: ClassVar[str] = "assessment"
    default_port: ClassVar[int] = 5404

    assessment_port: int = Field(default=5404, ge=1, le=65535)
    # How long after a Ninja snapshot.completed the assessment runs (0: at once). A delayed run is
    # stored in assessment.scheduled_runs and picked up by a worker, so it survives restarts and never
    # holds a broker delivery or a database transaction open while it waits.
    assessment_delay_seconds: float = Field(default=0, ge=0, le=7 * 86400)
    # Per-device results (one row per device and assessed date) are kept this many days, like the
    # snapshots they come from; assessment runs and their counts are kept forever.
    assessment_retention_days: int = Field(default=65, ge=1)
    # How often the scheduled-run worker looks for due runs (only matters with a delay).
    assessment_poll_seconds: float = Field(default=5, gt=0, le=300)
    # job.updated heartbeats while a batch's w24 job runs or waits for its delayed run.
    job_heartbeat_seconds: float = Field(default=15, gt=0)

    @property
    def port(self) -> int:
        return self.assessment_port
