"""Side by side: `pipeline.py` (a) alone, as A then B, `--pairs` times, alternating, one fresh
stack per run; prints the CPU per profile of each process and profiles/s of A and B as median
(min-max). The machine drifts and other work loads it: CPU per profile is the figure to compare,
throughput only when the machine was otherwise quiet.

    # code before → after (a checkout of the "before" commit, see bench/README.md)
    .venv/bin/python bench/pipeline_ab.py --a-src <checkout>/src
    # one reviewer worker → two (issue 16 item 4)
    .venv/bin/python bench/pipeline_ab.py --a-args=--reviewers=1 --b-args=--reviewers=2

A and B run this checkout's `pipeline.py`; `--a-src`/`--b-src` run another tree's code
(BENCH_SRC, common.py). Results: bench/.data/pipeline_ab[-LABEL].json."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import summary, write_result

BENCH = Path(__file__).resolve().parent
PROCESSES = ("gateway", "reviewer", "driver", "rabbitmq", "postgresql")


def run_one(side: str, src: str | None, extra: list[str], common_args: list[str], n: int) -> Any:
    label = f"ab-{side}-{n}-{os.getpid()}"
    env = dict(os.environ)
    env.pop("BENCH_SRC", None)
    if src:
        env["BENCH_SRC"] = src
    command = [sys.executable, str(BENCH / "pipeline.py"), "--runs", "1", "--skip-baseline"]
    command += ["--skip-latency", "--label", label, *common_args, *extra]
    print(f"-- {side} #{n}: {shlex.join(command[2:])}", flush=True)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=1800)
    data = json.loads((BENCH / ".data" / f"{label}.json").read_text())
    (BENCH / ".data" / f"{label}.json").unlink()
    run = data["runs"]["throughput"][0]
    cpu = run["cpu_ms_per_profile"]
    row = {p: cpu.get(p, 0.0) for p in PROCESSES}
    row["total"] = round(sum(row.values()), 2)
    row["profiles_per_s"] = run["profiles_per_s"]
    row["loadavg"] = run["loadavg"][0]
    print(f"   {side}: {json.dumps(row)}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--profiles", type=int, default=1000, help="profiles per run")
    parser.add_argument("--a-src", default=None)
    parser.add_argument("--b-src", default=None)
    parser.add_argument("--a-args", default="", help="extra pipeline.py arguments for A")
    parser.add_argument("--b-args", default="", help="extra pipeline.py arguments for B")
    parser.add_argument("--label", default="")
    args, rest = parser.parse_known_args()
    common_args = ["--profiles", str(args.profiles), *rest]
    sides = {
        "A": (args.a_src, shlex.split(args.a_args)),
        "B": (args.b_src, shlex.split(args.b_args)),
    }
    started = time.time()
    rows: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    for n in range(args.pairs):
        for side, (src, extra) in sides.items():
            rows[side].append(run_one(side, src, extra, common_args, n + 1))
    keys = [*PROCESSES, "total", "profiles_per_s"]
    result = {
        side: {k: summary([r[k] for r in runs], 2) for k in keys} for side, runs in rows.items()
    }
    print(f"\n| median (min-max), {args.pairs} alternating runs | A | B | B ÷ A |")
    print("|---|---|---|---|")
    for k in keys:
        a, b = result["A"][k], result["B"][k]
        ratio = b["median"] / a["median"] if a["median"] else float("nan")
        print(f"| {k} | {_fmt(a)} | {_fmt(b)} | {ratio:.2f} |")
    name = "pipeline_ab" + (f"-{args.label}" if args.label else "")
    write_result(
        name,
        {
            "args": vars(args),
            "common_args": common_args,
            "wall_seconds": round(time.time() - started, 1),
            "summary": result,
            "runs": rows,
        },
    )


def _fmt(s: dict[str, float]) -> str:
    return f"{s['median']:g} ({s['min']:g}-{s['max']:g})"


if __name__ == "__main__":
    main()
