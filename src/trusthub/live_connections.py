"""The gateway's open WebSocket connections, by account and API key.

A subscription lives as long as its connection, so a key checked only at `connection_init`
would outlive its rotation or revocation. The gateway re-checks the keys of its open
connections every AUTH_CACHE_SECONDS (one statement for all of them, refreshing the
authenticator's cache) and closes those whose key no longer names their account with 4403.
It also caps the connections one account holds (MAX_CONNECTIONS_PER_ACCOUNT)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected
from starlette.websockets import WebSocketState as State
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected as StrawberryDisconnected

from .models import Account
from .transient import is_transient

log = logging.getLogger(__name__)

FORBIDDEN = 4403  # graphql-transport-ws's own code for a refused connection_init
KEY_WITHDRAWN = "The API key was rotated or revoked."
TOO_MANY = "Too many open connections for this account (MAX_CONNECTIONS_PER_ACCOUNT)."

Refresh = Callable[[Collection[str]], Awaitable[Mapping[str, Account]]]


@dataclass(eq=False)
class LiveConnection:
    websocket: WebSocket
    account_sid: str
    key_digest: str


async def close(websocket: WebSocket, code: int, reason: str) -> None:
    """Close unless already closed; a client that is already gone is no error."""
    if websocket.application_state is State.DISCONNECTED:
        return
    with suppress(WebSocketDisconnect, WebSocketDisconnected):
        await websocket.close(code=code, reason=reason)


class ClosableWebSocketAdapter(ASGIWebSocketAdapter):
    """strawberry's adapter for sockets the gateway may close itself (a withdrawn key, a full
    account): strawberry's own close after that is skipped, and a send is a disconnect, as
    when the client goes away — not an error."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state is State.DISCONNECTED:
            raise StrawberryDisconnected
        await super().send_json(message)

    async def close(self, code: int, reason: str) -> None:
        await close(self.ws, code, reason)


class LiveConnections:
    """One gateway process's registry. The watcher task runs only while connections are open."""

    def __init__(self, refresh: Refresh, *, every: float, max_per_account: int) -> None:
        self.refresh = refresh
        self.every = every
        self.max_per_account = max_per_account
        self._by_account: dict[str, set[LiveConnection]] = {}
        self._watcher: asyncio.Task[None] | None = None

    def count(self, account_sid: str) -> int:
        return len(self._by_account.get(account_sid, ()))

    def total(self) -> int:
        """Open connections of every account (the metrics' gauge)."""
        return sum(len(held) for held in self._by_account.values())

    def admit(
        self, websocket: WebSocket, account_sid: str, key_digest: str
    ) -> LiveConnection | None:
        """Register an authenticated connection; None when its account has no room left."""
        held = self._by_account.setdefault(account_sid, set())
        if len(held) >= self.max_per_account:
            return None
        connection = LiveConnection(websocket, account_sid, key_digest)
        held.add(connection)
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        return connection

    def remove(self, connection: LiveConnection) -> None:
        held = self._by_account.get(connection.account_sid)
        if held is not None:
            held.discard(connection)
            if not held:
                del self._by_account[connection.account_sid]

    async def recheck(self) -> int:
        """Close the connections whose key no longer names their account; how many closed."""
        live = [c for held in self._by_account.values() for c in held]
        if not live:
            return 0
        accounts = await self.refresh({c.key_digest for c in live})
        withdrawn = [
            c
            for c in live
            if (found := accounts.get(c.key_digest)) is None or found.sid != c.account_sid
        ]
        for connection in withdrawn:
            self.remove(connection)
            await close(connection.websocket, FORBIDDEN, KEY_WITHDRAWN)
        return len(withdrawn)

    async def _watch(self) -> None:
        try:
            while self._by_account:
                await asyncio.sleep(self.every)
                try:
                    await self.recheck()
                except Exception as error:  # an outage must not close everyone's connections
                    if is_transient(error):  # the gateway's outage log has said so once
                        log.debug("re-checking open WebSockets' keys waits for the database")
                    else:
                        log.warning(
                            "re-checking the API keys of open WebSockets failed", exc_info=True
                        )
        finally:
            self._watcher = None
