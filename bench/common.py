"""What the pipeline and fan-out benchmarks share: a fresh PostgreSQL database and a RabbitMQ
namespace of their own (both removed afterwards), `trusthub serve` / `trusthub worker` processes,
seeding complete drafts through the services, statistics, py-spy, the machine's description.

Loopback only; every wait is bounded."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from harness import (  # paths, service URLs and small helpers shared with §1, §2 and §5
    AMQP_URL,
    DATA,
    PG_ADMIN_URL,
    REP_VERIFICATION_SECRET,
    ROOT,
    TRUSTHUB,
    VENV_BIN,
    cpu_seconds,
    free_port,
    pg_url,
)
from harness import rss_kib as rss_kib  # fanout.py and pipeline.py use these two through here
from harness import summary as summary

# BENCH_SRC=/path/to/another/checkout/src runs that tree instead of this one — the benchmark's
# processes and this driver alike — so a "before" (e.g. `git archive HEAD`) and an "after" can be
# measured back to back on the same machine, under the same load.
BENCH_SRC = os.environ.get("BENCH_SRC")
if BENCH_SRC:
    sys.path.insert(0, BENCH_SRC)

STARTUP_TIMEOUT = 30.0

# What the automated reviewer approves (tests/faults/support.py): a real-looking website, emails
# at its domain, a real (not 555-01xx) phone number, an EIN with a valid IRS prefix.
PROFILE_CHANGES: dict[tuple[str, ...], Any] = {
    ("friendlyName",): "Acme",
    ("notificationEmail",): "compliance@acmetelecom.com",
    ("business", "legalName"): "Acme Communications Inc",
    ("business", "identity"): "DIRECT_CUSTOMER",
    ("business", "type"): "CORPORATION",
    ("business", "industry"): "TELECOMMUNICATIONS",
    ("business", "registrationIdType"): "EIN",
    ("business", "registrationNumber"): "12-3456789",
    ("business", "regionsOfOperation"): ["USA_AND_CANADA"],
    ("business", "websiteUrl"): "https://acmetelecom.com",
    ("business", "socialMediaProfileUrls"): ["https://linkedin.com/company/acme"],
    ("address", "street1"): "1 Market St",
    ("address", "street2"): "Suite 100",
    ("address", "city"): "San Francisco",
    ("address", "region"): "US-CA",
    ("address", "postalCode"): "94105",
    ("address", "country"): "US",
}
REPRESENTATIVE: dict[tuple[str, ...], Any] = {
    ("firstName",): "Grace",
    ("lastName",): "Hopper",
    ("email",): "grace@acmetelecom.com",
    ("phoneNumber",): "+14155552671",
    ("businessTitle",): "Chief Executive",
    ("jobPosition",): "CEO",
}


def raise_open_files(wanted: int = 8192) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


# -- a database and a broker namespace of the run alone ----------------------------------------


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """CREATE DATABASE, `trusthub migrate`, yield its URL; DROP it afterwards (even on failure).
    Synchronous: call it before the benchmark's event loop starts."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = pg_url(name)
    try:
        subprocess.run(
            [TRUSTHUB, "migrate"],
            env={**clean_env(), "DATABASE_URL": url},
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def new_namespace(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


async def delete_namespace(namespace: str, extra_queues: Sequence[str] = ()) -> None:
    """Delete every queue and exchange of the namespace's topology (and `extra_queues`)."""
    import aio_pika

    from trusthub.messaging.topology import Topology

    topology = Topology(namespace=namespace)
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        for name in [*[q.name for q in topology.queues()], *extra_queues]:
            await channel.queue_delete(name)
        for ex in topology.exchanges():
            await channel.exchange_delete(ex.name)
    finally:
        await connection.close()


async def purge_queues(namespace: str, queues: Sequence[str]) -> None:
    """Empty queues nothing consumes in these benchmarks (webhooks, emails) between runs."""
    import aio_pika

    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        for name in queues:
            queue = await channel.get_queue(f"{namespace}.{name}", ensure=True)
            await queue.purge()
    finally:
        await connection.close()


# -- processes --------------------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    """The parent's environment without any trusthub setting (no .env is read either: the
    processes run in bench/.data)."""
    from trusthub.config import Settings

    ours = {n.upper() for n in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in ours}
    env.update(PYTHONUNBUFFERED="1", **extra)
    if BENCH_SRC:
        env["PYTHONPATH"] = BENCH_SRC
    return env


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    base_url: str = ""

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:] if self.log.exists() else ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout)


@dataclass
class Stack:
    """`trusthub` processes sharing one database and one broker namespace."""

    database_url: str
    namespace: str
    env: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> Proc:
        DATA.mkdir(exist_ok=True)
        log = DATA / f"{name}.log"
        with log.open("wb") as out:
            # BENCH_LAUNCHER=script.py runs `python script.py ARGS` instead of `trusthub ARGS`
            # (a wrapper that installs a profiler, GC statistics, … then calls trusthub.cli).
            launcher = os.environ.get("BENCH_LAUNCHER")
            popen = subprocess.Popen(
                [sys.executable, launcher, *args] if launcher else [TRUSTHUB, *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=DATA,
                env=clean_env(
                    DATABASE_URL=self.database_url,
                    BROKER_URL=AMQP_URL,
                    BROKER_NAMESPACE=self.namespace,
                    LOG_LEVEL="WARNING",
                    SMTP_URL="log://",
                    REP_VERIFICATION_SECRET=REP_VERIFICATION_SECRET,
                    **{**self.env, **env},
                ),
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def _wait(self, proc: Proc, ready: Any) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not ready():
            if not proc.alive:
                raise RuntimeError(f"{proc.name} exited:\n{proc.output()}")
            if time.monotonic() > deadline:
                proc.stop()
                raise RuntimeError(f"{proc.name} not ready in {STARTUP_TIMEOUT}s:\n{proc.output()}")
            time.sleep(0.05)

    def gateway(self, name: str = "gateway", **env: str) -> Proc:
        port = free_port()
        proc = self._start(name, ["serve", "--host", "127.0.0.1", "--port", str(port)], env)
        proc.base_url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                with urllib.request.urlopen(proc.base_url + "/readyz", timeout=1) as r:
                    return bool(r.status == 200)
            except OSError:
                return False

        self._wait(proc, ready)
        return proc

    def worker(self, role: str, name: str | None = None, **env: str) -> Proc:
        proc = self._start(name or f"worker-{role}", ["worker", role], env)
        line = f"trusthub worker {role} running"
        self._wait(proc, lambda: line in proc.output(1_000_000))
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(Exception):
                proc.stop()
        self.procs.clear()


def pids_of(pattern: str) -> list[int]:
    """PIDs whose command line contains `pattern` (to read the CPU time of PostgreSQL backends
    and RabbitMQ: read-only)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if pattern in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    found.append(int(entry.name))
    return found


def pid_listening(port: int) -> int | None:
    """The process listening on TCP `port` on this machine (read-only, from /proc): the
    RabbitMQ node the benchmark uses, not another one a test suite may have started."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                for fd in (entry / "fd").iterdir():
                    if os.readlink(fd) in inodes:
                        return int(entry.name)
    return None


def rabbitmq_pids() -> list[int]:
    pid = pid_listening(urllib.parse.urlsplit(AMQP_URL).port or 5672)
    return [pid] if pid else []


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def postgres_pids(database: str) -> list[int]:
    """The processes of the PostgreSQL server the benchmark uses that work for `database`: the
    postmaster, its own processes (WAL writer, checkpointer, …: shared with every database) and
    the backends of `database` — not other databases' backends, nor another server's."""
    postmaster = pid_listening(urllib.parse.urlsplit(PG_ADMIN_URL).port or 5432)
    if postmaster is None:
        return []
    found = [postmaster]
    for pid in pids_of("postgres:"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if _parent(pid) != postmaster:
                continue
            words = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
            # A backend's title ends "USER DATABASE HOST(PORT) STATE"; the others have no host.
            hosts = [i for i, w in enumerate(words) if w.endswith(b")") or w == b"[local]"]
            if not hosts or words[hosts[0] - 1].decode() == database:
                found.append(pid)
    return found


class CpuMeter:
    """CPU seconds spent by each named group of processes between start() and stop(). A group is
    a function returning its PIDs, asked again at stop(): a process that started in between (a
    new PostgreSQL backend) counts in full; one that ended in between is missed."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self._start: dict[int, float] = {}

    def _read(self, pid: int) -> float:
        try:
            return cpu_seconds(pid)
        except OSError:
            return self._start.get(pid, 0.0)

    def start(self) -> None:
        self._start = {pid: self._read(pid) for pids in self.groups.values() for pid in pids()}

    def stop(self) -> dict[str, float]:
        return {
            name: round(sum(self._read(p) - self._start.get(p, 0.0) for p in pids()), 2)
            for name, pids in self.groups.items()
        }


# -- py-spy ---------------------------------------------------------------------------------


@contextlib.contextmanager
def py_spy(pids: dict[str, int], seconds: float, label: str) -> Iterator[dict[str, Path]]:
    """`py-spy record` each process for `seconds` (raw collapsed stacks into bench/.data)."""
    spy = str(VENV_BIN / "py-spy")
    outputs: dict[str, Path] = {}
    procs = []
    for name, pid in pids.items():
        out = DATA / f"profile-{label}-{name}.txt"
        outputs[name] = out
        procs.append(
            subprocess.Popen(
                [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate",
                 "200", "--format", "raw", "--output", str(out),
                 # --native (C frames: GC, syscalls) pauses the process for each sample
                 *(["--native"] if os.environ.get("BENCH_PYSPY_NATIVE") else ["--nonblocking"])],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
    try:
        yield outputs
    finally:
        for p in procs:
            try:
                p.wait(seconds + 30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def summarize_profile(path: Path, top: int = 25) -> dict[str, Any]:
    """Self and inclusive sample shares per function from py-spy's raw (collapsed) output."""
    own: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    if not path.exists():
        return {"samples": 0}
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f.split(" (")[0] + " " + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1]
                  for f in stack.split(";")]  # fmt: skip
        total += count
        if frames:
            own[frames[-1]] += count
        for f in set(frames):
            incl[f] += count

    def share(c: collections.Counter[str]) -> list[tuple[str, float]]:
        return [(f, round(100 * n / total, 1)) for f, n in c.most_common(top)]

    return {"samples": total, "self_pct": share(own), "inclusive_pct": share(incl)}


# -- accounts and drafts through the services ----------------------------------------------------


@dataclass(frozen=True)
class Account:
    sid: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def create_account(sessions: Any, name: str) -> Account:
    from trusthub.domain.enums import Role
    from trusthub.services.accounts import create_account as create

    async with sessions() as session:
        issued = await create(session, name, Role.CUSTOMER)
        await session.commit()
    return Account(issued.account.sid, issued.api_key)


async def seed_drafts(
    sessions: Any, account: Account, count: int, *, batch: int = 200, parallel: int = 2
) -> list[str]:
    """`count` complete drafts (with representative #1) through the services, `batch` per
    transaction; returns their SIDs."""
    from trusthub.domain.enums import ProfileKind, ProfileTier, Role
    from trusthub.services import profiles, representatives
    from trusthub.services.actor import Actor
    from trusthub.services.profiles import NewProfile

    actor = Actor(account.sid, Role.CUSTOMER)
    sids: list[str] = []
    sizes = [min(batch, count - i) for i in range(0, count, batch)]
    gate = asyncio.Semaphore(parallel)

    async def one_batch(size: int) -> None:
        async with gate, sessions() as session:
            for _ in range(size):
                data = NewProfile(ProfileKind.BUSINESS, ProfileTier.PRIMARY, None, PROFILE_CHANGES)
                row = await profiles.create_profile(session, actor, data)
                await representatives.add_representative(session, actor, row.sid, 1, REPRESENTATIVE)
                sids.append(row.sid)
            await session.commit()

    await asyncio.gather(*(one_batch(s) for s in sizes))
    return sids


@contextlib.asynccontextmanager
async def service_sessions(database_url: str, pool: int = 10) -> AsyncIterator[Any]:
    from trusthub.config import Settings
    from trusthub.db import create_engine, create_session_factory

    settings = Settings(_env_file=None, database_url=database_url, db_pool_size=pool)  # type: ignore[call-arg]
    engine = create_engine(database_url, settings)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


# -- statistics and the machine ------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(-(-p / 100 * len(ordered) // 1)) - 1))
    return ordered[k]


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )

    def cmd(args: list[str]) -> str:
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=20)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "n/a"

    pkgs = ["aio-pika", "aiormq", "asyncpg", "sqlalchemy", "strawberry-graphql", "uvicorn",
            "uvloop", "websockets"]  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": cmd(["psql", PG_ADMIN_URL, "-Atc", "show server_version"]),
        "rabbitmq": cmd(["rabbitmqctl", "version"]),
        "packages": {p: version(p) for p in pkgs},
    }


def code_version() -> dict[str, Any]:
    """Which trusthub ran: BENCH_SRC, or this checkout's commit and whether src/ had changes."""
    if BENCH_SRC:
        return {"src": BENCH_SRC}

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20)
        return out.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "src_changes": git("diff", "--stat", "--", "src")}


def write_result(name: str, result: dict[str, Any]) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path


def save_run(args: Any, started: float, summary: dict[str, Any], runs: Any) -> None:
    """Write bench/.data/<args.label>.json (machine, code, arguments, summary, every run) and
    print the summary."""
    write_result(
        args.label,
        {
            "machine": machine(),
            "code": code_version(),
            "args": vars(args),
            "wall_seconds": round(time.time() - started, 1),
            "summary": summary,
            "runs": runs,
        },
    )
    print(json.dumps(summary, indent=2))


async def clone_drafts(database_url: str, template_sid: str, count: int) -> list[str]:
    """`count` copies of one draft made through the services (the profile, its
    representatives, its history and audit rows: every row the services wrote, with new SIDs),
    in four INSERT … SELECT statements: seeding 10,000 drafts through the ORM one by one takes
    minutes on this machine and is not what is measured."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with conn.transaction():
            await conn.execute(
                "CREATE TEMP TABLE clone_map ON COMMIT DROP AS SELECT g AS n, "
                "'BU' || md5(random()::text || clock_timestamp()::text || g) AS sid, "
                "'IT' || md5(random()::text || clock_timestamp()::text || g || 'r') AS rep_sid "
                "FROM generate_series(1, $1) g",
                count,
            )
            replace = {
                "customer_profile": ("sid", {"sid": "m.sid"}),
                "authorized_representative": (
                    "profile_sid",
                    {"sid": "m.rep_sid", "profile_sid": "m.sid"},
                ),
                "status_change": ("subject_sid", {"subject_sid": "m.sid"}),
                "audit_entry": ("subject_sid", {"subject_sid": "m.sid"}),
            }
            for table, (key, mapping) in replace.items():
                columns = [
                    r["column_name"]
                    for r in await conn.fetch(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position",
                        table,
                    )
                ]
                selected = ", ".join(mapping.get(c, f"t.{c}") for c in columns)
                await conn.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} "
                    f"FROM clone_map m CROSS JOIN {table} t WHERE t.{key} = $1 ORDER BY m.n",
                    template_sid,
                )
            rows = await conn.fetch("SELECT sid FROM clone_map ORDER BY n")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return [r["sid"] for r in rows]


async def seed(database_url: str, sessions: Any, account: Account, count: int) -> list[str]:
    """One draft through the services, cloned to `count` in SQL (see `clone_drafts`)."""
    template = (await seed_drafts(sessions, account, 1))[0]
    clones = await clone_drafts(database_url, template, count - 1)
    return [template, *clones]


class HttpPool:
    """A minimal HTTP/1.1 keep-alive client for JSON POSTs: `size` connections, requests wait
    for a free one. The benchmark's own client must cost little CPU on a 2-core machine shared
    with what it measures (httpx with hundreds of queued requests costs more than the gateway)."""

    def __init__(self, base_url: str, headers: dict[str, str], size: int = 16) -> None:
        host_port = base_url.removeprefix("http://").split("/", 1)[0]
        self.host, _, port = host_port.partition(":")
        self.port = int(port or 80)
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.size = size
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self._opened = 0

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._idle.empty() and self._opened < self.size:
            self._opened += 1
            return await asyncio.open_connection(self.host, self.port)
        return await self._idle.get()

    async def post_json(self, path: str, body: Any) -> tuple[int, Any]:
        data = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        reader, writer = await self._connection()
        try:
            writer.write(head + data)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
                elif name.strip().lower() == "transfer-encoding":
                    raise RuntimeError("chunked responses are not supported")
            payload = await reader.readexactly(length)
        except BaseException:
            writer.close()
            self._opened -= 1
            raise
        self._idle.put_nowait((reader, writer))
        return int(status_line.split()[1]), json.loads(payload)

    async def close(self) -> None:
        while not self._idle.empty():
            _, writer = self._idle.get_nowait()
            writer.close()
