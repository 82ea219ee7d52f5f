"""The §1 read without HTTP: the ASGI app called directly in this process, to compare the CPU
cost of code changes with less noise than a loaded HTTP run (no uvicorn, no load generator).

    [PYTHONPATH=<another tree>/src] .venv/bin/python bench/inprocess_read.py [--passes 3]

Prints the process CPU ms per request for GraphQL and the baseline endpoint: each pass runs
--requests of each, --concurrency at a time; the lowest pass is the figure to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import uvloop
from baseline_app import CUSTOMER_PROFILE_QUERY, create_app
from harness import DATA

from trusthub.config import Settings


async def _call(
    app: Any, method: str, path: str, body: bytes, headers: dict[str, str], query: bytes = b""
) -> None:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "path": path, "raw_path": path.encode(), "root_path": "", "scheme": "http",
        "query_string": query, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(body)).encode())],
        "state": {},
    }  # fmt: skip
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    assert status == [200], status


async def main(args: argparse.Namespace) -> dict[str, list[float]]:
    seed = json.loads((DATA / "seed.json").read_text())
    settings = Settings(database_url=seed["database_url"], _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, frozenset())
    headers = {"authorization": "Bearer " + seed["api_key"], "content-type": "application/json"}
    ids = seed["profile_ids"]

    def graphql(i: str) -> Any:
        body = json.dumps({"query": CUSTOMER_PROFILE_QUERY, "variables": {"id": i}}).encode()
        return _call(app, "POST", "/graphql", body, headers)

    def baseline(i: str) -> Any:
        return _call(app, "GET", f"/bench/customer-profiles/{i}", b"", headers)

    cpu: dict[str, list[float]] = {"graphql": [], "baseline": []}
    async with app.router.lifespan_context(app):
        for _ in range(args.passes):
            for label, fn in (("graphql", graphql), ("baseline", baseline)):
                limit = asyncio.Semaphore(args.concurrency)

                async def one(i: str, fn: Any = fn, limit: asyncio.Semaphore = limit) -> None:
                    async with limit:
                        await fn(i)

                await asyncio.gather(*(one(i) for i in ids[:200]))  # warm up
                started = time.process_time()
                await asyncio.gather(*(one(ids[k % len(ids)]) for k in range(args.requests)))
                cpu[label].append((time.process_time() - started) * 1000 / args.requests)
    return cpu


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    result = uvloop.run(main(parser.parse_args()))
    print(json.dumps({k: {"min_cpu_ms": round(min(v), 3), "passes": [round(x, 3) for x in v]}
                      for k, v in result.items()}))  # fmt: skip
