"""§2 without HTTP: the list query (`customerProfiles(first: 100)`, baseline_app.LIST_QUERY) and
its hand-written baseline (`GET /bench/customer-profiles?first=100`) sent to the ASGI app in this
process, one at a time, to compare the CPU cost of code changes (or to profile them:
`py-spy record -- .venv/bin/python bench/inprocess_list.py`).

    [BENCH_SRC=<another tree>/src] .venv/bin/python bench/inprocess_list.py [--passes 3]

Prints the process CPU ms per request of each pass for GraphQL and the baseline, which take
turns pass by pass; the lowest pass of each is the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import time

import common  # noqa: F401  (puts BENCH_SRC first on sys.path)
import uvloop
from baseline_app import LIST_PATH, LIST_QUERY, create_app
from harness import DATA
from inprocess_read import _call

from trusthub.config import Settings


async def main(args: argparse.Namespace) -> dict[str, list[float]]:
    seed = json.loads((DATA / "seed.json").read_text())
    settings = Settings(database_url=seed["database_url"], _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, frozenset())
    headers = {"authorization": "Bearer " + seed["api_key"], "content-type": "application/json"}
    body = json.dumps({"query": LIST_QUERY, "variables": {"first": args.first}}).encode()
    requests = {
        "graphql": ("POST", "/graphql", body, b""),
        "baseline": ("GET", LIST_PATH, b"", f"first={args.first}".encode()),
    }
    cpu: dict[str, list[float]] = {label: [] for label in requests}
    async with app.router.lifespan_context(app):
        for method, path, payload, query in requests.values():
            for _ in range(5):  # warm up
                await _call(app, method, path, payload, headers, query)
        for _ in range(args.passes):
            for label, (method, path, payload, query) in requests.items():
                started = time.process_time()
                for _ in range(args.requests):
                    await _call(app, method, path, payload, headers, query)
                cpu[label].append((time.process_time() - started) * 1000 / args.requests)
    return cpu


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--first", type=int, default=100)
    result = uvloop.run(main(parser.parse_args()))
    summary = {
        label: {"min_cpu_ms": round(min(v), 2), "passes": [round(x, 2) for x in v]}
        for label, v in result.items()
    }
    ratio = summary["baseline"]["min_cpu_ms"] / summary["graphql"]["min_cpu_ms"]
    print(json.dumps({**summary, "baseline_cpu_over_graphql_cpu": round(ratio, 3)}))
