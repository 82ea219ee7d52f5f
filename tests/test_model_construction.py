"""Building table rows: pydantic is asked once per default factory whether it takes the
validated data, not once per row (`models/base.py`; it ran `inspect.signature` every time)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from pydantic._internal import _fields, _typing_extra

from trusthub.models import OutboxMessage, Review
from trusthub.models.base import utcnow


def rows() -> None:
    Review(
        sid="RV" + "0" * 32,
        account_sid="AC" + "0" * 32,
        subject_sid="BU" + "0" * 32,
        subject_type="customer_profile",
        status="PENDING",
        submitted_at=utcnow(),
        due_at=utcnow(),
    )
    OutboxMessage(exchange="reviews", routing_key="review.requested", message_type="t", payload={})


def test_factories_are_inspected_once_not_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # given rows of two tables built once (their factories seen)
    rows()
    inspected: list[object] = []
    real = _typing_extra.signature_no_eval

    def counting(factory: Callable[..., Any]) -> inspect.Signature:
        inspected.append(factory)
        return real(factory)

    monkeypatch.setattr(_typing_extra, "signature_no_eval", counting)
    # when a hundred more are built
    for _ in range(100):
        rows()
    # then no factory was inspected again, and the rows still got their defaults
    assert inspected == []
    assert OutboxMessage(exchange="e", routing_key="r", message_type="t", payload={}).message_id


def test_an_unhashable_factory_is_still_answered() -> None:
    class Factory:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self) -> list[str]:
            return []

    assert _fields.takes_validated_data_argument(Factory()) is False
