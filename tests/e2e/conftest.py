"""A real server for end-to-end tests: the app under uvicorn on a free localhost port, over the
parametrised database (SQLite and PostgreSQL), driven with a real HTTP/WebSocket client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from trusthub.app import create_app
from trusthub.cli import uvicorn_options
from trusthub.config import Settings
from trusthub.runtime import GATEWAY_ROLES, ProcessRole

from ..conftest import Acct

STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0


def free_socket() -> socket.socket:
    """A listening-ready socket on a port the OS picked, so no two servers race for one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def wait_until_healthy(
    base_url: str, thread: threading.Thread, timeout: float = STARTUP_TIMEOUT
) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"the server at {base_url} stopped during startup (see its log)")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError as exc:
            last = exc
        time.sleep(0.05)
    raise TimeoutError(f"{base_url}/healthz did not answer within {timeout}s: {last!r}")


@dataclass(frozen=True)
class LiveServer:
    base_url: str

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/graphql"


@contextmanager
def serving(
    settings: Settings, roles: frozenset[ProcessRole] = GATEWAY_ROLES
) -> Iterator[LiveServer]:
    """`create_app(settings)` under uvicorn in a background thread, stopped on exit.

    By default it runs what a gateway runs in production (relay, decisions, subscriptions) and
    not the reviewer, which is a separate worker there: a submitted profile then stays
    PENDING_REVIEW, as these tests of the customer's side expect."""
    sock = free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, roles),
        log_level="warning",
        timeout_graceful_shutdown=3,
        **uvicorn_options(settings),  # as `trusthub serve` runs it
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        live = LiveServer(f"http://127.0.0.1:{port}")
        wait_until_healthy(live.base_url, thread)
        yield live
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not shut down"


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    """The app serving the test's database; stopped before the database is cleaned up."""
    with serving(settings) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as client:
        yield client


class Frontend:
    """What a frontend does: POST GraphQL documents with its API key over real HTTP."""

    def __init__(self, http: httpx.AsyncClient, account: Acct) -> None:
        self.http = http
        self.account = account

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.account.headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture
def frontend(http: httpx.AsyncClient, alice: Acct) -> Frontend:
    return Frontend(http, alice)
