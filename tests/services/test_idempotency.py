"""Idempotency keys in the database, on SQLite and PostgreSQL: the unique claim, taking over a
lapsed one, and pruning (`services/idempotency.py`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.retention import Retention
from trusthub.models import IdempotencyKey
from trusthub.models.base import utcnow
from trusthub.pruner import prune
from trusthub.services.idempotency import (
    Refusal,
    StoredResponse,
    complete,
    existing,
    fingerprint,
    insert_claim,
)

from ..conftest import Acct

TTL = timedelta(hours=24)
LOCK = timedelta(seconds=300)
PRINT = fingerprint("mutation { a }", None, {})
ANSWER = StoredResponse(200, "application/json", b'{"data":{"a":1}}')


async def keys(sessions: SessionFactory) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = (await session.exec(select(IdempotencyKey).order_by(col(IdempotencyKey.key)))).all()
        return [(r.key, r.state) for r in rows]


async def test_a_key_is_claimed_once_per_account(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    now = utcnow()
    # given alice's claim on a key
    async with sessions() as session:
        await insert_claim(session, alice.sid, "k1", PRINT, now, TTL)
        await session.commit()

    # when alice claims it again, the unique constraint refuses it
    async with sessions() as session:
        with pytest.raises(IntegrityError):
            await insert_claim(session, alice.sid, "k1", PRINT, now, TTL)
        await session.rollback()
        # and she is told it is in progress, or that it belongs to another request
        assert await existing(session, alice.sid, "k1", PRINT, now, LOCK) is Refusal.IN_PROGRESS
        other = fingerprint("mutation { b }", None, {})
        assert await existing(session, alice.sid, "k1", other, now, LOCK) is Refusal.MISMATCH

    # when bob claims the same key, it is his own
    async with sessions() as session:
        await insert_claim(session, bob.sid, "k1", PRINT, now, TTL)
        await session.commit()
    assert await keys(sessions) == [("k1", "IN_PROGRESS"), ("k1", "IN_PROGRESS")]


async def test_a_completed_key_answers_with_its_response(
    sessions: SessionFactory, alice: Acct
) -> None:
    now = utcnow()
    async with sessions() as session:
        row = await insert_claim(session, alice.sid, "k1", PRINT, now, TTL)
        assert await complete(session, row.id, ANSWER)
        await session.commit()
    async with sessions() as session:
        assert await existing(session, alice.sid, "k1", PRINT, now, LOCK) == ANSWER


async def test_a_taken_over_claim_stores_nothing_when_its_request_finishes(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a claim older than the lock timeout (its request presumed dead)
    claimed_at = utcnow() - LOCK - timedelta(seconds=1)
    async with sessions() as session:
        stale = await insert_claim(session, alice.sid, "k1", PRINT, claimed_at, TTL)
        await session.commit()

    # when a retry finds it: it counts as absent and is removed, and the retry claims the key
    now = utcnow()
    async with sessions() as session:
        assert await existing(session, alice.sid, "k1", PRINT, now, LOCK) is None
        fresh = await insert_claim(session, alice.sid, "k1", PRINT, now, TTL)
        await session.commit()

    # then the first request, finishing late, cannot store its answer over the retry's claim
    async with sessions() as session:
        assert not await complete(session, stale.id, ANSWER)
        await session.commit()
    async with sessions() as session:
        assert await existing(session, alice.sid, "k1", PRINT, now, LOCK) is Refusal.IN_PROGRESS
    assert fresh.id != stale.id


async def test_the_pruner_deletes_expired_keys_in_batches(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given three expired keys and one live one
    now = utcnow()
    async with sessions() as session:
        for n, age in enumerate((30, 26, 25, 1)):
            await insert_claim(session, alice.sid, f"k{n}", PRINT, now - timedelta(hours=age), TTL)
        await session.commit()

    # when the pruner runs with batches of two
    retention = Retention(
        outbox=timedelta(days=7),
        inbox=timedelta(days=7),
        delivery_attempts=timedelta(days=30),
        batch=2,
    )
    counts = await prune(sessions, retention, now=now, pause=0)

    # then the expired keys went, and only the live key is left
    assert counts.idempotency_keys == 3
    assert await keys(sessions) == [("k3", "IN_PROGRESS")]


def test_the_fingerprint_ignores_key_order_but_not_content() -> None:
    base = fingerprint("mutation M { a }", "M", {"x": 1, "y": [1, 2]})
    assert fingerprint("mutation M { a }", "M", {"y": [1, 2], "x": 1}) == base
    assert len(base) == 64
    for other in (
        fingerprint("mutation M { b }", "M", {"x": 1, "y": [1, 2]}),
        fingerprint("mutation M { a }", None, {"x": 1, "y": [1, 2]}),
        fingerprint("mutation M { a }", "M", {"x": 2, "y": [1, 2]}),
        fingerprint("mutation M { a }", "M", {"x": 1, "y": [2, 1]}),
    ):
        assert other != base
