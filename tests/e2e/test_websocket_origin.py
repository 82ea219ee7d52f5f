"""Cross-site WebSocket hijacking: a real uvicorn server refuses upgrades from pages on origins
CORS_ALLOW_ORIGINS does not list, and accepts listed ones and clients that send no Origin."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from httpx_ws import WebSocketUpgradeError, aconnect_ws

from trusthub.config import Settings

from .conftest import LiveServer, serving

pytestmark = pytest.mark.e2e

APP = "https://app.example.com"


@pytest.fixture
def cors_server(settings: Settings) -> Iterator[LiveServer]:
    with serving(settings.model_copy(update={"cors_allow_origins": [APP]})) as live:
        yield live


async def upgrade(server: LiveServer, origin: str | None) -> str | None:
    """The subprotocol the server accepted; raises WebSocketUpgradeError when refused."""
    headers = {"origin": origin} if origin else {}
    async with (
        httpx.AsyncClient(timeout=10.0) as client,
        aconnect_ws(
            f"{server.base_url}/graphql",
            client,
            subprotocols=["graphql-transport-ws"],
            headers=headers,
            keepalive_ping_interval_seconds=None,
        ) as ws,
    ):
        return ws.subprotocol


async def test_an_upgrade_from_another_origin_is_refused(cors_server: LiveServer) -> None:
    with pytest.raises(WebSocketUpgradeError) as refused:
        await upgrade(cors_server, "https://evil.example")
    assert refused.value.response.status_code == 403


async def test_allowed_origin_and_no_origin_are_accepted(cors_server: LiveServer) -> None:
    assert await upgrade(cors_server, APP) == "graphql-transport-ws"
    assert await upgrade(cors_server, None) == "graphql-transport-ws"
