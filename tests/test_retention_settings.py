"""Retention settings: a retention shorter than the longest redelivery window is refused with
the setting's name, the window being derived from the webhook retry settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from trusthub.config import Settings
from trusthub.domain.retention import Retention, webhook_retry_horizon


def settings_from_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    """Settings read as a process reads them: from its environment (no .env file)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_defaults_keep_a_week_of_messages_and_a_month_of_delivery_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # when nothing is configured
    settings = settings_from_env(monkeypatch)
    # then the outbox and inbox keep a week, the delivery log thirty days, in batches of 500
    assert settings.retention == Retention(
        outbox=timedelta(days=7),
        inbox=timedelta(days=7),
        delivery_attempts=timedelta(days=30),
        batch=500,
    )
    assert settings.prune_interval_seconds == 600


def test_the_retry_horizon_is_every_wait_at_its_longest_plus_every_timeout() -> None:
    # given callbacks tried 8 times, waiting in queues of up to 10 minutes, timing out at 10 s
    horizon = webhook_retry_horizon([1_000, 5_000, 600_000, 30_000], 8, 10)
    # then the last attempt ends at most 7 waits of 10 minutes and 8 timeouts after the event
    assert horizon == timedelta(minutes=70, seconds=80)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OUTBOX_RETENTION_HOURS", "1"),
        ("INBOX_RETENTION_HOURS", "24"),
        ("DELIVERY_ATTEMPT_RETENTION_DAYS", "1"),
    ],
)
def test_a_retention_shorter_than_the_retry_horizon_and_margin_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # when a retention is set below the default retry horizon (102.1 h: 17 waits of at most
    # 6 h and 18 timeouts of 10 s) plus the 24 h margin
    with pytest.raises(ValidationError) as refused:
        settings_from_env(monkeypatch, **{name: value})
    # then the error names the setting and the shortest value allowed
    message = str(refused.value)
    assert name in message
    assert "must be at least 126.1 h" in message


def test_the_shortest_retention_follows_the_webhook_retry_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a retention of 130 hours, accepted with the default retries
    assert settings_from_env(monkeypatch, INBOX_RETENTION_HOURS="130").inbox_retention_hours == 130

    # when callbacks and emails may wait a day in a delay queue, five times
    with pytest.raises(ValidationError) as refused:
        settings_from_env(
            monkeypatch,
            WEBHOOK_RETRY_DELAYS_MS="[60000, 86400000]",
            WEBHOOK_MAX_ATTEMPTS="6",
            EMAIL_MAX_ATTEMPTS="6",
        )

    # then the same 130 hours are refused: a horizon of five days (and six timeouts) + a day
    message = str(refused.value)
    assert "INBOX_RETENTION_HOURS must be at least 144.1 h" in message
    assert "it is 130 h" in message
    # and a retention that outlasts the new horizon is accepted
    longer = settings_from_env(monkeypatch, INBOX_RETENTION_HOURS="150")
    assert longer.retention.inbox == timedelta(hours=150)


@pytest.mark.parametrize(
    ("name", "value"),
    [("PRUNE_INTERVAL_SECONDS", "0"), ("PRUNE_BATCH_SIZE", "0"), ("PRUNE_BATCH_SIZE", "100000")],
)
def test_a_pruning_interval_or_batch_out_of_range_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        settings_from_env(monkeypatch, **{name: value})
    assert name.lower() in str(refused.value)
