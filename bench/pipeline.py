"""Review pipeline benchmark: one gateway (`trusthub serve`: relay, decision consumer, subscription
feed) and one reviewer worker (`trusthub worker reviewer`: reviewer + relay) on RabbitMQ and
PostgreSQL — a fresh database and a broker namespace of their own, removed afterwards.

  (a) throughput: N complete drafts are seeded in bulk, then submitted through the services
      (`submission.submit_profile`, one transaction each, as the submit mutation does) by this
      driver process, `--concurrency` at a time; profiles/s from the first submit to the last
      APPROVED transition (its `status_change.at`). The first run submits `--profiles` (10,000),
      the repeats `--repeat-profiles`.
  (b) latency: `submitCustomerProfile` over GraphQL (HTTP keep-alive) on an open-loop schedule of
      `--rate`/s for `--seconds`; an account-wide `statusChanged` subscription (graphql-transport-
      ws) on the same gateway; from the scheduled submit to the PENDING_REVIEW event and to the
      APPROVED event, p50/p99.
  (c) baseline: raw aio-pika publish → consume → ack on the same broker (persistent, confirms, a
      quorum queue): windowed confirms (the ceiling) and one-by-one confirms.

Every run is bounded; results go to bench/.data/pipeline.json.

    .venv/bin/python bench/pipeline.py                 # 5 rounds, ~6-10 min
    .venv/bin/python bench/pipeline.py --runs 1 --profiles 2000 --profile   # with py-spy
    .venv/bin/python bench/pipeline.py --runs 1 --profiles 1000 --count-statements --skip-latency
    .venv/bin/python bench/pipeline.py --reviewers 2    # two reviewer worker processes

CPU per process: RabbitMQ is the node on the AMQP port, PostgreSQL the server's own processes and
this database's backends (common.rabbitmq_pids, common.postgres_pids); `bench/pipeline_ab.py`
runs (a) alternating between two trees or two sets of options.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import uvloop
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
import count_statements
import pipeline_baseline

SUBMIT = """
mutation Submit($input: SubmitInput!) {
  submitCustomerProfile(input: $input) { customerProfile { id status } userErrors { code } }
}
"""
WATCH = "subscription { statusChanged { subjectId status occurredAt } }"
DECIDE_TIMEOUT = 300.0


# -- (a) throughput ---------------------------------------------------------------------------


async def _count_by_status(conn: asyncpg.Connection, account_sid: str) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT status, count(*) AS n FROM customer_profile WHERE account_sid = $1 GROUP BY status",
        account_sid,
    )
    return {r["status"]: r["n"] for r in rows}


async def wait_decided(
    raw_url: str, account_sid: str, count: int, within: float
) -> tuple[dict[str, int], float]:
    """Poll until `count` profiles of the account are APPROVED or REJECTED; return the counts and
    the time of the last APPROVED transition (status_change.at, epoch seconds)."""
    conn = await asyncpg.connect(raw_url)
    try:
        deadline = time.monotonic() + within
        while True:
            counts = await _count_by_status(conn, account_sid)
            if counts.get("APPROVED", 0) + counts.get("REJECTED", 0) >= count:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"not all decided within {within}s: {counts}")
            await asyncio.sleep(0.1)
        last = await conn.fetchval(
            "SELECT extract(epoch FROM max(at)) FROM status_change "
            "WHERE account_sid = $1 AND to_status = 'APPROVED'",
            account_sid,
        )
        return counts, float(last)
    finally:
        await conn.close()


async def _outbox_rows_since(raw_url: str, since: float) -> int:
    """Messages the pipeline published (outbox rows written) since `since` (epoch seconds)."""
    conn = await asyncpg.connect(raw_url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM outbox_message WHERE created_at >= to_timestamp($1)", since
            )
        )
    finally:
        await conn.close()


async def throughput_run(ctx: Ctx, count: int, concurrency: int, profile: bool) -> dict[str, Any]:
    from trusthub.domain.enums import Role
    from trusthub.services import submission
    from trusthub.services.actor import Actor

    account = await common.create_account(ctx.sessions, f"throughput-{count}-{time.time()}")
    sids = await common.seed(ctx.database_url, ctx.sessions, account, count)
    await common.purge_queues(ctx.namespace, ["webhooks", "emails"])
    actor = Actor(account.sid, Role.CUSTOMER)
    pending = list(reversed(sids))
    submitted_at = 0.0

    async def submitter() -> None:
        nonlocal submitted_at
        while pending:
            sid = pending.pop()
            async with ctx.sessions() as session:
                await submission.submit_profile(session, actor, sid, accept_terms=True)
                await session.commit()
        submitted_at = time.time()

    statements_before = ctx.statements()
    ctx.cpu.start()
    spy = (
        common.py_spy(ctx.pids, min(20.0, count / 100), f"throughput-{count}")
        if profile
        else contextlib.nullcontext({})
    )
    with spy as profiles:
        start = time.time()
        await asyncio.gather(*(submitter() for _ in range(concurrency)))
        counts, last_approved = await wait_decided(ctx.raw_url, account.sid, count, DECIDE_TIMEOUT)
    cpu = ctx.cpu.stop()
    statements = ctx.statements_since(statements_before, count)
    if counts.get("APPROVED", 0) != count:
        raise RuntimeError(f"expected {count} APPROVED, got {counts}")
    messages = await _outbox_rows_since(ctx.raw_url, start)
    elapsed = last_approved - start
    result = {
        "profiles": count,
        "seconds": round(elapsed, 2),
        "profiles_per_s": round(count / elapsed, 1),
        "submit_phase_s": round(submitted_at - start, 2),
        "submits_per_s": round(count / (submitted_at - start), 1),
        "messages_per_profile": round(messages / count, 2),
        "cpu_seconds": cpu,
        "cpu_ms_per_profile": {k: round(1000 * v / count, 2) for k, v in cpu.items()},
        "loadavg": common.loadavg(),
    }
    if statements:
        result["statements_per_profile"] = statements
    if profiles:
        result["py_spy"] = {n: common.summarize_profile(p) for n, p in profiles.items()}
    return result


# -- (b) latency ------------------------------------------------------------------------------


async def _subscribe(ws_url: str, account: common.Account) -> Any:
    ws = await websockets.connect(ws_url, subprotocols=["graphql-transport-ws"], max_size=2**22)
    await ws.send(
        json.dumps(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {account.api_key}"}}
        )
    )
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": WATCH}}))
    return ws


async def latency_run(ctx: Ctx, rate: float, seconds: float) -> dict[str, Any]:
    count = int(rate * seconds)
    account = await common.create_account(ctx.sessions, f"latency-{time.time()}")
    sids = await common.seed(ctx.database_url, ctx.sessions, account, count)
    await common.purge_queues(ctx.namespace, ["webhooks", "emails"])
    ws = await _subscribe(ctx.gateway_url.replace("http://", "ws://") + "/graphql", account)
    await asyncio.sleep(0.5)  # graphql-transport-ws does not acknowledge a subscribe
    received: dict[tuple[str, str], float] = {}
    approved = asyncio.Event()
    decided_count = [0]

    async def listen() -> None:
        async for raw in ws:
            now = time.time()
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next":
                event = message["payload"]["data"]["statusChanged"]
                received[(event["subjectId"], event["status"])] = now
                if event["status"] == "APPROVED":
                    decided_count[0] += 1
                    if decided_count[0] >= count:
                        approved.set()

    scheduled: dict[str, float] = {}
    answered: dict[str, float] = {}
    errors: list[Any] = []
    http = common.HttpPool(ctx.gateway_url, account.headers, size=32)
    try:

        async def submit(sid: str, at: float) -> None:
            body = {"query": SUBMIT, "variables": {"input": {"id": sid, "acceptTerms": True}}}
            status, data = await asyncio.wait_for(http.post_json("/graphql", body), 300)
            answered[sid] = time.time() - at
            payload = (data.get("data") or {}).get("submitCustomerProfile") or {}
            if status != 200 or "errors" in data or payload.get("userErrors"):
                errors.append(data)

        listener = asyncio.create_task(listen())
        ctx.cpu.start()
        start = time.time() + 0.1
        tasks = []
        for i, sid in enumerate(sids):
            at = start + i / rate
            await asyncio.sleep(max(0.0, at - time.time()))
            scheduled[sid] = at
            tasks.append(asyncio.create_task(submit(sid, at)))
        await asyncio.gather(*tasks)
        # A saturated pipeline drains its backlog first; bounded all the same.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(approved.wait(), timeout=DECIDE_TIMEOUT)
        cpu = ctx.cpu.stop()
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            await listener
    finally:
        await http.close()
    await ws.close()
    await wait_decided(ctx.raw_url, account.sid, count, DECIDE_TIMEOUT)  # idle before what follows
    pending = [1000 * (received[(s, "PENDING_REVIEW")] - t) for s, t in scheduled.items()
               if (s, "PENDING_REVIEW") in received]  # fmt: skip
    decided = [1000 * (received[(s, "APPROVED")] - t) for s, t in scheduled.items()
               if (s, "APPROVED") in received]  # fmt: skip
    mutation = [1000 * v for v in answered.values()]

    def pcts(values: list[float]) -> dict[str, float]:
        return {
            "p50": round(common.percentile(values, 50), 1),
            "p99": round(common.percentile(values, 99), 1),
            "max": round(max(values), 1) if values else float("nan"),
            "n": len(values),
        }

    return {
        "rate": rate,
        "submitted": count,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "missing_pending": count - len(pending),
        "missing_approved": count - len(decided),
        "submit_mutation_ms": pcts(mutation),
        "to_pending_review_ms": pcts(pending),
        "to_approved_ms": pcts(decided),
        "cpu_seconds": cpu,
        "loadavg": common.loadavg(),
    }


# -- the run ----------------------------------------------------------------------------------


class Ctx:
    def __init__(
        self,
        database_url: str,
        namespace: str,
        sessions: Any,
        stack: common.Stack,
        count: bool = False,
    ):
        self.count = count
        self.database_url = database_url
        self.raw_url = database_url
        self.namespace = namespace
        self.sessions = sessions
        gateway, *reviewers = stack.procs
        self.gateway_url = gateway.base_url
        self.pids = {"gateway": gateway.pid, "reviewer": reviewers[0].pid, "driver": os.getpid()}
        self.counted = {"gateway": [gateway.pid], "reviewer": [r.pid for r in reviewers]}
        self.cpu = common.CpuMeter(
            {
                "gateway": lambda: [gateway.pid],
                "reviewer": lambda: [r.pid for r in reviewers],
                "driver": lambda: [os.getpid()],
                # The node on the AMQP port, not another one a test suite may run.
                "rabbitmq": common.rabbitmq_pids,
                # The benchmark database's backends and the server's own processes.
                "postgresql": lambda: common.postgres_pids(database_url.rsplit("/", 1)[1]),
            }
        )

    def statements(self) -> dict[str, dict[str, int]]:
        """Statements sent so far, per process (`--count-statements`)."""
        if not self.count:
            return {}
        seen = {"driver": count_statements.snapshot()}
        for name, pids in self.counted.items():
            seen[name] = {}
            for pid in pids:
                for kind, n in count_statements.read(pid).items():
                    seen[name][kind] = seen[name].get(kind, 0) + n
        return seen

    def statements_since(
        self, before: dict[str, dict[str, int]], profiles: int
    ) -> dict[str, dict[str, float]]:
        """Statements per profile since `before`, per process and kind, with their total."""
        out: dict[str, dict[str, float]] = {}
        for name, counts in self.statements().items():
            diff = count_statements.difference(counts, before.get(name, {}))
            per = {k: round(v / profiles, 2) for k, v in sorted(diff.items(), key=lambda i: -i[1])}
            out[name] = {"total": round(sum(diff.values()) / profiles, 2), **per}
        return out


async def bench(
    args: argparse.Namespace, ctx_args: tuple[str, str, common.Stack]
) -> dict[str, Any]:
    database_url, namespace, stack = ctx_args
    results: dict[str, Any] = {
        "throughput": [],
        "latency": [],
        "latency_low": [],
        "baseline": [],
        "baseline_1by1": [],
    }
    async with common.service_sessions(database_url, pool=args.concurrency) as sessions:
        ctx = Ctx(database_url, namespace, sessions, stack, args.count_statements)
        baseline_queue = f"{namespace}.baseline"
        for i in range(args.runs):
            print(f"-- round {i + 1}/{args.runs}  load {common.loadavg()}", flush=True)
            if not args.skip_baseline:
                b = await pipeline_baseline.run(baseline_queue, args.baseline_messages, window=256)
                results["baseline"].append(b)
                print("baseline (window 256)", b, flush=True)
                b1 = await pipeline_baseline.run(
                    baseline_queue, args.baseline_messages // 10, window=1
                )
                results["baseline_1by1"].append(b1)
                print("baseline (one by one)", b1, flush=True)
            if not args.skip_throughput:
                n = args.profiles if i == 0 else args.repeat_profiles
                t = await throughput_run(ctx, n, args.concurrency, args.profile and i == 0)
                results["throughput"].append(t)
                shown = {
                    k: v for k, v in t.items() if k not in ("py_spy", "statements_per_profile")
                }
                print("throughput", json.dumps(shown),
                      flush=True)  # fmt: skip
                for name, per in t.get("statements_per_profile", {}).items():
                    print(f"statements per profile, {name}: {json.dumps(per)}", flush=True)
                for name, prof in t.get("py_spy", {}).items():
                    print(f"py-spy {name}: {prof['samples']} samples")
                    for frame, pct in prof.get("inclusive_pct", [])[:25]:
                        print(f"   {pct:5.1f}%  {frame}")
            if not args.skip_latency:
                lat = await latency_run(ctx, args.rate, args.seconds)
                results["latency"].append(lat)
                print("latency", json.dumps(lat), flush=True)
                if args.low_rate:
                    low = await latency_run(ctx, args.low_rate, args.low_seconds)
                    results["latency_low"].append(low)
                    print("latency (low rate)", json.dumps(low), flush=True)
        with contextlib.suppress(Exception):
            await pipeline_baseline.delete(baseline_queue)
    return results


def report(results: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if results["throughput"]:
        out["profiles_per_s"] = common.summary([r["profiles_per_s"] for r in results["throughput"]])
        out["profiles_per_s_first_run"] = results["throughput"][0]["profiles_per_s"]
        out["profiles_first_run"] = results["throughput"][0]["profiles"]
    for series, prefix in (("latency", ""), ("latency_low", "low_rate_")):
        if results[series]:
            for key in ("to_pending_review_ms", "to_approved_ms", "submit_mutation_ms"):
                for p in ("p50", "p99"):
                    out[f"{prefix}{key}_{p}"] = common.summary([r[key][p] for r in results[series]])
    if results["baseline"]:
        out["baseline_msgs_per_s"] = common.summary(
            [r["messages_per_s"] for r in results["baseline"]]
        )
        out["baseline_1by1_msgs_per_s"] = common.summary(
            [r["messages_per_s"] for r in results["baseline_1by1"]]
        )
    if results["throughput"] and results["baseline"]:
        # Each approved profile publishes `messages_per_profile` messages (counted in the outbox:
        # review.requested, decision.made and 3 status.changed; HEAD also sent review.started),
        # each consumed once (the status events also land in the webhooks and emails queues,
        # which nothing consumes here). The broker alone would carry baseline / that many.
        per_profile = statistics.median(r["messages_per_profile"] for r in results["throughput"])
        ceiling = out["baseline_msgs_per_s"]["median"] / per_profile
        out["messages_per_profile"] = per_profile
        out["broker_ceiling_profiles_per_s"] = round(ceiling, 1)
        out["pipeline_vs_broker_ceiling"] = round(out["profiles_per_s"]["median"] / ceiling, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profiles", type=int, default=10_000, help="first throughput run")
    parser.add_argument("--repeat-profiles", type=int, default=1_000, help="other throughput runs")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent submits (a)")
    parser.add_argument("--rate", type=float, default=100.0, help="submissions/s (b)")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of (b)")
    parser.add_argument(
        "--low-rate",
        type=float,
        default=20.0,
        help="(b) again at a rate the machine sustains; 0: skip",
    )
    parser.add_argument("--low-seconds", type=float, default=10.0)
    parser.add_argument("--baseline-messages", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="py-spy the first (a) run")
    parser.add_argument(
        "--count-statements",
        action="store_true",
        help="count SQL statements per profile and process in (a) (bench/count_statements.py)",
    )
    parser.add_argument(
        "--reviewers", type=int, default=1, help="reviewer worker processes (issue 16 item 4)"
    )
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for trusthub")
    parser.add_argument("--label", default="pipeline", help="results file name")
    args = parser.parse_args()
    common.raise_open_files()
    env = dict(kv.split("=", 1) for kv in args.env)
    started = time.time()
    with common.fresh_database("bench_pipeline") as database_url:
        namespace = common.new_namespace("bench.pipeline")
        stack = common.Stack(database_url, namespace, env=env)
        try:
            if args.count_statements:
                count_statements.install()
                os.environ["BENCH_LAUNCHER"] = str(Path(count_statements.__file__).resolve())
            stack.gateway()
            for i in range(args.reviewers):
                stack.worker("reviewer", name=f"worker-reviewer-{i + 1}")
            # On uvloop, as `trusthub serve` runs the submit mutation: the submits' CPU is then
            # what the gateway would spend on them, not the default event loop's.
            results = uvloop.run(bench(args, (database_url, namespace, stack)))
        finally:
            stack.stop_all()
            asyncio.run(common.delete_namespace(namespace, [f"{namespace}.baseline"]))
    summary = report(results)
    common.save_run(args, started, summary, results)


if __name__ == "__main__":
    main()
