"""Request bodies of the collector routes (both body forms of the spec)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub_shared.web import IsoDay

CollectorName = Literal["ninja", "threatlocker", "connectwise"]


class RunCollectorsBody(BaseModel):
    """``{"collectors": [...], "run_cross_vendor": true}`` or ``{"collector": "ninja"|"threatlocker"|"both"}``."""

    model_config = ConfigDict(extra="ignore", strict=True)  # no 0/1 for booleans, no "5" for numbers

    collectors: list[CollectorName] | None = Field(default=None, min_length=1)
    collector: Literal["ninja", "threatlocker", "both"] | None = None
    run_cross_vendor: bool = True
    snapshot_date: IsoDay | None = None
    priority: Literal["low", "normal", "high"] = "normal"

    @model_validator(mode="after")
    def _one_form(self) -> RunCollectorsBody:
        if self.collectors is not None and self.collector is not None:
            raise ValueError("send either 'collectors' or 'collector', not both")
        return self

    def vendors(self) -> tuple[CollectorName, ...]:
        if self.collector is not None:
            return ("ninja", "threatlocker") if self.collector == "both" else (self.collector,)
        chosen = self.collectors or ["ninja", "threatlocker"]
        return tuple(dict.fromkeys(chosen))  # keep order, drop repeats


# ------------------------------------------------------------------------------------------ answers


class Shape(BaseModel):
    """An answer of the spec: exactly these fields (a field a route adds without declaring it fails loudly)."""

    model_config = ConfigDict(extra="forbid")


class Job(Shape):
    job_id: str
    batch_id: str
    job_name: str
    status: str
    started_at: str | None
    updated_at: str | None
    ended_at: str | None
    progress_percent: int | None
    message: str | None
    error: str | None
    duration_seconds: int | None
    queued_at: str | None
    last_heartbeat: str | None


class JobWithBatch(Job):
    batch_status: str | None
    batch_progress_percent: int | None
    estimated_completion: str | None
    batch_message: str | None


class HistoryJob(Job):
    duration: str | None


class Batch(Shape):
    batch_id: str
    status: str
    progress_percent: int | None
    estimated_completion: str | None
    started_at: str | None
    updated_at: str | None
    ended_at: str | None
    message: str | None
    error: str | None
    trigger: str | None
    requested_by: str | None
    snapshot_date: str | None
    run_cross_vendor: bool
    collectors: list[Job]
    duration_seconds: int | None


class RunAccepted(Batch):
    failed_jobs: list[Job]
    status_url: str


class RunConflictAnswer(Shape):
    error: str
    batch_id: str | None
    status: Literal["conflict"]
    running_jobs: list[Job]


class LatestRuns(Shape):
    latest_runs: list[JobWithBatch]
    total_runs: int
    generated_at: str


class CollectorState(Shape):
    status: Literal["running", "queued", "active", "inactive"]
    last_run: str | None
    last_status: str | None
    last_message: str | None
    worker_ready: bool


class CollectorsStatus(Shape):
    ninja: CollectorState
    threatlocker: CollectorState
    connectwise: CollectorState


class History(Shape):
    collection_history: list[HistoryJob]
    total_runs: int
    generated_at: str


class CleanedJob(Shape):
    """A job failed as stale."""

    job_id: str
    job_name: str
    started_at: str | None
    seconds_running: int
    reason: str


class ActiveCollection(Shape):
    job_id: str
    batch_id: str
    job_name: str
    started_at: str | None
    status: str
    message: str | None
    progress_percent: int | None
    is_active: bool
    process_running: bool
    last_heartbeat: str | None
    elapsed_seconds: int
    elapsed_time: str | None


class Progress(Shape):
    active_collections: list[ActiveCollection]
    total_active: int
    cleaned_stale_jobs: list[CleanedJob]
    generated_at: str


class CleanupResult(Shape):
    success: bool
    cleaned_jobs: list[CleanedJob]
    total_cleaned: int
    message: str
