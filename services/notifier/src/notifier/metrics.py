"""The notifier's own Prometheus metrics (besides the shared ones every service exposes)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

DELIVERY_ATTEMPTS = Counter(
    "hub_notifier_delivery_attempts_total", "Delivery attempts, by channel kind and outcome", ["channel", "outcome"]
)
DELIVERIES = Gauge("hub_notifier_deliveries", "Deliveries by status (pending, delivered, failed, dead)", ["status"])
OLDEST_PENDING = Gauge("hub_notifier_oldest_pending_seconds", "Age of the oldest pending delivery")
SIGNALS_PENDING = Gauge("hub_notifier_signals_pending", "Consumed events not yet evaluated")
