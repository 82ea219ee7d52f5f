"""Starlette application: /graphql (HTTP + WebSocket), /healthz, /readyz."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

import orjson
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import async_base_view
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from .body_limit import BodyLimit
from .config import Settings, get_settings
from .consumers.subscriptions import EventHub
from .db import SessionFactory, create_engine, create_session_factory
from .models import Account
from .runtime import ALL_ROLES, GATEWAY_ROLES, Role, Runtime
from .schema.build import build_schema
from .schema.context import Context
from .schema.loaders import SharedReads
from .services.accounts import authenticate, hash_api_key

logger = logging.getLogger(__name__)

ACCOUNT_SCOPE_KEY = "trusthub.account"
READS_SCOPE_KEY = "trusthub.reads"

# strawberry parses every request's Content-Type with `email.message.Message` (3 % of a read's
# CPU, bench/README.md); clients send a handful of distinct values, so each is parsed once.
# Its view only unpacks the result, never changes it.
async_base_view.parse_content_type = lru_cache(maxsize=64)(  # type: ignore[attr-defined]
    async_base_view.parse_content_type  # type: ignore[attr-defined]
)


def bearer_key(value: object) -> str | None:
    """The key of `Bearer <key>`; the scheme is case-insensitive (RFC 7235 section 2.1)."""
    if not isinstance(value, str):
        return None
    scheme, _, key = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip() or None


class GraphQLApp(GraphQL[Context, None]):
    def __init__(
        self,
        settings: Settings,
        sessions: SessionFactory,
        hub: EventHub,
        authenticate: Authenticator,
    ) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=20,
        )
        self.settings = settings
        self.sessions = sessions
        self.hub = hub
        self.authenticate = authenticate

    def encode_json(self, data: object) -> str:
        # orjson: 0.1 ms for a page of 100 profiles, where the standard library took 1 ms
        # (bench/README.md). Text, not bytes: WebSocket messages must be text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        # orjson first (a third of the standard library's time for a request body); what it
        # refuses (integers beyond 64 bits, NaN) goes to the standard library, so a request
        # is accepted or refused exactly as before, with the same errors.
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        reads = None
        if not isinstance(request, WebSocket):
            # Given back by AuthGate when the request ends.
            reads = request.scope[READS_SCOPE_KEY] = SharedReads(self.sessions)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            sessions=self.sessions,
            account=request.scope.get(ACCOUNT_SCOPE_KEY),
            hub=self.hub,
            reads=reads,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate the WebSocket in `connection_init`: {"Authorization": "Bearer <key>"}."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        key = bearer_key(params.get("Authorization") or params.get("authorization"))
        account = await self.authenticate(key)
        if account is None:
            raise ConnectionRejectionError({"message": "A valid API key is required."})
        context.account = account
        return None


class Authenticator:
    """API key → account, remembered for `ttl` seconds (AUTH_CACHE_SECONDS): every request
    authenticates, and the lookup was a fifth of a read's cost (bench/README.md). A rotated or
    deleted key therefore keeps working on a gateway for up to `ttl` seconds; unknown keys are
    not remembered. Keyed by the key's digest, so no key is kept in memory."""

    def __init__(self, sessions: SessionFactory, ttl: float, max_entries: int = 10_000) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Account]] = {}

    async def __call__(self, key: str | None) -> Account | None:
        if key is None:
            return None
        digest = hash_api_key(key)
        now = time.monotonic()
        entry = self._entries.get(digest)
        if entry is not None and entry[0] > now:
            return entry[1]
        async with self.sessions() as session:
            account = await authenticate(session, key)
        if account is None or self.ttl <= 0:
            self._entries.pop(digest, None)
            return account
        if len(self._entries) >= self.max_entries:
            self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[digest] = (now + self.ttl, account)
        return account


class AuthGate:
    """HTTP requests to /graphql need a valid API key: 401 and no data otherwise.
    (The GraphiQL page itself is served without one; its requests carry the key.)"""

    def __init__(self, app: ASGIApp, authenticate: Authenticator, *, graphiql: bool) -> None:
        self.app = app
        self.authenticate = authenticate
        self.graphiql = graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if (
            self.graphiql
            and request.method == "GET"
            and "text/html" in request.headers.get("accept", "")
        ):
            await self.app(scope, receive, send)
            return
        account = await self.authenticate(bearer_key(request.headers.get("authorization")))
        if account is None:
            response = JSONResponse(
                {"errors": [{"message": "Unauthorized: send Authorization: Bearer <API key>."}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="trusthub"'},
            )
            await response(scope, receive, send)
            return
        scope[ACCOUNT_SCOPE_KEY] = account
        try:
            await self.app(scope, receive, send)
        finally:
            reads: SharedReads | None = scope.pop(READS_SCOPE_KEY, None)
            if reads is not None:
                await reads.release()


def default_roles(settings: Settings) -> frozenset[Role]:
    if settings.broker_url.startswith("memory://"):
        return ALL_ROLES  # an in-process broker reaches no other process: run everything here
    return GATEWAY_ROLES if settings.run_consumers else frozenset({Role.SUBSCRIPTIONS})


def create_app(settings: Settings | None = None, roles: frozenset[Role] | None = None) -> Starlette:
    """The gateway. Its lifespan also runs `roles` (see `default_roles`: on RabbitMQ the relay,
    the decision consumer and the subscription feed, or only the feed when RUN_CONSUMERS is
    off; on memory:// everything)."""
    settings = settings or get_settings()
    if roles is None:
        roles = default_roles(settings)
    engine = create_engine(settings.database_url, settings)
    sessions = create_session_factory(engine)
    runtime = Runtime(settings, sessions, roles)
    authenticate = Authenticator(sessions, settings.auth_cache_seconds)
    graphql = AuthGate(
        GraphQLApp(settings, sessions, runtime.hub, authenticate),
        authenticate,
        graphiql=settings.graphiql_enabled,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await engine.dispose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    # The probe says only "not ready"; why goes to the log, once per outage (probes repeat).
    outage = False

    async def readyz(request: Request) -> Response:
        nonlocal outage
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception as exc:  # any failure means "not ready"
            if not outage:
                logger.warning("not ready: the database does not answer: %s", exc)
            outage = True
            return JSONResponse({"status": "not ready"}, status_code=503)
        outage = False
        return JSONResponse({"status": "ready", "database": "ok"})

    routes: list[BaseRoute] = [
        Route("/graphql", BodyLimit(graphql, settings.max_body_bytes), methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    if settings.bench_baseline:
        from . import bench_baseline

        async def account_of(request: Request) -> Account | None:
            return await authenticate(bearer_key(request.headers.get("authorization")))

        routes += bench_baseline.routes(sessions, account_of)
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.settings = settings
    app.state.runtime = runtime
    return app
