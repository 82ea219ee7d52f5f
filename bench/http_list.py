"""List: `customerProfiles(first: 100)` with representatives (and address and business
information), from PostgreSQL, on one gateway process (`trusthub serve` with the baselines
mounted, bench/baseline_app.py; uvicorn), against the hand-written baseline endpoint
(`GET /bench/customer-profiles?first=100`: the same SQL, the same JSON) side by side in one run.

    .venv/bin/python bench/http_list.py [--runs 5] [--seconds 6] [--connections 1]

Latency: wrk over keep-alive connections (default one: the latency of a request on an
otherwise idle gateway), GraphQL and baseline alternating within each run (and which goes
first alternating between runs); the ratio is GraphQL's req/s over the baseline's. SQL
statements per request: counted in-process with a SQLAlchemy `before_cursor_execute` listener
for first = 1, 10, 50 and 100 (the API key lookup included, with AUTH_CACHE_SECONDS=0 so that
it is counted every time). Prints a JSON summary and a
markdown table; writes bench/.data/http_list.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from baseline_app import LIST_QUERY
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
from loadgen import alternating_pair, lua_get, lua_graphql, wrk

TARGET_P50_MS = 30
TARGET_RATIO = 0.5


async def count_statements(seed: dict[str, Any], sizes: list[int]) -> dict[int, int]:
    """SQL statements one request runs, per page size (in-process, same app and database)."""
    import httpx
    from sqlalchemy import event

    from trusthub.app import create_app
    from trusthub.config import Settings

    settings = Settings(database_url=seed["database_url"], auth_cache_seconds=0, _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, frozenset())
    statements: list[str] = []
    event.listen(
        app.state.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    counts: dict[int, int] = {}
    headers = {"Authorization": f"Bearer {seed['api_key']}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for first in sizes:
            statements.clear()
            body = {"query": LIST_QUERY, "variables": {"first": first}}
            response = await http.post("/graphql", json=body, headers=headers)
            data = response.json()
            assert "errors" not in data, data
            assert len(data["data"]["customerProfiles"]["edges"]) == first
            counts[first] = len(statements)
    await app.state.engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--first", type=int, default=100)
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the gateway")
    parser.add_argument("--label", default="", help="result file suffix, e.g. before / after")
    args = parser.parse_args()
    seed = json.loads((DATA / "seed.json").read_text())

    counts = asyncio.run(count_statements(seed, [1, 10, 50, args.first]))
    print(json.dumps({"statements_per_request": counts}), flush=True)

    script = lua_graphql("/graphql", LIST_QUERY, [str(args.first)], seed["api_key"], var="first")
    # the variable is an Int: send it as a number
    script = script.replace(f'\\"first\\": \\"{args.first}\\"', f'\\"first\\": {args.first}')
    base_script = lua_get([f"/bench/customer-profiles?first={args.first}"], seed["api_key"])
    env = gateway_env(**dict(e.split("=", 1) for e in args.env))
    runs: list[dict[str, Any]] = []
    busy_before = wait_quiet()
    with gateway(env, app=BASELINE_APP) as (base, pid):
        size = check_graphql(base, seed["api_key"], LIST_QUERY, {"first": args.first})
        print(json.dumps({"response_bytes": size}), flush=True)
        for name, warm in (("list-graphql", script), ("list-baseline", base_script)):
            wrk(base, warm, seconds=3, connections=args.connections, name=name)
        for k in range(args.runs):
            scripts = {"graphql": script, "baseline": base_script}
            run = alternating_pair(
                base, pid, scripts, k, seconds=args.seconds, connections=args.connections,
                prefix="list", digits=2,
            )  # fmt: skip
            runs.append(run)
            print(json.dumps(run), flush=True)
    delete_namespace(HTTP_NAMESPACE)

    constant = len(set(counts.values())) == 1
    result = {
        "benchmark": "http_list",
        "machine": machine(),
        "cpu_busy_before_start": busy_before,
        "settings": {**vars(args), "profiles_in_account": len(seed["profile_ids"])},
        "summary": {
            **{
                f"{label}_{m}": summary([r[label][m] for r in runs], 2)
                for label in ("graphql", "baseline")
                for m in ("p50_ms", "p99_ms", "rps", "cpu_ms")
            },
            "ratio": summary([r["ratio"] for r in runs], 3),
            "statements_per_request": counts,
            "statements_constant": constant,
            "errors": sum(r[x]["errors"] for r in runs for x in ("graphql", "baseline")),
        },
        "runs": runs,
    }
    write_result("http_list" + (f"-{args.label}" if args.label else ""), result)
    s = result["summary"]
    print(json.dumps(s, indent=2))
    per_size = ", ".join(f"first={k}: {v}" for k, v in counts.items())
    print(
        f"""
| median (min..max) of {args.runs} runs, {args.connections} connection(s) | GraphQL | baseline | target |
|---|---|---|---|
| p50 ms, `customerProfiles(first: {args.first})` | {fmt(s["graphql_p50_ms"])} | {fmt(s["baseline_p50_ms"])} | < {TARGET_P50_MS} |
| p99 ms | {fmt(s["graphql_p99_ms"])} | {fmt(s["baseline_p99_ms"])} | |
| req/s | {fmt(s["graphql_rps"])} | {fmt(s["baseline_rps"])} | |
| GraphQL / baseline (req/s) | {fmt(s["ratio"])} | | >= {TARGET_RATIO} |
| gateway CPU ms per request | {fmt(s["graphql_cpu_ms"])} | {fmt(s["baseline_cpu_ms"])} | |
| SQL statements per request | {per_size} | | constant |
| errors | {s["errors"]} | | 0 |"""  # noqa: E501
    )


if __name__ == "__main__":
    main()
