"""The gateway remembers an API key's account briefly (AUTH_CACHE_SECONDS), and no longer."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from trusthub.app import Authenticator
from trusthub.db import SessionFactory
from trusthub.models import Account
from trusthub.services import accounts

from .conftest import Acct


def _count_statements(engine: AsyncEngine) -> list[str]:
    statements: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    return statements


async def _rotate(sessions: SessionFactory, sid: str) -> str:
    async with sessions() as session:
        account = await session.get(Account, sid)
        assert account is not None
        key = await accounts.rotate_api_key(session, account)
        await session.commit()
    return key


async def test_a_key_is_looked_up_once_within_the_ttl(
    sessions: SessionFactory, engine: AsyncEngine, alice: Acct
) -> None:
    # given an authenticator that remembers keys for a minute
    authenticate = Authenticator(sessions, ttl=60)
    statements = _count_statements(engine)
    # when alice's key authenticates three times
    found = [await authenticate(alice.api_key) for _ in range(3)]
    # then each time it is alice, and the database was asked once
    assert [a.sid if a else None for a in found] == [alice.sid] * 3
    assert len(statements) == 1


async def test_unknown_keys_are_not_remembered(
    sessions: SessionFactory, engine: AsyncEngine
) -> None:
    # given an authenticator that remembers keys for a minute
    authenticate = Authenticator(sessions, ttl=60)
    statements = _count_statements(engine)
    # when an unknown key is tried twice
    results = [await authenticate("th_unknown"), await authenticate("th_unknown")]
    # then it is refused both times, each time after asking the database
    assert results == [None, None]
    assert len(statements) == 2


async def test_a_rotated_key_stops_working_once_the_ttl_has_passed(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given alice's key, remembered for a fifth of a second
    authenticate = Authenticator(sessions, ttl=0.2)
    assert await authenticate(alice.api_key) is not None
    # when her key is rotated
    new_key = await _rotate(sessions, alice.sid)
    # then the old key still works within the TTL, and not after it; the new one works
    assert await authenticate(alice.api_key) is not None
    await asyncio.sleep(0.25)
    assert await authenticate(alice.api_key) is None
    assert await authenticate(new_key) is not None


async def test_with_no_ttl_a_rotated_key_stops_working_at_once(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an authenticator that remembers nothing (AUTH_CACHE_SECONDS=0)
    authenticate = Authenticator(sessions, ttl=0)
    assert await authenticate(alice.api_key) is not None
    # when alice's key is rotated
    await _rotate(sessions, alice.sid)
    # then the old key is refused on the next request
    assert await authenticate(alice.api_key) is None
