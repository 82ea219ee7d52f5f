"""Load generators: wrk (closed loop, keep-alive, for throughput) driven by generated Lua
scripts, and an open-loop fixed-rate client (aiohttp, keep-alive) for latency at a given rate.

Latency at a fixed rate is measured from each request's *scheduled* send time, so a stalled
server cannot hide its queueing delay (no coordinated omission)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import DATA, percentile, tree_cpu_seconds

_DONE = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d, '
    .. '"bytes": %d}\\n',
    summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(99),
    summary.bytes))
end
"""


def _lua_string(s: str) -> str:
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal for ASCII text


def lua_graphql(path: str, query: str, ids: Sequence[str], api_key: str, var: str = "id") -> str:
    bodies = ",\n".join(
        _lua_string(json.dumps({"query": query, "variables": {var: i}})) for i in ids
    )
    return (
        f"""
local bodies = {{
{bodies}
}}
local n = #bodies
local i = 0
local headers = {{
  ["Content-Type"] = "application/json",
  ["Authorization"] = {_lua_string("Bearer " + api_key)},
}}
request = function()
  i = i % n + 1
  return wrk.format("POST", {_lua_string(path)}, headers, bodies[i])
end
"""
        + _DONE
    )


def lua_get(paths: Sequence[str], api_key: str) -> str:
    listed = ",\n".join(_lua_string(p) for p in paths)
    return (
        f"""
local paths = {{
{listed}
}}
local n = #paths
local i = 0
local headers = {{ ["Authorization"] = {_lua_string("Bearer " + api_key)} }}
request = function()
  i = i % n + 1
  return wrk.format("GET", paths[i], headers, nil)
end
"""
        + _DONE
    )


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "errors": self.errors,
            "requests": self.requests,
        }


def wrk(url: str, script: str, *, seconds: float, connections: int, name: str) -> WrkResult:
    path = DATA / f"{name}.lua"
    path.write_text(script)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(path), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    match = re.search(r"WRKJSON (\{.*\})", out.stdout)
    if match is None:
        raise RuntimeError(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}")
    r = json.loads(match.group(1))
    return WrkResult(
        rps=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        errors=r["errors"],
        requests=r["requests"],
    )


@dataclass(frozen=True)
class RateResult:
    target_rps: float
    achieved_rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    unfinished: int  # still waiting at the deadline: their latency counts as at least that long

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}


async def fixed_rate(
    requests: Sequence[tuple[str, str, bytes | None]],
    headers: dict[str, str],
    *,
    rate: float,
    seconds: float,
    connections: int = 64,
    grace: float = 4.0,
) -> RateResult:
    """Send `rate` requests per second for `seconds` (cycling through `requests`, each a
    (method, url, body)), whatever the responses do; latency counts from the scheduled time.
    Requests still unanswered `grace` seconds after the last was due are abandoned and count
    with the latency they had reached (a lower bound), so an overloaded server ends the run."""
    import aiohttp

    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def warm(method: str, url: str, body: bytes | None) -> None:
            async with http.request(method, url, data=body) as response:
                await response.read()

        # Open the keep-alive connections before the clock starts.
        await asyncio.gather(*(warm(*requests[k % len(requests)]) for k in range(connections)))

        async def one(k: int, scheduled: float) -> None:
            nonlocal errors
            method, url, body = requests[k % len(requests)]
            try:
                async with http.request(method, url, data=body) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - scheduled)

        tasks: dict[asyncio.Task[None], float] = {}
        start = time.perf_counter() + 0.05
        for k in range(total):
            scheduled = start + k / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks[asyncio.create_task(one(k, scheduled))] = scheduled
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        deadline = time.perf_counter()
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = deadline - start
    unfinished = len(pending)
    # An abandoned request waited at least from its scheduled time to the deadline.
    latencies += [deadline - tasks[task] for task in pending]
    latencies.sort()
    return RateResult(
        target_rps=rate,
        achieved_rps=(total - unfinished) / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=latencies[-1] * 1000,
        errors=errors,
        unfinished=unfinished,
    )


def script_path(name: str) -> Path:
    return DATA / f"{name}.lua"


def alternating_pair(
    base: str,
    pid: int,
    scripts: dict[str, str],
    k: int,
    *,
    seconds: float,
    connections: int,
    prefix: str,
    digits: int = 3,
) -> dict[str, Any]:
    """Run k of a side-by-side comparison: wrk on "graphql" then "baseline" (the other way round
    on odd runs, so neither always runs warmer), each with the gateway's own CPU per request
    (processes and workers) — what one core's worth of it would serve — and their req/s ratio."""
    order = list(scripts.items())
    if k % 2:
        order.reverse()
    run: dict[str, Any] = {}
    for label, script in order:
        cpu = tree_cpu_seconds(pid)
        result = wrk(
            base, script, seconds=seconds, connections=connections, name=f"{prefix}-{label}"
        )
        cpu_ms = round((tree_cpu_seconds(pid) - cpu) * 1000 / max(1, result.requests), digits)
        run[label] = {**result.as_dict(), "cpu_ms": cpu_ms}
    run["ratio"] = round(run["graphql"]["rps"] / run["baseline"]["rps"], 3)
    return run
