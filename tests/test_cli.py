"""The `trusthub` command, run as an operator runs it: a real process with DATABASE_URL set."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from trusthub.config import Settings
from trusthub.db import SessionFactory, create_engine
from trusthub.services.accounts import authenticate

from .empty_databases import empty_database

TRUSTHUB = str(Path(sys.executable).with_name("trusthub"))
COMMAND_TIMEOUT = 30.0
STARTUP_TIMEOUT = 20.0
SID = re.compile(r"^AC[0-9a-f]{32}$")
SECRET_FIELDS = ("api_key", "auth_token", "webhook_secret")

VIEWER = "query { viewer { account { id name role } } }"


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def cli_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The caller's environment minus any trusthub setting, plus the ones the test chooses."""
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in settings}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return {**env, **extra}


async def trusthub(*args: str, cwd: Path, database_url: str | None = None) -> Result:
    proc = await asyncio.create_subprocess_exec(
        TRUSTHUB,
        *args,
        cwd=cwd,  # a directory without a .env, so only the environment configures it
        env=cli_env(database_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


async def create_account_json(cwd: Path, database_url: str, *args: str) -> dict[str, str]:
    result = await trusthub(
        "accounts", "create", *args, "--json", cwd=cwd, database_url=database_url
    )
    assert result.code == 0, result.stderr
    created: dict[str, str] = json.loads(result.stdout)
    return created


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A long-running `trusthub` process whose output is read as it comes."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int) -> None:
        self.proc = proc
        self.base_url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self._new_line = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            async with self._new_line:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._new_line.notify_all()

    async def wait_for_line(self, pattern: str) -> re.Match[str]:
        regex = re.compile(pattern)

        async def find() -> re.Match[str]:
            async with self._new_line:
                while True:
                    for line in self.lines:
                        if match := regex.search(line):
                            return match
                    assert self.proc.returncode is None, "\n".join(self.lines)
                    await self._new_line.wait()

        return await asyncio.wait_for(find(), STARTUP_TIMEOUT)

    async def wait_until_healthy(self) -> None:
        async def poll() -> None:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=1.0) as http:
                while True:
                    assert self.proc.returncode is None, "\n".join(self.lines)
                    try:
                        if (await http.get("/healthz")).status_code == 200:
                            return
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)

        await asyncio.wait_for(poll(), STARTUP_TIMEOUT)

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        await asyncio.wait_for(self._reader, 5)
        assert self.proc.returncode is not None
        return self.proc.returncode


@asynccontextmanager
async def running(*args: str, cwd: Path, database_url: str) -> AsyncIterator[Server]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        TRUSTHUB,
        *args,
        "--port",
        str(port),
        cwd=cwd,
        env=cli_env(database_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    server = Server(proc, port)
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'trusthub.db'}"


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(backend, tmp_path) as url:
        yield url


async def account_rows(database_url: str) -> list[dict[str, Any]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT * FROM account"))).mappings().all()
    finally:
        await engine.dispose()
    return [dict(r) for r in rows]


def files_containing(directory: Path, pattern: str, secret: str) -> list[Path]:
    files = list(directory.glob(pattern))
    assert files, f"no {pattern} in {directory}"
    return [file for file in files if secret.encode() in file.read_bytes()]


# --- help ---------------------------------------------------------------------------------

HELP: dict[tuple[str, ...], tuple[str, ...]] = {
    (): ("dev", "serve", "migrate", "accounts", "DATABASE_URL", "PORT", "DEV_MODE"),
    ("dev",): ("--host", "--port", "DATABASE_URL", "GraphiQL", "API key"),
    ("serve",): ("--host", "--port", "--workers", "DATABASE_URL"),
    ("migrate",): ("revision", "head", "DATABASE_URL"),
    ("accounts",): ("create", "list", "DATABASE_URL"),
    ("accounts", "create"): (
        "name",
        "--role",
        "customer",
        "reviewer",
        "admin",
        "--sandbox",
        "--json",
        "api_key",
        "auth_token",
        "webhook_secret",
        "DATABASE_URL",
    ),
    ("accounts", "list"): ("--json", "DATABASE_URL"),
    ("webhooks", "replay"): ("EVENT_ID", "--given-up", "--account", "DATABASE_URL"),
}


@pytest.mark.parametrize("command", list(HELP), ids=lambda c: " ".join(c) or "trusthub")
async def test_help_documents_the_command_and_its_options(
    command: tuple[str, ...], workdir: Path
) -> None:
    # when an operator asks a command for help
    result = await trusthub(*command, "--help", cwd=workdir)

    # then it succeeds and names every option the command takes
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"usage: trusthub {' '.join(command)}".rstrip())
    missing = [word for word in HELP[command] if word not in result.stdout]
    assert missing == [], result.stdout


# --- migrate ------------------------------------------------------------------------------


async def test_migrate_creates_the_schema(empty_database_url: str, workdir: Path) -> None:
    # given an empty database (named the way psql would, without an async driver)
    # when the operator migrates it, twice
    first = await trusthub("migrate", cwd=workdir, database_url=empty_database_url)
    second = await trusthub("migrate", cwd=workdir, database_url=empty_database_url)

    # then both runs succeed (the second has nothing to do) and the tables exist, still empty
    assert (first.code, second.code) == (0, 0), first.stderr + second.stderr
    assert await account_rows(empty_database_url) == []


# --- accounts -----------------------------------------------------------------------------


async def test_accounts_create_prints_the_secrets_and_the_key_authenticates(
    database_url: str, backend: str, sessions: SessionFactory, tmp_path: Path, workdir: Path
) -> None:
    # when an operator creates a reviewer account
    created = await create_account_json(workdir, database_url, "Acme Reviews", "--role", "reviewer")

    # then exactly the four documented fields are printed
    assert set(created) == {"sid", "api_key", "auth_token", "webhook_secret"}
    assert SID.match(created["sid"]), created["sid"]
    assert created["webhook_secret"].startswith("whsec_")
    assert len(created["webhook_secret"]) > len("whsec_") + 16
    assert len(created["auth_token"]) >= 32
    assert len({created[f] for f in SECRET_FIELDS}) == 3
    # and the API key authenticates as that account, with that role
    async with sessions() as session:
        account = await authenticate(session, created["api_key"])
    assert account is not None
    assert (account.sid, account.name, account.role) == (created["sid"], "Acme Reviews", "REVIEWER")
    # and the key itself is stored in no column of the account
    [row] = await account_rows(database_url)
    assert row["sid"] == created["sid"]
    assert [column for column, value in row.items() if created["api_key"] in str(value)] == []
    # nor anywhere in SQLite's files
    if backend == "sqlite":
        assert files_containing(tmp_path, "test.db*", created["api_key"]) == []


async def test_accounts_list_shows_accounts_without_their_secrets(
    database_url: str, workdir: Path
) -> None:
    # given a sandbox customer and an admin
    customer, admin = await asyncio.gather(
        create_account_json(workdir, database_url, "acme", "--sandbox"),
        create_account_json(workdir, database_url, "ops", "--role", "admin"),
    )

    # when the operator lists the accounts, as text and as JSON
    text, as_json = await asyncio.gather(
        trusthub("accounts", "list", cwd=workdir, database_url=database_url),
        trusthub("accounts", "list", "--json", cwd=workdir, database_url=database_url),
    )

    # then both accounts are shown with their SID, name, role and sandbox flag
    assert (text.code, as_json.code) == (0, 0), text.stderr + as_json.stderr
    listed = {a["sid"]: a for a in json.loads(as_json.stdout)}
    assert {sid: (a["name"], a["role"], a["sandbox"]) for sid, a in listed.items()} == {
        customer["sid"]: ("acme", "customer", True),
        admin["sid"]: ("ops", "admin", False),
    }
    lines = text.stdout.splitlines()
    assert len(lines) == 2
    [customer_line] = [line for line in lines if customer["sid"] in line]
    assert {"acme", "customer", "sandbox"} <= set(customer_line.split())
    [admin_line] = [line for line in lines if admin["sid"] in line]
    assert {"ops", "admin"} <= set(admin_line.split())
    # and no secret appears in either listing
    for account in (customer, admin):
        for field in SECRET_FIELDS:
            assert account[field] not in text.stdout + as_json.stdout, field


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("args", "messages"),
    [
        pytest.param(
            ("acme", "--role", "superuser"),
            ("argument --role: invalid choice: 'superuser'", "customer", "reviewer", "admin"),
            id="unknown-role",
        ),
        pytest.param(("   ",), ("error: name must not be blank",), id="blank-name"),
    ],
)
async def test_accounts_create_refuses_bad_input_and_creates_nothing(
    args: tuple[str, ...], messages: tuple[str, ...], database_url: str, workdir: Path
) -> None:
    # given a migrated database
    # when the operator creates an account with bad input
    result = await trusthub("accounts", "create", *args, cwd=workdir, database_url=database_url)

    # then the command fails with a message saying what is wrong, and prints no secrets
    assert result.code != 0
    assert [m for m in messages if m not in result.stderr] == [], result.stderr
    assert result.stdout == ""
    # and no account was created
    assert await account_rows(database_url) == []


# --- serve and dev ------------------------------------------------------------------------


async def test_serve_answers_with_an_account_created_by_the_cli(
    database_url: str, workdir: Path
) -> None:
    # given an account created with the CLI in a migrated database
    created = await create_account_json(workdir, database_url, "acme")

    # when the operator serves the gateway over that database
    async with running("serve", cwd=workdir, database_url=database_url) as server:
        await server.wait_until_healthy()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as http:
            ready = await http.get("/readyz")
            viewer = await http.post(
                "/graphql",
                json={"query": VIEWER},
                headers={"Authorization": f"Bearer {created['api_key']}"},
            )
            anonymous = await http.post("/graphql", json={"query": VIEWER})
            ide = await http.get("/graphql", headers={"Accept": "text/html"})

    # then it is ready, serves the account its own data and refuses anonymous requests
    assert ready.status_code == 200
    assert viewer.json() == {
        "data": {"viewer": {"account": {"id": created["sid"], "name": "acme", "role": "CUSTOMER"}}}
    }
    assert anonymous.status_code == 401
    # and GraphiQL is off outside dev mode: a browser gets the 401 too
    assert ide.status_code == 401
    assert "graphiql" not in ide.text.lower()
    # and it shut down cleanly when asked to (uvicorn re-raises the SIGTERM it handled)
    assert server.proc.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete." in "\n".join(server.lines)
