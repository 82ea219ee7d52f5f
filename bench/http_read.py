"""GraphQL read: `customerProfile(id)` (address, business information, two representatives)
against the hand-written baseline endpoint that runs the same SQL and returns the same JSON,
side by side in one run, on one gateway process (`trusthub serve`, uvicorn) over PostgreSQL.

    .venv/bin/python bench/http_read.py [--runs 5] [--seconds 8] [--connections 32]

Throughput: wrk, one thread, keep-alive connections, alternating GraphQL and baseline within
each run. Latency at fixed rates: an open-loop aiohttp client at each of --rates req/s
(default 1,000, the target's, and 200) for each endpoint. Prints a JSON summary and a markdown
table; writes bench/.data/http_read[-LABEL].json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from typing import Any

from baseline_app import CUSTOMER_PROFILE_QUERY
from harness import (
    BASELINE_APP,
    DATA,
    HTTP_NAMESPACE,
    check_graphql,
    delete_namespace,
    fmt,
    gateway,
    gateway_env,
    machine,
    summary,
    wait_quiet,
    write_result,
)
from loadgen import alternating_pair, fixed_rate, lua_get, lua_graphql, wrk

TARGET_RPS = 2000
TARGET_RATIO = 0.5
TARGET_P99_MS = 50


def _load_seed() -> dict[str, Any]:
    path = DATA / "seed.json"
    if not path.exists():
        raise SystemExit("run bench/seed.py first")
    seed: dict[str, Any] = json.loads(path.read_text())
    return seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8, help="wrk duration per endpoint")
    parser.add_argument("--connections", type=int, default=32, help="wrk keep-alive connections")
    parser.add_argument(
        "--rates",
        default="1000,200",
        help="fixed rates (req/s) for the p99; the first is the target's",
    )
    parser.add_argument("--rate-seconds", type=float, default=4)
    parser.add_argument("--rate-runs", type=int, default=5)
    parser.add_argument(
        "--workers", type=int, default=1, help="gateway processes (`serve --workers`)"
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=180, help="seconds to wait for a quiet machine"
    )
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the gateway")
    parser.add_argument("--label", default="", help="result file suffix, e.g. before / after")
    args = parser.parse_args()

    seed = _load_seed()
    ids = list(seed["profile_ids"])
    random.Random(5).shuffle(ids)
    key = seed["api_key"]
    env = gateway_env(**dict(e.split("=", 1) for e in args.env))

    gql_script = lua_graphql("/graphql", CUSTOMER_PROFILE_QUERY, ids, key)
    base_script = lua_get([f"/bench/customer-profiles/{i}" for i in ids], key)
    runs: list[dict[str, Any]] = []
    rate_runs: list[dict[str, Any]] = []
    busy_before = wait_quiet(max_wait=args.quiet_wait)
    with gateway(env, app=BASELINE_APP, workers=args.workers) as (base, pid):
        check_graphql(base, key, CUSTOMER_PROFILE_QUERY, {"id": ids[0]})
        # Warm up both paths (connection pool, statement caches, parser caches).
        for name, script in (("read-graphql", gql_script), ("read-baseline", base_script)):
            wrk(base, script, seconds=3, connections=args.connections, name=name)
        for k in range(args.runs):
            scripts = {"graphql": gql_script, "baseline": base_script}
            run = alternating_pair(
                base, pid, scripts, k, seconds=args.seconds, connections=args.connections,
                prefix="read",
            )  # fmt: skip
            runs.append(run)
            print(json.dumps(run), flush=True)

        body = [
            ("POST", base + "/graphql", json.dumps({"query": CUSTOMER_PROFILE_QUERY,
                                                     "variables": {"id": i}}).encode())
            for i in ids
        ]  # fmt: skip
        plain = [("GET", f"{base}/bench/customer-profiles/{i}", None) for i in ids]
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        rates = [float(r) for r in args.rates.split(",") if r]
        for k in range(args.rate_runs):
            rate_run: dict[str, Any] = {}
            for rate in rates:
                for label, reqs in (("graphql", body), ("baseline", plain)):
                    r = asyncio.run(fixed_rate(reqs, headers, rate=rate, seconds=args.rate_seconds))
                    rate_run[f"{label}@{rate:g}"] = r.as_dict()
            rate_runs.append(rate_run)
            print(json.dumps({"fixed_rate_run": k + 1, **rate_run}), flush=True)

    result = {
        "benchmark": "http_read",
        "machine": machine(),
        "cpu_busy_before_start": busy_before,
        "settings": {
            "runs": args.runs,
            "seconds": args.seconds,
            "connections": args.connections,
            "rates": rates,
            "rate_seconds": args.rate_seconds,
            "profiles": len(ids),
            "gateway_env": args.env,
            "workers": args.workers,
        },
        "summary": {
            "graphql_rps": summary([r["graphql"]["rps"] for r in runs]),
            "baseline_rps": summary([r["baseline"]["rps"] for r in runs]),
            "ratio": summary([r["ratio"] for r in runs], 3),
            "graphql_cpu_ms": summary([r["graphql"]["cpu_ms"] for r in runs], 3),
            "baseline_cpu_ms": summary([r["baseline"]["cpu_ms"] for r in runs], 3),
            "graphql_p50_ms": summary([r["graphql"]["p50_ms"] for r in runs], 2),
            "graphql_p99_ms": summary([r["graphql"]["p99_ms"] for r in runs], 2),
            "baseline_p50_ms": summary([r["baseline"]["p50_ms"] for r in runs], 2),
            "baseline_p99_ms": summary([r["baseline"]["p99_ms"] for r in runs], 2),
            "fixed_rate": {
                f"{label}@{rate:g}": {
                    m: summary([r[f"{label}@{rate:g}"][m] for r in rate_runs], 2)
                    for m in ("p50_ms", "p99_ms", "achieved_rps")
                }
                | {"unfinished": sum(r[f"{label}@{rate:g}"]["unfinished"] for r in rate_runs)}
                for rate in rates
                for label in ("graphql", "baseline")
                if rate_runs
            },
            "errors": sum(r[x]["errors"] for r in runs for x in ("graphql", "baseline"))
            + sum(v["errors"] for r in rate_runs for v in r.values()),
        },
        "runs": runs,
        "fixed_rate_runs": rate_runs,
    }
    delete_namespace(HTTP_NAMESPACE)
    write_result("http_read" + (f"-{args.label}" if args.label else ""), result)
    s = result["summary"]
    print(json.dumps(s, indent=2))
    fr = s["fixed_rate"]
    rate_rows = "\n".join(
        f"| p50 / p99 ms at {rate:g} req/s ({args.rate_runs} runs; unfinished "
        f"{fr[f'graphql@{rate:g}']['unfinished']} / {fr[f'baseline@{rate:g}']['unfinished']}) "
        f"| {fmt(fr[f'graphql@{rate:g}']['p50_ms'])} / {fmt(fr[f'graphql@{rate:g}']['p99_ms'])} "
        f"| {fmt(fr[f'baseline@{rate:g}']['p50_ms'])} / {fmt(fr[f'baseline@{rate:g}']['p99_ms'])} "
        f"| {'< ' + str(TARGET_P99_MS) if rate == 1000 else ''} |"
        for rate in rates
        if rate_runs
    )
    print(
        f"""
| metric (median (min..max) of {args.runs} runs) | GraphQL | baseline | target |
|---|---|---|---|
| req/s, {args.connections} keep-alive connections | {fmt(s["graphql_rps"])} | {fmt(s["baseline_rps"])} | >= {TARGET_RPS} |
| GraphQL / baseline | {fmt(s["ratio"])} | | >= {TARGET_RATIO} |
| gateway CPU ms per request | {fmt(s["graphql_cpu_ms"])} | {fmt(s["baseline_cpu_ms"])} | |
| p50 / p99 ms under that load | {fmt(s["graphql_p50_ms"])} / {fmt(s["graphql_p99_ms"])} | {fmt(s["baseline_p50_ms"])} / {fmt(s["baseline_p99_ms"])} | |
{rate_rows}
| errors | {s["errors"]} | | 0 |"""  # noqa: E501
    )


if __name__ == "__main__":
    main()
