"""Memory: resident set size (VmRSS, from /proc) of an idle gateway (`trusthub serve`, on
RabbitMQ and PostgreSQL, with its relay, decision consumer and subscription feed) and of an
idle reviewer worker (`trusthub worker reviewer`), each started fresh for every run.

    .venv/bin/python bench/memory.py [--runs 5] [--settle 3]

The gateway is measured twice: idle after start-up, and idle again after serving
--requests GraphQL reads (what a gateway that has been in use holds). Prints a JSON summary
and a markdown table; writes bench/.data/memory.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import urllib.request
from typing import Any

from baseline_app import CUSTOMER_PROFILE_QUERY
from harness import (
    DATA,
    TRUSTHUB,
    fmt,
    free_port,
    gateway_env,
    machine,
    rss_kib,
    stop,
    summary,
    wait_http,
    wait_quiet,
    write_result,
)
from harness import delete_namespace as delete_broker_namespace

TARGET_MIB = 150
NAMESPACE = "bench-memory"


def _tree_rss_mib(pid: int) -> float:
    """RSS of a process and its children (uvicorn with one worker has none; said, not assumed)."""
    total = rss_kib(pid)
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    total += sum(rss_kib(int(c)) for c in children)
    return total / 1024


def _reads(base: str, seed: dict[str, Any], n: int) -> None:
    ids = seed["profile_ids"]
    for k in range(n):
        body = json.dumps({"query": CUSTOMER_PROFILE_QUERY, "variables": {"id": ids[k % len(ids)]}})
        request = urllib.request.Request(
            base + "/graphql",
            data=body.encode(),
            headers={"Authorization": f"Bearer {seed['api_key']}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200


def one_run(seed: dict[str, Any], settle: float, requests: int) -> dict[str, float]:
    env = gateway_env(RUN_CONSUMERS="true", BROKER_NAMESPACE=NAMESPACE)
    port = free_port()
    logs = [open(DATA / f"memory-{name}.log", "w") for name in ("gateway", "reviewer")]  # noqa: SIM115
    gateway = subprocess.Popen(
        [TRUSTHUB, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=DATA, stdout=logs[0], stderr=subprocess.STDOUT,
    )  # fmt: skip
    reviewer = subprocess.Popen(
        [TRUSTHUB, "worker", "reviewer"],
        env=env, cwd=DATA, stdout=subprocess.PIPE, stderr=logs[1], text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/readyz")
        assert reviewer.stdout is not None
        line = reviewer.stdout.readline()  # "trusthub worker reviewer running ..." once started
        if "running" not in line:
            raise RuntimeError(f"reviewer did not start: {line!r}")
        time.sleep(settle)
        result = {"gateway_idle_mib": _tree_rss_mib(gateway.pid),
                  "reviewer_idle_mib": _tree_rss_mib(reviewer.pid)}  # fmt: skip
        _reads(base, seed, requests)
        time.sleep(settle)
        result["gateway_after_reads_mib"] = _tree_rss_mib(gateway.pid)
        return result
    finally:
        for proc in (gateway, reviewer):
            stop(proc)
        for log in logs:
            log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=3, help="idle seconds before measuring")
    parser.add_argument("--requests", type=int, default=1000, help="reads before the 2nd sample")
    parser.add_argument("--label", default="", help="result file suffix, e.g. before / after")
    args = parser.parse_args()
    seed = json.loads((DATA / "seed.json").read_text())
    busy_before = wait_quiet()
    runs = []
    try:
        for _ in range(args.runs):
            run = {k: round(v, 1) for k, v in one_run(seed, args.settle, args.requests).items()}
            runs.append(run)
            print(json.dumps(run), flush=True)
    finally:
        delete_broker_namespace(NAMESPACE)
    keys = ("gateway_idle_mib", "gateway_after_reads_mib", "reviewer_idle_mib")
    result = {
        "benchmark": "memory",
        "machine": machine(),
        "cpu_busy_before_start": busy_before,
        "settings": vars(args),
        "summary": {k: summary([r[k] for r in runs]) for k in keys},
        "runs": runs,
    }
    write_result("memory" + (f"-{args.label}" if args.label else ""), result)
    s = result["summary"]
    print(json.dumps(s, indent=2))
    print(
        f"""
| RSS, MiB (median (min..max) of {args.runs} runs) | value | target |
|---|---|---|
| gateway, idle after start-up | {fmt(s["gateway_idle_mib"])} | < {TARGET_MIB} |
| gateway, idle after {args.requests} reads | {fmt(s["gateway_after_reads_mib"])} | < {TARGET_MIB} |
| reviewer worker, idle | {fmt(s["reviewer_idle_mib"])} | < {TARGET_MIB} |"""
    )


if __name__ == "__main__":
    main()
