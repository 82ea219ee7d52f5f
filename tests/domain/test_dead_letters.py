"""Reading a dead letter's death from its headers, counting its deliveries, and the error text
kept for an operator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from trusthub.domain.dead_letters import (
    ERROR_MAX,
    Death,
    deliveries,
    describe_error,
    last_death,
)
from trusthub.messaging.messages import decode

WHEN = datetime(2026, 12, 4, 17, 5, 8, tzinfo=UTC)
RETRIED_THEN_DEAD = {
    "x-death": [
        {
            "count": 1,
            "exchange": "",
            "queue": "th.webhooks",
            "reason": "delivery_limit",
            "routing-keys": ["th.webhooks"],
            "time": WHEN,
        },
        {
            "count": 1,
            "reason": "expired",
            "queue": "th.retry.300",
            "time": datetime(2026, 12, 4, 17, 5, 1, tzinfo=UTC),
            "exchange": "th.retry",
            "routing-keys": ["delay.300"],
        },
    ],
    "x-first-death-exchange": "th.retry",
    "x-first-death-queue": "th.retry.300",
    "x-first-death-reason": "expired",
}


def test_the_latest_death_is_the_one_that_counts() -> None:
    # when the headers of a retry that expired, then failed in the webhooks queue, are read
    death = last_death(RETRIED_THEN_DEAD)

    # then the death in the webhooks queue is the one reported
    assert death == Death("th.webhooks", "delivery_limit", "", "th.webhooks", WHEN)


def test_a_naive_death_time_is_taken_as_utc() -> None:
    headers = {"x-death": [{**RETRIED_THEN_DEAD["x-death"][0], "time": WHEN.replace(tzinfo=None)}]}  # type: ignore[index]
    death = last_death(headers)
    assert death is not None
    assert death.dead_at == WHEN


def test_without_x_death_the_first_death_headers_are_used() -> None:
    headers = {k: v for k, v in RETRIED_THEN_DEAD.items() if k != "x-death"}
    assert last_death(headers) == Death("th.retry.300", "expired", "th.retry", "", None)


def test_a_message_that_never_died_has_no_death() -> None:
    assert last_death({"x-trace": "t"}) is None
    assert last_death({"x-death": "garbage"}) is None


@pytest.mark.parametrize(
    ("reason", "failed_delivery", "expected"),
    [
        ("delivery_limit", None, 6),  # the delivery after the limit (5) killed it
        ("delivery_limit", 0, 6),
        ("rejected", 0, 1),
        ("rejected", 2, 3),
        ("rejected", None, 1),
        ("expired", None, 0),
    ],
)
def test_deliveries(reason: str, failed_delivery: int | None, expected: int) -> None:
    assert deliveries(reason, 5, failed_delivery) == expected


def test_an_undecodable_body_is_described_without_its_values() -> None:
    # given a body whose values are personal data and wrong
    body = b'{"type": "decision.made", "outcome": "grace@example.com", "review_sid": 7}'
    with pytest.raises(ValidationError) as caught:
        decode(body)

    # when its error is described
    text = describe_error(caught.value)

    # then it names each field and problem, and none of the values
    assert text.startswith("undecodable: ")
    assert "decision.made.outcome: Input should be 'APPROVED' or 'REJECTED'" in text
    assert "decision.made.review_sid: Input should be a valid string" in text
    assert "decision.made.subject_sid: Field required" in text
    assert "grace@example.com" not in text


def test_a_failed_statement_is_described_without_its_sql_and_parameters() -> None:
    # given the error SQLAlchemy raises for a statement with personal data in its parameters
    error = sa.exc.IntegrityError(
        "INSERT INTO t (email) VALUES (?)", ("grace@example.com",), Exception("value too long")
    )

    # when it is described
    text = describe_error(error)

    # then the type and the database's message remain, the statement and parameters do not
    assert text.startswith("IntegrityError: ")
    assert "value too long" in text
    assert "grace@example.com" not in text
    assert "INSERT" not in text


def test_a_long_error_is_cut_short() -> None:
    text = describe_error(RuntimeError("x" * 5000))
    assert len(text) == ERROR_MAX
    assert text.startswith("RuntimeError: xxx")
    assert text.endswith("…")
    assert describe_error(RuntimeError()) == "RuntimeError"
