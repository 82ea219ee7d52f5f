"""requirements/*.lock: the exact versions that `make dev`, `make test`, CI and the image install.
These tests fail when a lock drifts from pyproject.toml (`make lock` regenerates both), when the
two locks disagree, and when the image stops installing from them (tests/test_makefile.py holds
`make dev` and `make test` to them)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.+!-]*)$")

Lock = dict[NormalizedName, Version]


def read_lock(name: str) -> Lock:
    """The pins of one lock file; any other line (an option, a URL, a path, an editable
    install) is refused, so the file installs the same anywhere."""
    pins: Lock = {}
    for number, raw in enumerate((ROOT / "requirements" / name).read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"{name}:{number}: not a plain pin: {line!r}"
        key = canonicalize_name(match[1])
        assert key not in pins, f"{name}:{number}: {key} pinned twice"
        pins[key] = Version(match[2])
    return pins


RUNTIME = [Requirement(text) for text in PROJECT["dependencies"]]
TEST = RUNTIME + [Requirement(text) for text in PROJECT["optional-dependencies"]["test"]]
LOCKS = [("runtime.lock", RUNTIME), ("test.lock", TEST)]


def closure(roots: list[Requirement], pins: Lock) -> set[NormalizedName]:
    """Every distribution that `roots` pull in, walked through the installed metadata (which
    test_the_environment_is_the_locked_one holds to the pins), with each edge's specifier
    checked against the pinned version, as `pip check` would."""
    seen: set[NormalizedName] = set()
    todo = [(req, "pyproject.toml") for req in roots]
    while todo:
        req, parent = todo.pop()
        key = canonicalize_name(req.name)
        assert key in pins, f"{req} (needed by {parent}) is not locked"
        assert req.specifier.contains(pins[key], prereleases=True), (
            f"{key}=={pins[key]} does not satisfy {req} (needed by {parent})"
        )
        extras = {"", *req.extras}
        todo += [
            (dep, key)
            for text in metadata.distribution(key).requires or []
            for dep in [Requirement(text)]
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in extras)
        ]
        seen.add(key)
    return seen


@pytest.mark.parametrize(("name", "roots"), LOCKS)
def test_every_requirement_is_pinned_to_a_version_it_allows(
    name: str, roots: list[Requirement]
) -> None:
    # given a lock and what pyproject.toml asks for
    pins = read_lock(name)
    # then each requirement is pinned, to a version its specifier accepts
    for req in roots:
        key = canonicalize_name(req.name)
        assert key in pins, f"{name} lacks {req}: run `make lock`"
        assert req.specifier.contains(pins[key], prereleases=True), (
            f"{name}: {key}=={pins[key]} does not satisfy {req}: run `make lock`"
        )


def test_the_locks_agree_on_every_shared_package() -> None:
    runtime, test = read_lock("runtime.lock"), read_lock("test.lock")
    # then what runs is a subset of what is tested, at the same versions
    assert set(runtime) <= set(test), set(runtime) - set(test)
    assert {key: test[key] for key in runtime} == runtime


def test_the_environment_is_the_locked_one() -> None:
    # given the environment these tests run in (`make test` installs test.lock)
    pins = read_lock("test.lock")
    installed = {key: Version(metadata.version(key)) for key in pins}
    # then it holds every locked package at its locked version
    moved = {key: (str(pins[key]), str(got)) for key, got in installed.items() if got != pins[key]}
    assert not moved, f"(locked, installed): {moved}; reinstall with `make test`"


@pytest.mark.parametrize(("name", "roots"), LOCKS)
def test_a_lock_is_exactly_the_closure_of_its_requirements(
    name: str, roots: list[Requirement]
) -> None:
    # given a lock
    pins = read_lock(name)
    # when the requirements are followed through their dependencies
    needed = closure(roots, pins)
    # then nothing needed is missing and nothing left over is locked
    assert set(pins) == needed, {"stale": set(pins) - needed}


def test_the_image_installs_from_the_runtime_lock() -> None:
    # given the Dockerfile's install steps
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"pip install[^\n\\]*", dockerfile)
    # then the lock is copied in and installed, and the project goes in without resolving again
    assert "COPY requirements/runtime.lock " in dockerfile
    assert installs == [
        "pip install --no-cache-dir -r requirements/runtime.lock",
        "pip install --no-cache-dir --no-deps -e . ",
    ]
