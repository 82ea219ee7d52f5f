"""§2 without HTTP: the list query (`customerProfiles(first: 100)`, http_list.LIST_QUERY) sent to
the ASGI app in this process, one at a time, to compare the CPU cost of code changes (or to
profile them: `py-spy record -- .venv/bin/python bench/inprocess_list.py`).

    [BENCH_SRC=<another tree>/src] .venv/bin/python bench/inprocess_list.py [--passes 3]

Prints the process CPU ms per request of each pass; the lowest is the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import time

import common  # noqa: F401  (puts BENCH_SRC first on sys.path)
import uvloop
from harness import DATA
from http_list import LIST_QUERY
from inprocess_read import _call

from trusthub.app import create_app
from trusthub.config import Settings


async def main(args: argparse.Namespace) -> list[float]:
    seed = json.loads((DATA / "seed.json").read_text())
    settings = Settings(database_url=seed["database_url"], _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, frozenset())
    headers = {"authorization": "Bearer " + seed["api_key"], "content-type": "application/json"}
    body = json.dumps({"query": LIST_QUERY, "variables": {"first": args.first}}).encode()
    passes = []
    async with app.router.lifespan_context(app):
        for _ in range(5):  # warm up
            await _call(app, "POST", "/graphql", body, headers)
        for _ in range(args.passes):
            started = time.process_time()
            for _ in range(args.requests):
                await _call(app, "POST", "/graphql", body, headers)
            passes.append((time.process_time() - started) * 1000 / args.requests)
    return passes


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--first", type=int, default=100)
    result = uvloop.run(main(parser.parse_args()))
    passes = [round(x, 2) for x in result]
    print(json.dumps({"min_cpu_ms": min(passes), "passes": passes}))
