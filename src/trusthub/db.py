"""Engine and session factory. Sessions commit at the request or message boundary, never in
services."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from .config import Settings, normalize_database_url

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(url: str, settings: Settings | None = None) -> AsyncEngine:
    url = normalize_database_url(url)
    settings = settings or Settings()
    # Statements' parameters (emails, registration numbers …) stay out of exceptions and logs.
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, echo=settings.db_echo, hide_parameters=True, connect_args={"timeout": 30}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        echo=settings.db_echo,
        hide_parameters=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
    )
    _ping_when_idle(engine)
    return engine


# A connection back from the pool after this long is pinged before use (one that is in steady
# use is not: on asyncpg `pool_pre_ping` costs three round trips — BEGIN, `;`, ROLLBACK — on
# every checkout, a fifth of the statements a review sends). A connection that dies while in
# use fails its transaction, and SQLAlchemy then replaces every pooled connection.
IDLE_PING_AFTER_SECONDS = 5.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_since(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_AFTER_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool discards it and connects anew
            raise exc.DisconnectionError() from error


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
