"""Real databases for every test: SQLite and PostgreSQL, each built from the migrations.

The schema is migrated once per session into a template (a SQLite file; a PostgreSQL template
database); each test gets its own copy, so tests never see each other's rows."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import trusthub.models  # noqa: F401  (registers every table)
from trusthub.app import create_app
from trusthub.config import Settings
from trusthub.db import SessionFactory, create_engine, create_session_factory
from trusthub.domain.enums import Role
from trusthub.migrate import upgrade
from trusthub.services.accounts import create_account
from trusthub.services.actor import Actor

# The PostgreSQL server tests create their databases on (trust auth on this machine and CI).
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RUN_ID = uuid.uuid4().hex[:8]


def _pg_url(database: str) -> str:
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{database}"


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _blocking(fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn` to completion in another thread: Alembic and asyncio.run start their own event
    loops, and these session fixtures may be set up from inside the test loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


# Templates are sync fixtures so that `database_url` can ask for the one its backend needs.
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _blocking(upgrade, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = f"trusthub_tpl_{RUN_ID}"
    _blocking(asyncio.run, _pg_admin(f'CREATE DATABASE "{name}"'))
    _blocking(upgrade, _pg_url(name))
    yield name
    _blocking(asyncio.run, _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One migrated PostgreSQL database for the session, emptied around each test (far faster
    than a database per test, which costs a second each)."""
    name = f"trusthub_test_{RUN_ID}"
    _blocking(asyncio.run, _pg_admin(f'CREATE DATABASE "{name}"'))
    _blocking(upgrade, _pg_url(name))
    yield name
    _blocking(asyncio.run, _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# Seeded by the migrations: kept between tests.
_KEPT_TABLES = {"policy", "document_type", "alembic_version"}


async def _empty_pg(url: str) -> None:
    # DELETE, children first: on tables this small it is several times faster than TRUNCATE.
    statements = "; ".join(
        f'DELETE FROM "{t.name}"'
        for t in reversed(SQLModel.metadata.sorted_tables)
        if t.name not in _KEPT_TABLES
    )
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET lock_timeout = '20s'")
        await conn.execute(statements)
    finally:
        await conn.close()


@pytest.fixture
async def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """A migrated database of the parametrised backend that holds no other test's rows."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = _pg_url(request.getfixturevalue("pg_database"))
    await _empty_pg(url)  # also after a test that was interrupted mid-way
    yield url
    await _empty_pg(url)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, dev_mode=False, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database_url, settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return create_session_factory(engine)


@dataclass(frozen=True)
class Acct:
    sid: str
    api_key: str
    actor: Actor

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


MakeAccount = Callable[..., Awaitable[Acct]]


@pytest.fixture
def make_account(sessions: SessionFactory) -> MakeAccount:
    async def make(name: str = "acme", role: Role = Role.CUSTOMER, sandbox: bool = False) -> Acct:
        async with sessions() as session:
            issued = await create_account(session, name, role, sandbox=sandbox)
            await session.commit()
        return Acct(issued.account.sid, issued.api_key, Actor(issued.account.sid, role))

    return make


@pytest.fixture
async def alice(make_account: MakeAccount) -> Acct:
    return await make_account("alice")


@pytest.fixture
async def bob(make_account: MakeAccount) -> Acct:
    return await make_account("bob")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client wired to the ASGI app (no network); see tests/e2e for a real server."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        yield c
    await app.state.engine.dispose()


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, account: Acct
    ) -> dict[str, Any]:
        """Run a document as `account`; fail on transport or top-level errors; return data."""
        body = await self.raw(query, variables, headers=account.headers)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, *, headers: dict[str, str]
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


# -- brokers -------------------------------------------------------------------------------

AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture(params=["memory", "rabbitmq"])
def broker_url(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else AMQP_URL


@pytest.fixture
def namespace() -> str:
    """Exchange and queue names of this test alone."""
    return f"test.{uuid.uuid4().hex[:10]}"


async def delete_namespace(
    broker_url: str, namespace: str, retry_delays_ms: tuple[int, ...] | None = None
) -> None:
    """Remove a test's queues and exchanges (pass its retry delays if they are not default)."""
    if broker_url.startswith("memory://"):
        return
    from trusthub.messaging.amqp import AmqpBroker
    from trusthub.messaging.topology import Topology

    topology = Topology(namespace=namespace)
    if retry_delays_ms is not None:
        topology = Topology(namespace=namespace, retry_delays_ms=retry_delays_ms)
    broker = AmqpBroker(topology, url=broker_url)
    await broker.connect()
    try:
        await broker.delete_namespace()
    finally:
        await broker.close()
