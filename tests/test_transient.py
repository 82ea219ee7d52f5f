"""Which errors mean "a dependency is away" (wait, don't spend the message's deliveries) and which
mean "this work is wrong" (count it): classified from errors the real drivers raise."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from trusthub.config import normalize_database_url
from trusthub.transient import is_transient

from .conftest import PG_URL


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _error_of(url: str, sql: str) -> BaseException:
    engine = create_async_engine(normalize_database_url(url))
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql))
    except Exception as error:
        return error
    finally:
        await engine.dispose()
    raise AssertionError("the statement succeeded")


async def test_a_postgresql_server_that_is_down_is_transient() -> None:
    error = await _error_of(f"postgresql://postgres@127.0.0.1:{_closed_port()}/x", "SELECT 1")
    assert is_transient(error)


async def test_a_postgresql_session_ended_by_the_server_is_transient() -> None:
    # A session ended by an administrator (what a fast shutdown does to every connection).
    sql = "SELECT pg_terminate_backend(pg_backend_pid())"
    assert is_transient(await _error_of(PG_URL, sql))


async def test_a_locked_sqlite_database_is_transient(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0.1})
        try:
            with pytest.raises(sa.exc.OperationalError) as raised:
                async with engine.begin() as conn:
                    await conn.execute(sa.text("INSERT INTO t VALUES (1)"))
            assert is_transient(raised.value)
        finally:
            await engine.dispose()
    finally:
        holder.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELEC 1",  # a bug in the statement
        "SELECT * FROM no_such_table",  # a schema that is not there
        "INSERT INTO no_such_table VALUES (1)",  # a write the schema cannot take
    ],
)
async def test_errors_in_the_work_itself_are_not_transient(database_url: str, sql: str) -> None:
    error = await _error_of(database_url, sql)
    assert not is_transient(error), repr(error)


def test_plain_programming_errors_are_not_transient() -> None:
    assert not is_transient(ValueError("bad"))
    assert not is_transient(KeyError("x"))
    assert not is_transient(FileNotFoundError("gone"))
    assert is_transient(RuntimeError("wrapped")) is False
    wrapped = RuntimeError("while applying")
    wrapped.__cause__ = ConnectionRefusedError("refused")
    assert is_transient(wrapped)
