"""Subscriber fan-out benchmark: `--subscribers` (1,000) concurrent WebSocket clients
(graphql-transport-ws, `statusChanged` for their whole account) on one gateway (`trusthub serve`:
relay, decision consumer, subscription feed), with a reviewer worker deciding the profiles the
driver submits over GraphQL. A fresh database and broker namespace, removed afterwards.

Per run (a fresh gateway each time):
  - memory per idle subscriber: gateway RSS with every subscriber connected and idle, minus its
    RSS before they connected (after one warm-up subscription had come and gone), / subscribers;
  - fan-out latency: for each status event, from its `occurredAt` (stamped in the transaction that
    commits it, just before the commit) to the moment the LAST of the subscribers received it;
    p50/p99 over the decision (APPROVED) events, and over every event.

The subscribers run in `--client-processes` processes of their own (bench/fanout_client.py).

    .venv/bin/python bench/fanout.py                    # 5 runs, ~3-4 min
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from pipeline import SUBMIT, wait_decided

CLIENT = str(Path(__file__).resolve().parent / "fanout_client.py")
READY_TIMEOUT = 180.0


async def warm_up(gateway: common.Proc, account: common.Account) -> None:
    """One HTTP request and one subscription that comes and goes: imports and caches that the
    first subscriber would otherwise pay for are not counted as per-subscriber memory."""
    async with httpx.AsyncClient(base_url=gateway.base_url, headers=account.headers) as http:
        r = await http.post("/graphql", json={"query": "{ viewer { account { id } } }"})
        r.raise_for_status()
    url = gateway.base_url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": account.headers}))
        await asyncio.wait_for(ws.recv(), 10)
        await ws.send(
            json.dumps(
                {
                    "id": "w",
                    "type": "subscribe",
                    "payload": {"query": "subscription { statusChanged { status } }"},
                }
            )
        )
        await asyncio.sleep(0.5)


async def start_clients(url: str, account: common.Account, total: int, processes: int) -> list[Any]:
    sizes = [total // processes + (1 if i < total % processes else 0) for i in range(processes)]
    clients = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            CLIENT,
            url,
            account.api_key,
            str(n),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for n in sizes
    ]

    async def ready(client: Any) -> None:
        line = await client.stdout.readline()
        if line.strip() != b"ready":
            raise RuntimeError(f"subscriber process failed: {line!r}")

    await asyncio.wait_for(asyncio.gather(*(ready(c) for c in clients)), READY_TIMEOUT)
    return clients


async def stop_clients(clients: list[Any]) -> list[dict[str, Any]]:
    results = []
    for client in clients:
        client.stdin.write(b"stop\n")
        await client.stdin.drain()
    for client in clients:
        out, _ = await asyncio.wait_for(client.communicate(), 120)
        results.append(json.loads(out))
    return results


async def fanout_run(
    stack: common.Stack, database_url: str, sessions: Any, args: argparse.Namespace, i: int
) -> dict[str, Any]:
    account = await common.create_account(sessions, f"fanout-{i}-{time.time()}")
    sids = await common.seed(database_url, sessions, account, args.profiles)
    gateway = stack.gateway(f"gateway-fanout-{i}")
    clients: list[Any] = []
    try:
        await warm_up(gateway, account)
        await asyncio.sleep(1.0)
        rss_before = common.rss_kib(gateway.pid)
        url = gateway.base_url.replace("http://", "ws://") + "/graphql"
        t = time.monotonic()
        clients = await start_clients(url, account, args.subscribers, args.client_processes)
        connect_s = time.monotonic() - t
        await asyncio.sleep(2.0)
        rss_fresh = common.rss_kib(gateway.pid)
        # (Strawberry keeps a connection-init timeout task per connection for its first minute;
        # waiting that out, --idle-seconds 65, changes RSS by < 0.5 KiB per subscriber: the
        # freed memory stays in the allocator's arenas.)
        await asyncio.sleep(args.idle_seconds)
        rss_idle = common.rss_kib(gateway.pid)
        cpu = common.CpuMeter({"gateway": lambda: [gateway.pid]})
        cpu.start()
        seconds = len(sids) * args.interval + 2
        spy = (
            common.py_spy({"gateway": gateway.pid}, seconds, "fanout")
            if args.profile and i == 0
            else contextlib.nullcontext({})
        )
        with spy as profiles:
            async with httpx.AsyncClient(
                base_url=gateway.base_url, headers=account.headers, timeout=30
            ) as http:
                for sid in sids:
                    body = {
                        "query": SUBMIT,
                        "variables": {"input": {"id": sid, "acceptTerms": True}},
                    }
                    (await http.post("/graphql", json=body)).raise_for_status()
                    await asyncio.sleep(args.interval)
            await wait_decided(database_url, account.sid, len(sids), 120)
            await asyncio.sleep(2.0)  # the last fan-out finishes
        gateway_cpu = cpu.stop()["gateway"]
        if os.environ.get("BENCH_SIGNAL_GATEWAY"):  # e.g. a launcher's statistics dump
            os.kill(gateway.pid, signal.SIGUSR1)
            await asyncio.sleep(1.0)
        rss_after = common.rss_kib(gateway.pid)
        reports = await stop_clients(clients)
        clients = []
    finally:
        for client in clients:
            with contextlib.suppress(ProcessLookupError):
                client.kill()
        gateway.stop()
        stack.procs.remove(gateway)
    merged: dict[str, list[float]] = {}
    for report in reports:
        for key, (n, first, last, occurred) in report["events"].items():
            entry = merged.setdefault(key, [0, first, last, occurred])
            entry[0] += n
            entry[1], entry[2] = min(entry[1], first), max(entry[2], last)
    decisions = [1000 * (e[2] - e[3]) for k, e in merged.items() if k.endswith("/APPROVED")]
    every = [1000 * (e[2] - e[3]) for e in merged.values()]
    first_ms = [1000 * (e[1] - e[3]) for e in merged.values()]
    incomplete = sum(1 for e in merged.values() if e[0] < args.subscribers)
    return {
        "subscribers": args.subscribers,
        "connect_seconds": round(connect_s, 2),
        "rss_kib": {
            "before": rss_before,
            "fresh": rss_fresh,
            "idle": rss_idle,
            "after_events": rss_after,
        },
        "kib_per_fresh_subscriber": round((rss_fresh - rss_before) / args.subscribers, 1),
        "kib_per_idle_subscriber": round((rss_idle - rss_before) / args.subscribers, 1),
        "events": len(merged),
        "events_missing_some_subscriber": incomplete,
        "expected_events": 3 * len(sids),
        "decision_last_subscriber_ms": {
            "p50": round(common.percentile(decisions, 50), 1),
            "p99": round(common.percentile(decisions, 99), 1),
            "max": round(max(decisions), 1) if decisions else None,
            "n": len(decisions),
        },
        "all_events_last_subscriber_ms": {
            "p50": round(common.percentile(every, 50), 1),
            "p99": round(common.percentile(every, 99), 1),
        },
        "all_events_first_subscriber_ms_p50": round(common.percentile(first_ms, 50), 1),
        "gateway_cpu_ms_per_event": round(1000 * gateway_cpu / max(1, len(merged)), 1),
        "raw_decision_ms": [round(v, 1) for v in decisions],
        "py_spy": {n: common.summarize_profile(p, 40) for n, p in profiles.items()},
        "loadavg": common.loadavg(),
    }


async def bench(args: argparse.Namespace, database_url: str, stack: common.Stack) -> list[Any]:
    results = []
    async with common.service_sessions(database_url) as sessions:
        for i in range(args.runs):
            print(f"-- run {i + 1}/{args.runs}  load {common.loadavg()}", flush=True)
            r = await fanout_run(stack, database_url, sessions, args, i)
            results.append(r)
            shown = {k: v for k, v in r.items() if k not in ("raw_decision_ms", "py_spy")}
            print(json.dumps(shown), flush=True)
            for name, prof in r["py_spy"].items():
                print(f"py-spy {name}: {prof['samples']} samples, inclusive:")
                for frame, pct in prof.get("inclusive_pct", []):
                    print(f"   {pct:5.1f}%  {frame}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--profiles", type=int, default=20, help="submitted per run (3 events each)"
    )
    parser.add_argument(
        "--interval", type=float, default=2.0, help="seconds between submits (a rate it sustains)"
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=5.0, help="idle time before the memory reading"
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the first run's gateway")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for trusthub")
    parser.add_argument("--label", default="fanout", help="results file name")
    args = parser.parse_args()
    # 1,000 sockets in the gateway (and as many in the subscriber processes): children inherit.
    common.raise_open_files(4 * args.subscribers + 1024)
    env = dict(kv.split("=", 1) for kv in args.env)
    started = time.time()
    with common.fresh_database("bench_fanout") as database_url:
        namespace = common.new_namespace("bench.fanout")
        stack = common.Stack(database_url, namespace, env=env)
        try:
            stack.worker("reviewer")
            results = asyncio.run(bench(args, database_url, stack))
        finally:
            stack.stop_all()
            asyncio.run(common.delete_namespace(namespace))
    pooled = [v for r in results for v in r["raw_decision_ms"]]
    summary = {
        "decision_last_subscriber_p50_ms": common.summary(
            [r["decision_last_subscriber_ms"]["p50"] for r in results]
        ),
        "decision_last_subscriber_p99_ms": common.summary(
            [r["decision_last_subscriber_ms"]["p99"] for r in results]
        ),
        "decision_last_subscriber_p99_ms_pooled": round(common.percentile(pooled, 99), 1),
        "decision_events_pooled": len(pooled),
        "all_events_last_subscriber_p99_ms": common.summary(
            [r["all_events_last_subscriber_ms"]["p99"] for r in results]
        ),
        "kib_per_idle_subscriber": common.summary([r["kib_per_idle_subscriber"] for r in results]),
        "gateway_cpu_ms_per_event": common.summary(
            [r["gateway_cpu_ms_per_event"] for r in results]
        ),
    }
    common.save_run(args, started, summary, results)


if __name__ == "__main__":
    main()
