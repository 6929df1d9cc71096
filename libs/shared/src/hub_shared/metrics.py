"""Prometheus metrics every service exposes on ``/metrics``.

One module-level set of collectors per process, labelled with the service name, so alert rules and
dashboards read the same names everywhere (see ``deploy/prometheus``).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter("hub_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "hub_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BUS_PUBLISHED = Counter("hub_bus_published_total", "Events published and confirmed", ["service", "type"])
BUS_CONSUMED = Counter("hub_bus_consumed_total", "Events consumed, by outcome", ["service", "queue", "type", "outcome"])
BUS_DEAD_LETTERED = Counter(
    "hub_bus_dead_lettered_total", "Events sent to the dead-letter queue", ["service", "queue", "type"]
)
BUS_HANDLER_LATENCY = Histogram(
    "hub_bus_handler_duration_seconds",
    "Event handler latency, including its transaction",
    ["service", "queue", "type"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)
OUTBOX_BACKLOG = Gauge("hub_outbox_backlog", "Outbox events not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("hub_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event", ["service"])
# Gateway only: seconds since each active job's last sign of life (heartbeat, else start, else creation), the
# same clock the stale check uses; 0 once no job of that name is active.
JOB_HEARTBEAT_AGE = Gauge(
    "hub_job_heartbeat_age_seconds", "Seconds since the last heartbeat of the active job of this name", ["job_name"]
)
READY = Gauge("hub_ready", "1 when the service is ready (database, broker, consumers)", ["service"])


def render_latest() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
