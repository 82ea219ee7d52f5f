"""Counts the SQL statements a process sends, by kind and table, through SQLAlchemy's public
`before_cursor_execute` event. Two uses:

- as a launcher (`BENCH_LAUNCHER=bench/count_statements.py`, see common.Stack): runs the
  `trusthub` command given as arguments and writes its counts so far to
  `bench/.data/statements-<pid>.json` on SIGUSR1 and when the process exits (`read(pid)`);
- in-process: `install()` then `snapshot()` (the benchmark's own submitting process).

A statement run with executemany (a multi-row INSERT through SQLAlchemy's insertmanyvalues is
one statement) counts once; the numbers are round trips, which is what the servers pay for."""

from __future__ import annotations

import atexit
import collections
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

DATA = Path(__file__).resolve().parent / ".data"
_counts: collections.Counter[str] = collections.Counter()
# Distinct statement texts: each one asyncpg has to prepare (a round trip of its own) when its
# per-connection cache of prepared statements does not hold it.
_texts: set[str] = set()
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)', re.IGNORECASE)


def _kind(statement: str) -> str:
    words = statement.lstrip().split(None, 1)
    verb = words[0].upper() if words else "?"
    if verb in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
        return verb
    table = _TABLE.search(statement)
    lock = " FOR UPDATE" if "FOR UPDATE" in statement.upper() else ""
    return f"{verb} {table.group(1) if table else '?'}{lock}"


def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    _counts[_kind(statement)] += 1
    if statement not in _texts:
        _texts.add(statement)
        _counts["(distinct texts)"] += 1


def install() -> None:
    event.listen(Engine, "before_cursor_execute", _count)


def snapshot() -> dict[str, int]:
    return dict(_counts)


def _path(pid: int) -> Path:
    return DATA / f"statements-{pid}.json"


def _dump(*_args: Any) -> None:
    DATA.mkdir(exist_ok=True)
    tmp = _path(os.getpid()).with_suffix(".tmp")
    tmp.write_text(json.dumps(snapshot(), indent=1))
    tmp.replace(_path(os.getpid()))


def read(pid: int, timeout: float = 5.0) -> dict[str, int]:
    """Ask a launched process for its counts so far (SIGUSR1) and read them."""
    path = _path(pid)
    path.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"process {pid} wrote no statement counts")
        time.sleep(0.02)
    counts: dict[str, int] = json.loads(path.read_text())
    return counts


def difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    keys = sorted(set(after) | set(before))
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)
    }


def main() -> None:
    install()
    atexit.register(_dump)
    signal.signal(signal.SIGUSR1, _dump)
    from trusthub.cli import main as trusthub

    sys.argv = ["trusthub", *sys.argv[1:]]
    sys.exit(trusthub())


if __name__ == "__main__":
    main()
