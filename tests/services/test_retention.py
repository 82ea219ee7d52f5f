"""Pruning the outbox, the inbox and the delivery log on SQLite and PostgreSQL: old rows go in
bounded batches, unsent outbox rows and recent rows stay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from trusthub.db import SessionFactory
from trusthub.domain.retention import Retention
from trusthub.messaging.relay import relay_once
from trusthub.models.base import utcnow
from trusthub.pruner import count_prunable, prune
from trusthub.services.retention import PruneCounts

from ..conftest import MakeAccount
from ..messaging import open_broker
from ..messaging.conftest import short_topology
from ..retention_rows import Left, attempts, deletes, inbox, left, outbox

WEEK = timedelta(days=7)
RETENTION = Retention(outbox=WEEK, inbox=WEEK, delivery_attempts=timedelta(days=30), batch=500)
TABLES = ("outbox_message", "inbox_message", "delivery_attempt")
AGE_INDEXES = {
    "outbox_message": "ix_outbox_unsent",  # (sent_at, id)
    "inbox_message": "ix_inbox_message_processed_at",
    "delivery_attempt": "ix_delivery_attempt_attempted_at",
    "idempotency_key": "ix_idempotency_key_expires_at",
}


async def test_old_rows_go_recent_and_unsent_rows_stay(
    sessions: SessionFactory, make_account: MakeAccount, namespace: str
) -> None:
    # given rows the relay sent, a consumer processed and the notifier logged, then a moment
    account = await make_account()
    async with open_broker("memory://", short_topology(namespace)) as broker:
        old_sent = await outbox(sessions, 3, sent_at=None)
        assert await relay_once(sessions, broker) == 3
        old_inbox = await inbox(sessions, 3)
        old_attempts = await attempts(sessions, account.sid, 3)
        await asyncio.sleep(0.002)
        moment = utcnow()
        await asyncio.sleep(0.002)
        # and the same again after that moment, plus outbox rows the relay has not sent yet
        new_sent = await outbox(sessions, 2, sent_at=None)
        assert await relay_once(sessions, broker) == 2
    new_inbox = await inbox(sessions, 2)
    new_attempts = await attempts(sessions, account.sid, 2)
    unsent = await outbox(sessions, 2, sent_at=None)

    # when pruning runs as long after that moment as each table is kept
    same_age = Retention(outbox=WEEK, inbox=WEEK, delivery_attempts=WEEK)
    counts = await prune(sessions, same_age, now=moment + WEEK, pause=0)

    # then the rows from before the moment are gone, the later and the unsent ones stay
    assert counts == PruneCounts(outbox=3, inbox=3, delivery_attempts=3)
    now_left = await left(sessions)
    assert now_left == Left(new_sent, unsent, new_inbox, new_attempts)
    assert not now_left.outbox & old_sent
    assert not now_left.inbox & old_inbox
    assert not now_left.attempts & old_attempts

    # when pruning runs ten years later
    later = await prune(sessions, same_age, now=utcnow() + timedelta(days=3650), pause=0)

    # then every sent, processed and logged row is gone, and the unsent rows are still there
    assert later == PruneCounts(outbox=2, inbox=2, delivery_attempts=2)
    assert await left(sessions) == Left(set(), unsent, set(), set())


async def test_each_statement_deletes_at_most_a_batch(
    sessions: SessionFactory, engine: AsyncEngine, make_account: MakeAccount
) -> None:
    # given 1,200 rows in each table, all older than their retention
    account = await make_account()
    long_ago = utcnow() - timedelta(days=400)
    await outbox(sessions, 1200, sent_at=long_ago)
    await inbox(sessions, 1200, processed_at=long_ago)
    await attempts(sessions, account.sid, 1200, attempted_at=long_ago)

    # when pruning runs with batches of 500
    with deletes(engine) as seen:
        counts = await prune(sessions, RETENTION, pause=0)

    # then each table took three statements of at most 500 rows, and every row is gone
    assert counts == PruneCounts(outbox=1200, inbox=1200, delivery_attempts=1200)
    for table in TABLES:
        assert seen.rowcounts(table) == [500, 500, 200], table
    # nine for these tables, one for the (empty) idempotency keys
    assert len(seen.seen) == 10
    now_left = await left(sessions)
    assert (now_left.outbox, now_left.inbox, now_left.attempts) == (set(), set(), set())


async def test_a_dry_run_counts_without_deleting(
    sessions: SessionFactory, engine: AsyncEngine, make_account: MakeAccount
) -> None:
    # given old and recent rows in each table, and unsent outbox rows older than any retention
    account = await make_account()
    long_ago = utcnow() - timedelta(days=400)
    await outbox(sessions, 4, sent_at=long_ago)
    await outbox(sessions, 1, sent_at=utcnow())
    await outbox(sessions, 2, sent_at=None)
    await inbox(sessions, 3, processed_at=long_ago)
    await inbox(sessions, 1)
    await attempts(sessions, account.sid, 2, attempted_at=long_ago)
    await attempts(sessions, account.sid, 1)
    before = await left(sessions)

    # when the rows to prune are counted
    with deletes(engine) as seen:
        counts = await count_prunable(sessions, RETENTION)

    # then the old rows are counted, and nothing was deleted
    assert counts == PruneCounts(outbox=4, inbox=3, delivery_attempts=2)
    assert seen.seen == []
    assert await left(sessions) == before


async def test_pruners_running_at_once_delete_each_row_once(
    sessions: SessionFactory, make_account: MakeAccount
) -> None:
    # given 1,000 old rows in each table
    account = await make_account()
    long_ago = utcnow() - timedelta(days=400)
    await outbox(sessions, 1000, sent_at=long_ago)
    await inbox(sessions, 1000, processed_at=long_ago)
    await attempts(sessions, account.sid, 1000, attempted_at=long_ago)
    small = Retention(outbox=WEEK, inbox=WEEK, delivery_attempts=WEEK, batch=100)

    # when three replicas prune at the same time, as often as it takes
    runs = [prune(sessions, small, pause=0) for _ in range(3)]
    results = await asyncio.gather(*runs)
    while (extra := await prune(sessions, small, pause=0)).total:
        results.append(extra)

    # then every row went, and was counted by one of them only
    assert sum(r.outbox for r in results) == 1000
    assert sum(r.inbox for r in results) == 1000
    assert sum(r.delivery_attempts for r in results) == 1000
    now_left = await left(sessions)
    assert (now_left.outbox, now_left.inbox, now_left.attempts) == (set(), set(), set())


async def test_pruning_chooses_rows_through_an_index(
    sessions: SessionFactory, engine: AsyncEngine, backend: str, make_account: MakeAccount
) -> None:
    # given old rows in each table, pruned in batches of one
    account = await make_account()
    long_ago = utcnow() - timedelta(days=400)
    await outbox(sessions, 2, sent_at=long_ago)
    await inbox(sessions, 2, processed_at=long_ago)
    await attempts(sessions, account.sid, 2, attempted_at=long_ago)
    with deletes(engine) as seen:
        await prune(sessions, Retention(WEEK, WEEK, WEEK, batch=1), pause=0)

    # when the database explains how it runs each of those statements
    plans: dict[str, str] = {}
    async with engine.connect() as conn:
        if backend == "postgresql":  # a table this small is read whole unless told not to
            await conn.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN" if backend == "postgresql" else "EXPLAIN QUERY PLAN"
        for table, statement, parameters, _ in seen.seen:
            rows = await conn.exec_driver_sql(f"{explain} {statement}", parameters)
            plans[table] = "\n".join(str(row[-1]) for row in rows.all())
        await conn.rollback()

    # then no table is read whole: old rows are found through the index on their age
    assert set(plans) == set(AGE_INDEXES)
    for table, plan in plans.items():
        assert AGE_INDEXES[table] in plan, f"{table}:\n{plan}"
        assert "Seq Scan" not in plan, f"{table}:\n{plan}"
        assert f"SCAN {table}" not in plan, f"{table}:\n{plan}"
