"""When failed notifications are tried again, and how long a receiver may be down before one is
given up: pure, no I/O."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trusthub.config import Settings
from trusthub.domain.retries import (
    backoff_ms,
    delay_queue_for,
    retry_after_ms,
    retry_horizon,
)

CUSTOMERS_DOC = Path(__file__).resolve().parents[2] / "docs" / "customers.md"


def describe_duration(duration: timedelta) -> str:
    """`26 h 35 min`: how the README states the horizon (minutes rounded down)."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def test_backoff_grows_exponentially_within_its_jitter() -> None:
    # given / when
    lowest = [backoff_ms(n, rand=lambda: 0.0) for n in range(1, 6)]
    highest = [backoff_ms(n, rand=lambda: 0.999999) for n in range(1, 6)]

    # then: half of 1 s·2^(n-1) is fixed, the other half random
    assert lowest == [500, 1_000, 2_000, 4_000, 8_000]
    assert highest == [999, 1_999, 3_999, 7_999, 15_999]
    assert backoff_ms(100, rand=lambda: 0.0) == 10_800_000  # capped at six hours


def test_a_wait_is_rounded_up_to_a_delay_queue() -> None:
    # given the delay queues, in any order
    delays = [30_000, 1_000, 5_000]

    # when / then: the shortest queue at least as long, or the longest there is
    assert delay_queue_for(1, delays) == 1_000
    assert delay_queue_for(1_000, delays) == 1_000
    assert delay_queue_for(1_001, delays) == 5_000
    assert delay_queue_for(10**9, delays) == 30_000


def test_retry_after_reads_seconds_and_http_dates() -> None:
    # given
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    # when / then
    assert retry_after_ms("120", now) == 120_000
    assert retry_after_ms(" 7 ", now) == 7_000
    assert retry_after_ms("Sun, 01 Mar 2026 12:01:30 GMT", now) == 90_000
    assert retry_after_ms("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0
    assert retry_after_ms("soon", now) is None
    assert retry_after_ms(None, now) is None


@pytest.mark.parametrize(
    "value",
    [
        "²",  # a digit to str.isdigit(), not to int()
        "٣",  # Arabic-Indic three: int() reads it, HTTP does not
        "1²",
        "9" * 5000,  # past int()'s digit limit
        "Sun, 01 Mar 99999 12:00:00 GMT",
        "Sun, 01 Mar 2026 25:61:00 GMT",
        "\x00",
    ],
)
def test_an_unreadable_retry_after_is_ignored_never_raised(value: str) -> None:
    # given a header value no HTTP date or delay-seconds grammar allows
    # when it is read, then it counts as absent
    assert retry_after_ms(value, datetime(2026, 3, 1, tzinfo=UTC)) is None


def test_the_horizon_sums_the_shortest_waits_of_a_series() -> None:
    # given delay queues of 1 s and 5 s and four attempts (three waits: 1, 1, 5 s at the low
    # end of the jitter: 0.5 s, 1 s and 2 s rounded up to a queue)
    # when / then
    assert retry_horizon([1_000, 5_000], 4) == timedelta(seconds=7)
    assert retry_horizon([1_000, 5_000], 1) == timedelta(0)


def test_with_the_default_settings_a_callback_survives_a_day_of_downtime() -> None:
    # given the defaults
    settings = Settings.model_construct()  # the defaults, whatever the environment says

    # when the horizon is computed
    horizon = retry_horizon(settings.webhook_retry_delays_ms, settings.webhook_max_attempts)
    emails = retry_horizon(settings.webhook_retry_delays_ms, settings.email_max_attempts)

    # then a receiver may be down at least 24 hours (Standard Webhooks' and Stripe's practice)
    assert horizon >= timedelta(hours=24)
    assert emails >= timedelta(hours=24)


def test_the_customers_doc_states_the_default_horizon() -> None:
    # given the status callback section of docs/customers.md and the default settings
    text = CUSTOMERS_DOC.read_text()
    settings = Settings.model_construct()  # the defaults, whatever the environment says
    horizon = retry_horizon(settings.webhook_retry_delays_ms, settings.webhook_max_attempts)

    # when the number it states is read
    stated = re.search(r"no sooner than\s+\*\*(.+?)\*\*\s+after", text)

    # then it is the horizon of the defaults
    assert stated is not None
    assert stated.group(1) == describe_duration(horizon)
    assert describe_duration(timedelta(hours=26, minutes=35, seconds=12)) == "26 h 35 min"
    assert describe_duration(timedelta(minutes=3, seconds=59)) == "3 min"
    assert describe_duration(timedelta(hours=2)) == "2 h"
