"""What each fast-path piece (`trusthub.schema.fastpath`) buys, measured side by side.

    .venv/bin/python bench/fastpath_ab.py [--pairs 9] [--read-turns 24] [--list-turns 12]

For each piece, one process builds two gateways on the seeded database (bench/seed.py): A with
every piece on, B with every piece on but that one; then, last, A against B with every piece
off (`GRAPHQL_FASTPATH=false`). Each of --pairs pairs alternates A and B turn by turn (ABBA…):
16 §1 reads at a time (`inprocess_read.py`'s query), and one §2 list (`inprocess_list.py`'s
page of 100), and sums the process's CPU time per side: side by side, in turns of tens of
milliseconds, the machine's drift and the other work on it fall on A and B alike. Before each
turn a full garbage collection runs, outside the timing: the collector's oldest generation runs
every so many allocations, tens of milliseconds each time, and in step with the turns it fell
on one side more than the other (a piece that cannot change the list once seemed to save a
quarter of it). Prints a markdown table: per pair, how much more B costs than A, median
(min-max) over the pairs; writes bench/.data/fastpath_ab.json."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ALL_OFF = "all off"
BENCH = Path(__file__).resolve().parent


def _pieces() -> tuple[str, ...]:
    from trusthub.schema import fastpath

    return fastpath.PIECES


def _child(variant: str, args: argparse.Namespace) -> dict[str, Any]:
    import uvloop
    from baseline_app import CUSTOMER_PROFILE_QUERY
    from harness import DATA
    from http_list import LIST_QUERY
    from inprocess_read import _call

    from trusthub.app import create_app
    from trusthub.config import Settings
    from trusthub.schema import fastpath

    everything = fastpath.PIECES
    seed = json.loads((DATA / "seed.json").read_text())

    def build(pieces: tuple[str, ...]) -> Any:
        fastpath.PIECES = pieces  # what build_schema applies with GRAPHQL_FASTPATH on
        try:
            settings = Settings(  # type: ignore[call-arg]
                database_url=seed["database_url"], graphql_fastpath=bool(pieces), _env_file=None
            )
            return create_app(settings, frozenset())
        finally:
            fastpath.PIECES = everything

    a_pieces = everything
    b_pieces = () if variant == ALL_OFF else tuple(p for p in everything if p != variant)
    apps = {"A": build(a_pieces), "B": build(b_pieces)}

    headers = {"authorization": "Bearer " + seed["api_key"], "content-type": "application/json"}
    ids = seed["profile_ids"]
    list_body = json.dumps({"query": LIST_QUERY, "variables": {"first": 100}}).encode()

    async def reads(app: Any, offset: int) -> float:
        """CPU ms for 16 reads at a time (as `inprocess_read.py` sends them)."""

        async def one(i: str) -> None:
            body = json.dumps({"query": CUSTOMER_PROFILE_QUERY, "variables": {"id": i}})
            await _call(app, "POST", "/graphql", body.encode(), headers)

        gc.collect()  # a full collection falls in neither side's turn (see the docstring)
        started = time.process_time()
        await asyncio.gather(*(one(ids[(offset + k) % len(ids)]) for k in range(16)))
        return (time.process_time() - started) * 1000

    async def one_list(app: Any) -> float:
        gc.collect()
        started = time.process_time()
        await _call(app, "POST", "/graphql", list_body, headers)
        return (time.process_time() - started) * 1000

    async def measure() -> dict[str, Any]:
        out: dict[str, Any] = {m: {"A": [], "B": []} for m in ("read", "list")}
        async with (
            apps["A"].router.lifespan_context(apps["A"]),
            apps["B"].router.lifespan_context(apps["B"]),
        ):
            for side in ("A", "B"):  # warm up
                for k in range(10):
                    await reads(apps[side], 16 * k)
                    await one_list(apps[side])
            offset = 0
            for _ in range(args.pairs):
                # A and B in turns of 16 reads or one list (ABBA…), summed per side.
                cpu = {m: {"A": 0.0, "B": 0.0} for m in ("read", "list")}
                for turn in range(max(args.read_turns, args.list_turns)):
                    for side in ("A", "B") if turn % 2 == 0 else ("B", "A"):
                        if turn < args.read_turns:
                            cpu["read"][side] += await reads(apps[side], offset)
                        if turn < args.list_turns:
                            cpu["list"][side] += await one_list(apps[side])
                    offset += 16
                for side in ("A", "B"):
                    out["read"][side].append(cpu["read"][side] / (16 * args.read_turns))
                    out["list"][side].append(cpu["list"][side] / args.list_turns)
        return out

    result: dict[str, Any] = uvloop.run(measure())
    return result


def _cell(values: list[float], digits: int = 2, unit: str = "") -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:.{digits}f}{unit} ({low:.{digits}f}-{high:.{digits}f})"


def _row(variant: str, result: dict[str, Any]) -> str:
    cells = [variant]
    for measure in ("read", "list"):
        a, b = result[measure]["A"], result[measure]["B"]
        costs = [100 * (y / x - 1) for x, y in zip(a, b, strict=True)]
        cells += [_cell(a), _cell(b), _cell(costs, 1, " %")]
    return "| " + " | ".join(cells) + " |"


def main(args: argparse.Namespace) -> None:
    variants = [*_pieces(), ALL_OFF]
    if args.only:
        variants = [v for v in variants if v in args.only.split(",")]
    print(
        "| B = all on but | read A ms | read B ms | read: B costs more by | list A ms "
        "| list B ms | list: B costs more by |"
    )
    print("|---" * 7 + "|")
    results: dict[str, Any] = {}
    for variant in variants:
        command = [sys.executable, __file__, "--child", variant, "--pairs", str(args.pairs)]
        command += ["--read-turns", str(args.read_turns)]
        command += ["--list-turns", str(args.list_turns)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{variant}: {done.stderr}")
        results[variant] = json.loads(done.stdout.strip().splitlines()[-1])
        print(_row(variant, results[variant]), flush=True)
    out = BENCH / ".data" / "fastpath_ab.json"
    out.write_text(json.dumps({"args": vars(args), "results": results}))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9)
    parser.add_argument("--read-turns", type=int, default=24, help="turns of 16 reads per pair")
    parser.add_argument("--list-turns", type=int, default=12, help="turns of one list per pair")
    parser.add_argument("--only", default="", help="comma-separated pieces (and 'all off')")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    parsed = _parser().parse_args()
    if parsed.child:
        print(json.dumps(_child(parsed.child, parsed)))
    else:
        main(parsed)
