"""Shared by the HTTP and memory benchmarks: databases, gateway processes, statistics, the
machine's description. Everything runs on loopback and every run is bounded."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
VENV_BIN = Path(sys.executable).parent
TRUSTHUB = str(VENV_BIN / "trusthub")
# The gateway with the read benchmark's baseline route mounted beside the product's (`gateway`'s
# `app`); `trusthub serve` otherwise.
BASELINE_APP = [sys.executable, str(BENCH / "baseline_app.py")]

PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
BENCH_DB = os.environ.get("BENCH_DATABASE", "trusthub_bench")
HTTP_NAMESPACE = "bench-http"


def pg_url(database: str = BENCH_DB) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Required off dev mode on RabbitMQ: the key verification links are signed with, the same for a
# gateway and its workers.
REP_VERIFICATION_SECRET = "bench-" + "0" * 32


def gateway_env(**extra: str) -> dict[str, str]:
    """A pure gateway on RabbitMQ (RUN_CONSUMERS=false: only the subscription feed runs beside
    the HTTP server), INFO logs, nothing read from a .env file in the working directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BROKER_"))}
    env.update(
        DATABASE_URL=pg_url(),
        BROKER_URL=AMQP_URL,
        BROKER_NAMESPACE=HTTP_NAMESPACE,
        RUN_CONSUMERS="false",
        LOG_LEVEL="WARNING",
        REP_VERIFICATION_SECRET=REP_VERIFICATION_SECRET,
    )
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout}s")
        time.sleep(0.1)


@contextmanager
def gateway(
    env: dict[str, str],
    port: int | None = None,
    app: Sequence[str] = (TRUSTHUB, "serve"),
    workers: int = 1,
) -> Iterator[tuple[str, int]]:
    """`trusthub serve` (or `app`, e.g. BASELINE_APP; uvicorn, one process, or a supervisor and
    `workers` processes) on loopback; yields (base URL, pid: `tree_cpu_seconds` counts its
    workers too)."""
    port = port or free_port()
    log = open(DATA / f"gateway-{port}.log", "w")  # noqa: SIM115 (closed below)
    scale = ["--workers", str(workers)] if workers > 1 else []
    proc = subprocess.Popen(
        [*app, "--host", "127.0.0.1", "--port", str(port), *scale],
        env=env,
        cwd=DATA,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/readyz")
        yield base, proc.pid
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def summary(values: Sequence[float], digits: int = 1) -> dict[str, float]:
    """Median, min and max of one metric over the runs, and how many runs."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": len(values),
    }


def fmt(s: dict[str, float]) -> str:
    return f"{s['median']:g} ({s['min']:g}..{s['max']:g})"


def percentile(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "n/a"


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    pkgs = ["strawberry-graphql", "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy",
            "asyncpg", "graphql-core", "aio-pika"]  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": _version(["psql", pg_url(), "-Atc", "show server_version"]),
        "wrk": _version(["wrk", "--version"]) if shutil.which("wrk") else "n/a",
        "packages": {p: version(p) for p in pkgs},
    }


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _cpu_busy(interval: float = 2.0) -> float:
    """Fraction of the machine's CPU time that was busy over `interval` seconds (/proc/stat)."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return idle, sum(values)

    idle0, total0 = sample()
    time.sleep(interval)
    idle1, total1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(threshold: float = 0.25, max_wait: float = 180.0) -> float:
    """The machine is shared (other benchmarks, test suites): wait, up to `max_wait` seconds,
    until less than `threshold` of its CPU is busy, so that a run starts on a quiet machine.
    Returns the busy fraction seen last (recorded with the results)."""
    deadline = time.monotonic() + max_wait
    busy = _cpu_busy()
    while busy >= threshold and time.monotonic() < deadline:
        print(f"waiting for a quiet machine: {busy:.0%} of the CPU busy", file=sys.stderr)
        time.sleep(5)
        busy = _cpu_busy()
    return round(busy, 2)


def write_result(name: str, result: dict[str, Any]) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"{name}.json"
    # Other work on the machine shows here (the benchmark's own processes have stopped).
    result["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    path.write_text(json.dumps(result, indent=2))
    return path


def run(coro: Any) -> Any:
    return asyncio.run(coro)


DATA.mkdir(exist_ok=True)


async def _delete_namespace(namespace: str) -> None:
    from trusthub.messaging.amqp import AmqpBroker
    from trusthub.messaging.topology import Topology

    broker = AmqpBroker(Topology(namespace=namespace), url=AMQP_URL)
    await broker.connect()
    try:
        await broker.delete_namespace()
    finally:
        await broker.close()


def delete_namespace(namespace: str) -> None:
    """Remove the benchmark's queues and exchanges from RabbitMQ."""
    asyncio.run(_delete_namespace(namespace))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (uvicorn's workers under its supervisor)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """`cpu_seconds` of a process and its live children (a worker that exited is missed)."""
    return sum(cpu_seconds(p) for p in (pid, *children(pid)))


def check_graphql(base: str, api_key: str, query: str, variables: dict[str, Any]) -> int:
    """One request before the load: it must answer data and no errors; returns its size."""
    request = urllib.request.Request(
        base + "/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    data = json.loads(body)
    if "errors" in data or not data.get("data"):
        raise RuntimeError(f"the benchmark's query fails: {body[:500]!r}")
    return len(body)
