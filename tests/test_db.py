"""The PostgreSQL pool: a connection that died while idle in the pool is replaced before use."""

from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from trusthub import db


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_connection_killed_while_idle_is_replaced_before_use(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a pool whose connections are pinged as soon as they were idle at all
    monkeypatch.setattr(db, "IDLE_PING_AFTER_SECONDS", 0.0)
    async with engine.connect() as conn:
        pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
    # and the server ends that pooled connection while it is idle (a restart, a proxy timeout)
    admin = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()

    # when the pool hands out a connection again
    async with engine.connect() as conn:
        # then the statement runs, on a new connection
        assert (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one() != pid


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_connection_in_steady_use_is_not_pinged(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a pool with a connection that was just used
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    pings: list[object] = []
    monkeypatch.setattr(engine.sync_engine.dialect, "do_ping", pings.append)

    # when it is checked out again at once, several times
    for _ in range(3):
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    # then no round trip was spent on a ping
    assert pings == []
