"""The two commands: `make dev` installs only what running needs, `make test` the test extras too,
each at the versions of its lock (`make -n` prints what each would run, in a fresh virtualenv
path, without running it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planned(target: str, venv: Path) -> list[str]:
    make = shutil.which("make")
    assert make is not None, "make is needed to run the README's two commands"
    result = subprocess.run(
        [make, "-n", "--no-print-directory", "-C", str(ROOT), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.splitlines()


def installs(lines: list[str]) -> list[str]:
    """What each `pip install` of the project and its dependencies installs (not pip itself)."""
    return [
        line.split("pip install --quiet ")[1]
        for line in lines
        if "pip install --quiet" in line and (" -r " in line or " -e " in line)
    ]


def test_make_dev_installs_without_the_test_extras_and_make_test_with_them(
    tmp_path: Path,
) -> None:
    # given a machine without the virtualenv
    venv = tmp_path / "venv"
    # when `make dev` and `make test` are planned
    dev, test = planned("dev", venv), planned("test", venv)
    # then dev installs the runtime lock, then the project without resolving again, and runs
    # `trusthub dev`
    assert installs(dev) == ["-r requirements/runtime.lock", "--no-deps -e ."]
    assert dev[-1] == f"{venv}/bin/trusthub dev"
    # and test installs the test lock (the test extras), then the project, and runs pytest,
    # then the GraphQL tests again with the fast path off
    assert installs(test) == ["-r requirements/test.lock", "--no-deps -e ."]
    assert test[-2] == f"{venv}/bin/python -m pytest"
    assert test[-1].startswith(f"GRAPHQL_FASTPATH=false {venv}/bin/python -m pytest -q tests/")
    # and each creates the virtualenv first
    for lines in (dev, test):
        assert lines[0].endswith(f"-m venv {venv}")
