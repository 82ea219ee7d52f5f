"""Issue 16, item 2 "with and without the fast paths": the read's and the list's CPU per request
against their hand-written baselines, with GRAPHQL_FASTPATH on and off, alternating.

    .venv/bin/python bench/fastpath_ratio.py [--pairs 5]

Each pair runs `inprocess_read.py` and `inprocess_list.py` once with the fast path on and once
off (which goes first alternates), each in a process of its own; every run reports the lowest of
its passes. Prints, per setting, the median (min-max) over the pairs of GraphQL's and the
baseline's CPU ms per request and of baseline ÷ GraphQL (the CPU form of the req/s ratio).
Needs the seeded database (`seed.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {"read": "inprocess_read.py", "list": "inprocess_list.py"}


def _run(script: str, fastpath: bool) -> dict[str, float]:
    env = {**os.environ, "GRAPHQL_FASTPATH": "true" if fastpath else "false"}
    out = (
        subprocess.run(
            [sys.executable, str(HERE / script)],
            env=env,
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    result = json.loads(out)
    return {label: result[label]["min_cpu_ms"] for label in ("graphql", "baseline")}


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.3g} ({min(values):.3g}-{max(values):.3g})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    runs: dict[tuple[str, bool], list[dict[str, float]]] = {}
    for pair in range(args.pairs):
        order = (True, False) if pair % 2 == 0 else (False, True)
        for name, script in SCRIPTS.items():
            for fastpath in order:
                runs.setdefault((name, fastpath), []).append(_run(script, fastpath))
        print(f"pair {pair + 1}/{args.pairs} done", file=sys.stderr, flush=True)
    print("| CPU ms per request | fast path | GraphQL | baseline | baseline ÷ GraphQL |")
    print("|---|---|---|---|---|")
    summary = {}
    for (name, fastpath), results in runs.items():
        graphql = [r["graphql"] for r in results]
        baseline = [r["baseline"] for r in results]
        ratio = [r["baseline"] / r["graphql"] for r in results]
        setting = "on" if fastpath else "off"
        print(f"| {name} | {setting} | {_fmt(graphql)} | {_fmt(baseline)} | {_fmt(ratio)} |")
        summary[f"{name}-{setting}"] = {"graphql": graphql, "baseline": baseline, "ratio": ratio}
    (HERE / ".data").mkdir(exist_ok=True)
    (HERE / ".data" / "fastpath_ratio.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
