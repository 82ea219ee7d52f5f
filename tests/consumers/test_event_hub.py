"""The gateway's EventHub on its own (no broker): which subscriber gets which event, in which
order, and what happens to one that stops reading."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from trusthub.consumers import subscriptions
from trusthub.consumers.subscriptions import EventHub
from trusthub.messaging.messages import StatusChanged

ALICE, BOB = "AC" + "a" * 32, "AC" + "b" * 32
ONE, TWO = "BU" + "1" * 32, "BU" + "2" * 32
FLOW = ("DRAFT", "PENDING_REVIEW", "IN_REVIEW", "APPROVED")


def event(account: str, subject: str, sequence: int) -> StatusChanged:
    return StatusChanged(
        subject_sid=subject,
        subject_type="CUSTOMER_PROFILE",
        account_sid=account,
        previous_status=FLOW[sequence - 1],
        status=FLOW[sequence],
        sequence=sequence,
    )


async def take(events: AsyncIterator[StatusChanged], count: int) -> list[tuple[str, int]]:
    got = []
    async with asyncio.timeout(2):
        for _ in range(count):
            e = await anext(events)
            got.append((e.subject_sid, e.sequence))
    return got


async def test_each_subscriber_gets_its_own_events_in_sequence_order_once() -> None:
    # given a subscriber to alice's account and one to a single subject of hers
    hub = EventHub(reorder_wait=1.0)
    async with (
        hub.subscribe(account_sid=ALICE, subject_sid=None) as everything,
        hub.subscribe(account_sid=ALICE, subject_sid=TWO) as one_subject,
    ):
        waiting = asyncio.create_task(take(one_subject, 3))
        await asyncio.sleep(0)  # it is waiting for its first event
        # when events arrive out of order, duplicated, and for bob too
        hub.accept(event(ALICE, ONE, 1))
        hub.accept(event(ALICE, TWO, 1))
        hub.accept(event(ALICE, TWO, 3))
        hub.accept(event(BOB, "BU" + "9" * 32, 1))
        hub.accept(event(ALICE, TWO, 2))
        hub.accept(event(ALICE, TWO, 2))

        # then each subscriber gets what it asked for, each subject in order, once
        assert await take(everything, 4) == [(ONE, 1), (TWO, 1), (TWO, 2), (TWO, 3)]
        assert await waiting == [(TWO, 1), (TWO, 2), (TWO, 3)]


async def test_a_subscriber_that_stops_reading_is_dropped_after_its_backlog(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a hub that lets a subscriber fall three events behind
    monkeypatch.setattr(subscriptions, "MAX_PENDING", 3)
    hub = EventHub()
    async with hub.subscribe(account_sid=ALICE, subject_sid=None) as events:
        # when four events arrive while it reads none
        for n, subject in enumerate("3456"):
            hub.accept(event(ALICE, "BU" + subject * 32, 1 + n % 3))

        # then it is dropped, gets the three it had, and its stream ends
        assert hub.subscriber_count == 0
        received = [e.subject_sid[2] async for e in events]
        assert received == ["3", "4", "5"]
