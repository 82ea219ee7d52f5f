"""The metric names the Grafana dashboard (deploy/grafana/dashboards) may query: trusthub's own,
as src/trusthub/metrics.py exports them, and RabbitMQ's queue depths from its Prometheus plugin.
tests/test_compose.py checks the dashboard names no other; change both together."""

from __future__ import annotations

TRUSTHUB_METRICS = frozenset(
    {
        "trusthub_messages_consumed_total",
        "trusthub_messages_settled_total",
        "trusthub_reviews",
        "trusthub_reviews_sla_breached",
        "trusthub_review_decision_seconds_bucket",
        "trusthub_outbox_unsent",
        "trusthub_outbox_oldest_unsent_age_seconds",
        "trusthub_delivery_attempts_total",
    }
)
RABBITMQ_METRICS = frozenset({"rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked"})
DASHBOARD_METRICS = TRUSTHUB_METRICS | RABBITMQ_METRICS
