"""The clients frontends use, run against a live gateway: Apollo Client 4 and graphql-ws
(tests/clients, under `node --test`), relay-compiler over the SDL and the graphql-http audit.
The JS project is installed by `make test` (`npm ci` in tests/clients); without it these fail."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from trusthub.config import Settings
from trusthub.gateway_schema import build_schema
from trusthub.runtime import ALL_ROLES

from ..conftest import Acct
from .conftest import LiveServer, serving

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "tests" / "clients"
COMMITTED_SDL = ROOT / "schema.graphql"
NODE_TIMEOUT = 120.0


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    """A gateway running every role, the reviewer included, so a submit gets decided."""
    update = {"broker_url": "memory://", "smtp_url": "log://"}
    with serving(settings.model_copy(update=update), ALL_ROLES) as server:
        yield server


@pytest.fixture
def introspectable(settings: Settings) -> Iterator[LiveServer]:
    """A gateway with introspection on: the audit's variables checks read `__type`, which
    production refuses (introspection off), and the audit is about HTTP, not that policy."""
    with serving(settings.model_copy(update={"introspection": True})) as server:
        yield server


@pytest.fixture(scope="module")
def sdl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed schema.graphql once it exists; until then the code's schema, printed."""
    if COMMITTED_SDL.exists():
        return COMMITTED_SDL
    path = tmp_path_factory.mktemp("sdl") / "schema.graphql"
    path.write_text(build_schema(Settings(_env_file=None)).as_str())  # type: ignore[call-arg]
    return path


def node_test(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`node --test test/<script>` in tests/clients with the gateway's address in `env`."""
    node = shutil.which("node")
    assert node, "node is not installed: the JS client tests need node 20 or later"
    assert (CLIENTS / "node_modules").is_dir(), (
        "tests/clients/node_modules is missing: run `npm ci` in tests/clients (`make test` does)"
    )
    return subprocess.run(
        [node, "--test", f"test/{script}"],
        cwd=CLIENTS,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""), **env},
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )


def gateway(live: LiveServer, account: Acct) -> dict[str, str]:
    return {"TRUSTHUB_URL": f"{live.base_url}/graphql", "TRUSTHUB_API_KEY": account.api_key}


def passed(run: subprocess.CompletedProcess[str]) -> bool:
    return run.returncode == 0 and "# fail 0" in run.stdout


def test_apollo_client_queries_mutates_refetches_and_normalises(
    live: LiveServer, alice: Acct
) -> None:
    # when Apollo Client runs its query, mutation, node refetch and cache checks
    run = node_test("apollo.test.js", **gateway(live, alice))
    # then every one passed
    assert passed(run), run.stdout + run.stderr


def test_graphql_ws_follows_a_submit_to_its_decision(live: LiveServer, alice: Acct) -> None:
    # when graphql-ws subscribes and the profile is submitted over HTTP
    run = node_test("subscription.test.js", **gateway(live, alice))
    # then the subscriber saw PENDING_REVIEW, IN_REVIEW, APPROVED in order
    assert passed(run), run.stdout + run.stderr


def test_relay_compiler_accepts_a_connection_and_refetchable_fragments(sdl: Path) -> None:
    # when relay-compiler compiles tests/clients/relay against the SDL
    run = node_test("relay.test.js", TRUSTHUB_SCHEMA=str(sdl))
    # then it succeeds: PageInfo has both directions, so @connection is accepted
    assert "hasPreviousPage" in sdl.read_text()
    assert passed(run), run.stdout + run.stderr


GRAPHQL_RESPONSE = "application/graphql-response+json"


def test_the_graphql_over_http_audit_passes(introspectable: LiveServer, alice: Acct) -> None:
    live = introspectable
    # given a gateway that serves the GraphQL-over-HTTP media type when asked
    probe = httpx.post(
        f"{live.base_url}/graphql",
        json={"query": "{ __typename }"},
        headers={**alice.headers, "Accept": GRAPHQL_RESPONSE},
    )
    assert probe.headers.get("content-type", "").startswith(GRAPHQL_RESPONSE)
    # when graphql-http's serverAudits run against it
    run = node_test("audit.test.js", **gateway(live, alice))
    # then none fails and none warns
    assert passed(run), run.stdout + run.stderr
