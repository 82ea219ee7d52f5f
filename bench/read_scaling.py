"""Issue 16 item 4, the read: `http_read.py` (wrk, GraphQL and baseline) against one gateway
process and against `serve --workers N`, alternating, `--pairs` times, one fresh gateway per
run; prints req/s and the gateway's CPU per request (all its processes) as median (min-max)
and the ratio N ÷ 1.

    .venv/bin/python bench/read_scaling.py [--pairs 5] [--workers 2] [--seconds 8]

Needs bench/seed.py's database, as http_read.py does. Results: bench/.data/read_scaling.json."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DATA, summary, wait_quiet, write_result

BENCH = Path(__file__).resolve().parent
METRICS = ("graphql_rps", "baseline_rps", "graphql_cpu_ms", "baseline_cpu_ms")


def run_one(workers: int, seconds: float, n: int) -> dict[str, float]:
    label = f"scaling-w{workers}-{n}"
    command = [sys.executable, str(BENCH / "http_read.py"), "--workers", str(workers)]
    command += ["--runs", "1", "--rate-runs", "0", "--seconds", str(seconds)]
    command += ["--quiet-wait", "0", "--label", label]
    print(f"-- {workers} process(es) #{n}", flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=600)
    path = DATA / f"http_read-{label}.json"
    s = json.loads(path.read_text())["summary"]
    path.unlink()
    row = {k: s[k]["median"] for k in METRICS}
    print(f"   {json.dumps(row)}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    started = time.time()
    busy = wait_quiet()
    rows: dict[int, list[dict[str, float]]] = {1: [], args.workers: []}
    for n in range(args.pairs):
        for workers in rows:
            rows[workers].append(run_one(workers, args.seconds, n + 1))
    result: dict[str, Any] = {
        str(w): {k: summary([r[k] for r in runs], 2) for k in METRICS} for w, runs in rows.items()
    }
    one, many = result["1"], result[str(args.workers)]
    print(
        f"\n| median (min-max), {args.pairs} alternating runs "
        f"| 1 process | {args.workers} | ratio |"
    )
    print("|---|---|---|---|")
    for k in METRICS:
        ratio = many[k]["median"] / one[k]["median"]
        print(f"| {k} | {_fmt(one[k])} | {_fmt(many[k])} | {ratio:.2f} |")
    write_result(
        "read_scaling",
        {
            "args": vars(args),
            "cpu_busy_before_start": busy,
            "summary": result,
            "runs": rows,
            "wall_seconds": round(time.time() - started, 1),
        },
    )


def _fmt(s: dict[str, float]) -> str:
    return f"{s['median']:g} ({s['min']:g}-{s['max']:g})"


if __name__ == "__main__":
    main()
