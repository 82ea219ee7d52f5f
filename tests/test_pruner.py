"""The pruner as the `decisions` role runs it: at start and every interval, surviving a
database that is away, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from trusthub.config import Settings
from trusthub.db import SessionFactory, create_engine, create_session_factory
from trusthub.domain.enums import Role as AccountRole
from trusthub.domain.retention import Retention
from trusthub.models.base import utcnow
from trusthub.pruner import Pruner
from trusthub.runtime import ProcessRole, Runtime
from trusthub.services.accounts import create_account

from .conftest import MakeAccount, _pg_admin, _pg_url
from .retention_rows import Left, attempts, inbox, left, outbox

WEEK = timedelta(days=7)
RETENTION = Retention(outbox=WEEK, inbox=WEEK, delivery_attempts=WEEK, batch=50)
WAIT = 10.0  # seconds: the bound of every wait; a run takes milliseconds


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = WAIT) -> None:
    async with asyncio.timeout(seconds):
        while True:  # polling: the pruner announces nothing
            if await check():
                return
            await asyncio.sleep(0.02)


async def old_and_new_rows(sessions: SessionFactory, account_sid: str) -> Left:
    """120 rows older than a week in each table (three batches of 50), and a few recent ones;
    returns the recent ones, which must stay."""
    long_ago = utcnow() - timedelta(days=30)
    await outbox(sessions, 120, sent_at=long_ago)
    await inbox(sessions, 120, processed_at=long_ago)
    await attempts(sessions, account_sid, 120, attempted_at=long_ago)
    return Left(
        outbox=await outbox(sessions, 2, sent_at=utcnow()),
        unsent=await outbox(sessions, 2, sent_at=None),
        inbox=await inbox(sessions, 2),
        attempts=await attempts(sessions, account_sid, 2),
    )


async def test_the_pruner_prunes_at_start_and_every_interval(
    sessions: SessionFactory, make_account: MakeAccount
) -> None:
    # given old and recent rows in each table
    account = await make_account()
    recent = await old_and_new_rows(sessions, account.sid)
    pruner = Pruner(sessions, RETENTION, interval=0.2, pause=0)

    async def only_recent_left() -> bool:
        return await left(sessions) == recent

    try:
        # when the pruner starts
        pruner.start()

        # then the old rows go, and the recent and unsent ones stay
        await eventually(only_recent_left)

        # when more rows grow old while it runs
        more = await old_and_new_rows(sessions, account.sid)
        recent = Left(
            recent.outbox | more.outbox,
            recent.unsent | more.unsent,
            recent.inbox | more.inbox,
            recent.attempts | more.attempts,
        )

        # then a later run takes them too
        await eventually(only_recent_left)
    finally:
        await pruner.stop()


@pytest.fixture
async def database_away(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[str, Callable[[], Awaitable[None]]]]:
    """A database URL nothing answers at yet, and how to bring the (migrated) database up."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "not-yet" / "trusthub.db"

        async def sqlite_up() -> None:
            path.parent.mkdir()
            shutil.copyfile(template, path)

        yield f"sqlite+aiosqlite:///{path}", sqlite_up
        return
    template_name: str = request.getfixturevalue("pg_template")
    name = f"trusthub_away_{uuid.uuid4().hex[:12]}"

    async def pg_up() -> None:
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')

    try:
        yield _pg_url(name), pg_up
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_a_failed_run_logs_one_warning_and_the_next_interval_tries_again(
    database_away: tuple[str, Callable[[], Awaitable[None]]], caplog: pytest.LogCaptureFixture
) -> None:
    # given a pruner whose database is away
    url, bring_up = database_away
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    pruner = Pruner(sessions, RETENTION, interval=0.1, pause=0)
    caplog.set_level(logging.WARNING, logger="trusthub.pruner")
    try:
        # when it runs once
        outcome = await pruner.run_once()

        # then the run failed with one warning, which says it will try again
        assert outcome is None
        [warning] = [r for r in caplog.records if r.name == "trusthub.pruner"]
        assert warning.levelno == logging.WARNING
        assert "trying again in 0.1 s" in warning.getMessage()

        # when it runs on its interval, and the database comes up after a few failed runs
        pruner.start()
        await eventually(lambda: _at_least(caplog, 3))
        await bring_up()
        async with sessions() as session:
            issued = await create_account(session, "acme", AccountRole.CUSTOMER)
            await session.commit()
        recent = await old_and_new_rows(sessions, issued.account.sid)

        # then a later run prunes: the failures did not stop the task
        async def only_recent_left() -> bool:
            return await left(sessions) == recent

        await eventually(only_recent_left)
    finally:
        await pruner.stop()
        await engine.dispose()


async def _at_least(caplog: pytest.LogCaptureFixture, count: int) -> bool:
    return len([r for r in caplog.records if r.name == "trusthub.pruner"]) >= count


async def test_the_decisions_role_runs_the_pruner(
    settings: Settings, sessions: SessionFactory, make_account: MakeAccount, namespace: str
) -> None:
    # given rows older than the default retentions (a week; thirty days for delivery attempts)
    account = await make_account()
    long_ago = utcnow() - timedelta(days=60)
    await outbox(sessions, 3, sent_at=long_ago)
    await inbox(sessions, 3, processed_at=long_ago)
    await attempts(sessions, account.sid, 3, attempted_at=long_ago)
    recent = Left(
        await outbox(sessions, 1, sent_at=utcnow()),
        set(),
        await inbox(sessions, 1),
        await attempts(sessions, account.sid, 1),
    )
    cfg = settings.model_copy(update={"broker_url": "memory://", "broker_namespace": namespace})
    before = await left(sessions)

    # when a process without the decisions role runs for a while
    relay_only = Runtime(cfg, sessions, frozenset({ProcessRole.RELAY}))
    await relay_only.start()
    await asyncio.sleep(0.5)
    await relay_only.stop()

    # then nothing was pruned
    assert await left(sessions) == before

    # when a process with the decisions role starts
    decisions = Runtime(cfg, sessions, frozenset({ProcessRole.DECISIONS}))
    await decisions.start()
    try:

        async def only_recent_left() -> bool:
            return await left(sessions) == recent

        # then the old rows go at once, and the recent ones stay
        await eventually(only_recent_left)
    finally:
        await decisions.stop()
