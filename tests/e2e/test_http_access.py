"""API keys over real HTTP, and the health endpoints an orchestrator polls."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from trusthub.config import Settings

from ..conftest import PG_URL, Acct
from .conftest import Frontend, LiveServer, serving

pytestmark = pytest.mark.e2e

VIEWER = "query { viewer { account { id name role } } }"

CREATE_PROFILE = """
mutation {
  createCustomerProfile(input: {kind: BUSINESS, friendlyName: "Sneaky",
                                notificationEmail: "x@example.com"}) {
    customerProfile { id }
    userErrors { code }
  }
}
"""

PROFILE_COUNT = "query { customerProfiles { totalCount } }"


BAD_CREDENTIALS: dict[str, dict[str, str]] = {
    "no header": {},
    "wrong key": {"Authorization": "Bearer th_not-a-real-key"},
    "scheme only": {"Authorization": "Bearer"},
    "basic auth": {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    "key without scheme": {"Authorization": "th_not-a-real-key"},
}


async def test_requests_without_a_valid_key_get_401_and_change_nothing(
    http: httpx.AsyncClient, frontend: Frontend, alice: Acct
) -> None:
    for case, headers in BAD_CREDENTIALS.items():
        # when a client sends a query and a mutation without a valid API key
        read = await http.post("/graphql", json={"query": VIEWER}, headers=headers)
        write = await http.post("/graphql", json={"query": CREATE_PROFILE}, headers=headers)

        # then both are refused with 401, a Bearer challenge and no data
        for response in (read, write):
            assert response.status_code == 401, case
            assert response.headers["www-authenticate"].startswith("Bearer"), case
            body: dict[str, Any] = response.json()
            assert "data" not in body, case
            assert "API key" in body["errors"][0]["message"], case

    # and none of the mutations created anything
    assert (await frontend(PROFILE_COUNT))["customerProfiles"]["totalCount"] == 0


async def test_a_valid_key_identifies_its_account(http: httpx.AsyncClient, alice: Acct) -> None:
    # when alice sends her key
    response = await http.post("/graphql", json={"query": VIEWER}, headers=alice.headers)

    # then she is served as herself
    assert response.status_code == 200
    assert response.json() == {
        "data": {"viewer": {"account": {"id": alice.sid, "name": "alice", "role": "CUSTOMER"}}}
    }


async def test_healthz_and_readyz_answer_when_the_database_is_reachable(
    http: httpx.AsyncClient,
) -> None:
    # when an orchestrator polls the health endpoints (no API key needed)
    health = await http.get("/healthz")
    ready = await http.get("/readyz")

    # then the process is alive and ready
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable_database_server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[LiveServer, str]]:
    """A server pointed at a database that cannot be opened, and what its driver says why."""
    if request.param == "sqlite":
        missing = f"sqlite+aiosqlite:///{tmp_path}/no-such-directory/trusthub.db"
        cause = "unable to open database file"
    else:
        base, _, _ = PG_URL.rpartition("/")
        cause = f"trusthub_missing_{uuid.uuid4().hex[:12]}"
        missing = f"{base}/{cause}"
    with serving(Settings(database_url=missing, _env_file=None)) as live:
        yield live, cause


async def test_readyz_is_503_when_the_database_is_unreachable(
    unreachable_database_server: tuple[LiveServer, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, cause = unreachable_database_server
    caplog.set_level(logging.WARNING, logger="trusthub.transient")
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as http:
        # when an orchestrator polls a server whose database does not exist, twice
        health = await http.get("/healthz")
        ready = await http.get("/readyz")
        again = await http.get("/readyz")

    # then the process is alive but reports only that it is not ready
    assert health.status_code == 200
    assert (ready.status_code, ready.json()) == (503, {"status": "not ready"})
    assert ready.headers["Retry-After"].isdigit()
    assert (again.status_code, again.json()) == (503, {"status": "not ready"})
    assert cause not in ready.text
    # and the cause is in the log, once
    causes = [r for r in caplog.records if r.name == "trusthub.transient"]
    assert len(causes) == 1, [r.getMessage() for r in causes]
    assert causes[0].levelno == logging.WARNING
    assert cause in causes[0].getMessage()


@pytest.fixture
def database_down_server() -> Iterator[LiveServer]:
    """A server whose PostgreSQL is down: nothing listens on its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with serving(Settings(database_url=f"postgresql://postgres@127.0.0.1:{port}/x")) as live:
        yield live


async def test_requests_get_503_with_retry_after_while_the_database_is_down(
    database_down_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    # given a gateway whose database is down
    caplog.set_level(logging.INFO)
    async with httpx.AsyncClient(base_url=database_down_server.base_url, timeout=10.0) as http:
        # when clients keep sending requests, and an orchestrator polls the health endpoints
        answers = [
            await http.post(
                "/graphql", json={"query": VIEWER}, headers={"Authorization": "Bearer th_x"}
            )
            for _ in range(5)
        ]
        health = await http.get("/healthz")
        ready = await http.get("/readyz")

    # then each request is told to come back later, in a JSON error a client can read
    for answer in answers:
        assert answer.status_code == 503
        assert int(answer.headers["Retry-After"]) > 0
        assert answer.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    # and the process is alive but not ready
    assert health.status_code == 200
    assert ready.status_code == 503
    # and the log holds one warning for the outage, not an error or traceback per request
    gateway = [r for r in caplog.records if not r.name.startswith("trusthub.messaging")]
    assert [r.levelname for r in gateway if r.levelno >= logging.WARNING] == ["WARNING"]
    assert all(r.exc_info is None for r in gateway)
