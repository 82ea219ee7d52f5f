"""Real processes for fault tests: `trusthub serve` and `trusthub worker ROLE` as subprocesses
over a fresh PostgreSQL database and a RabbitMQ namespace of the test alone.

Every process is started with a bounded readiness wait (the gateway answers GET /healthz; a
worker prints its "running" line), and stopped and reaped at teardown whatever happened — a
SIGTERM, then a SIGKILL if it does not exit in time. Each process writes stdout and stderr to a
log file; `Stack.report()` returns their tails for failure messages.

The outage tests stop PostgreSQL or RabbitMQ: they run on a private cluster and node
(own_services.py) that they start themselves, never on the machine's shared services. A test
module overrides `database_url` with `own_database_url`, or `stack_broker_url` with
`own_broker_url`, and its processes use those."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from trusthub.migrate import upgrade

from ..conftest import AMQP_URL, _blocking, delete_namespace
from .own_services import OwnPostgres, OwnRabbitMQ

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
OWN_TEMPLATE = "trusthub_outage_template"


def quick_reconnect(url: str) -> str:
    """aio-pika waits 5 s before reconnecting by default; the fault tests drop connections on
    purpose and should not spend their time budget waiting."""
    return url + ("&" if "?" in url else "?") + "reconnect_interval=0.5"


BROKER_URL = quick_reconnect(AMQP_URL)
VERIFICATION_SECRET = "fault-tests-verification-key-" + "0" * 8


# Looked up here, not between fork and exec, where loading a library could deadlock.
_PRCTL = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the test runner dies, so no process outlives a killed run."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


@pytest.fixture
def backend() -> str:
    """Several processes share one database: PostgreSQL only (SQLite is for one process)."""
    return "postgresql"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, tail: int = 6000) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-tail:]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, like a crash or an OOM kill."""
        if self.alive:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(STOP_TIMEOUT)

    def stop(self) -> None:
        if self.alive:
            self.popen.terminate()
            try:
                self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(STOP_TIMEOUT)


@dataclass
class Gateway(Proc):
    base_url: str = ""

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/graphql"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Stack:
    """The processes of one test, all on the same database and broker namespace."""

    database_url: str
    namespace: str
    workdir: Path
    broker_url: str = BROKER_URL
    procs: list[Proc] = field(default_factory=list)

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "BROKER_URL": self.broker_url,
            "BROKER_NAMESPACE": self.namespace,
            # Every process of a stack signs representative verification links with one key.
            "REP_VERIFICATION_SECRET": VERIFICATION_SECRET,
            "DB_POOL_SIZE": "3",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def _start(self, name: str, args: list[str], extra: dict[str, str]) -> Proc:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            # The working directory holds no .env: the environment alone configures the process.
            popen = subprocess.Popen(
                [sys.executable, "-m", "trusthub.cli", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self._environment(extra),
                cwd=self.workdir,
                preexec_fn=_die_with_parent,
            )
        return Proc(name, popen, log)

    async def _ready(self, proc: Proc, is_ready: Callable[[], Awaitable[bool]]) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if not proc.alive:
                pytest.fail(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.output()}")
            if await is_ready():
                return
            await asyncio.sleep(0.05)
        proc.stop()
        pytest.fail(f"{proc.name} not ready within {STARTUP_TIMEOUT}s:\n{proc.output()}")

    async def worker(self, role: str, name: str | None = None, **env: str) -> Proc:
        """Start `trusthub worker ROLE`; return once it prints its "running" line."""
        name = name or f"worker-{role}-{len(self.procs)}"
        proc = self._start(name, ["worker", role], env)
        self.procs.append(proc)
        line = f"trusthub worker {role} running"

        async def running() -> bool:
            return line in proc.output(tail=1_000_000)

        await self._ready(proc, running)
        return proc

    async def gateway(self, name: str | None = None, **env: str) -> Gateway:
        """Start `trusthub serve` on a free port; return once GET /healthz answers 200."""
        name = name or f"gateway-{len(self.procs)}"
        port = free_port()
        proc = self._start(name, ["serve", "--host", "127.0.0.1", "--port", str(port)], env)
        gw = Gateway(proc.name, proc.popen, proc.log, f"http://127.0.0.1:{port}")
        self.procs.append(gw)

        async def healthy() -> bool:
            try:
                async with httpx.AsyncClient(timeout=1.0) as client:
                    return (await client.get(f"{gw.base_url}/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await self._ready(gw, healthy)
        return gw

    def stop_all(self) -> None:
        for proc in self.procs:
            try:
                proc.stop()
            except Exception:  # keep reaping the others
                proc.popen.kill()
                proc.popen.wait(STOP_TIMEOUT)

    def report(self) -> str:
        """The tail of every process's output, for a failure message."""
        return "\n".join(
            f"----- {p.name} (exit {p.popen.poll()}) -----\n{p.output(3000)}" for p in self.procs
        )


@pytest.fixture
def namespace() -> str:
    return f"test.fault.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def stack_broker_url() -> str:
    """The RabbitMQ the stack's processes use: the shared server, in a namespace of their own."""
    return AMQP_URL


@pytest.fixture
async def stack(
    database_url: str, namespace: str, tmp_path: Path, stack_broker_url: str
) -> AsyncIterator[Stack]:
    processes = Stack(database_url, namespace, tmp_path, quick_reconnect(stack_broker_url))
    try:
        yield processes
    finally:
        processes.stop_all()
        # Shown by pytest when the test failed: what each process logged.
        print(processes.report())
        await delete_namespace(stack_broker_url, namespace)


# -- a PostgreSQL cluster and a RabbitMQ node of the outage tests' own -------------------------


@pytest.fixture(scope="session")
def own_postgres() -> Iterator[OwnPostgres]:
    """A private cluster (started once: it takes a second or two) holding a migrated template
    that each test's database is copied from."""
    cluster = OwnPostgres()
    try:
        cluster.init()
        cluster.start()
        _blocking(asyncio.run, _pg_execute(cluster.url(), f'CREATE DATABASE "{OWN_TEMPLATE}"'))
        _blocking(upgrade, cluster.url(OWN_TEMPLATE))
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
async def own_database_url(own_postgres: OwnPostgres) -> AsyncIterator[str]:
    """A fresh migrated database on the private cluster, which is running when the test starts
    (whatever the test before did to it)."""
    if not own_postgres.running:
        await asyncio.to_thread(own_postgres.start)
    name = f"trusthub_outage_{uuid.uuid4().hex[:10]}"
    admin = own_postgres.url()
    await _pg_execute(admin, f'CREATE DATABASE "{name}" TEMPLATE "{OWN_TEMPLATE}"')
    yield own_postgres.url(name)
    if not own_postgres.running:
        await asyncio.to_thread(own_postgres.start)
    await _pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def own_rabbitmq() -> Iterator[OwnRabbitMQ]:
    """A private RabbitMQ node (started once: it takes several seconds)."""
    node = OwnRabbitMQ()
    try:
        node.start()
        yield node
    finally:
        node.destroy()


@pytest.fixture
async def own_broker_url(own_rabbitmq: OwnRabbitMQ) -> str:
    """The private node's AMQP URL; the node is running when the test starts."""
    if not own_rabbitmq.running:
        await asyncio.to_thread(own_rabbitmq.start)
    return own_rabbitmq.url


async def _pg_execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the fault suite `faults` (`pytest -m faults` runs it alone; plain `pytest` too)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.faults)


# The customer's webhook receiver (a real HTTP server) and mail server (aiosmtpd), shared with
# tests/notify.
from ..notify.conftest import mail_server, receiver  # noqa: E402, F401
