"""Starlette application: /graphql (HTTP + WebSocket), /healthz, /readyz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from .config import Settings, get_settings
from .consumers.subscriptions import EventHub
from .db import SessionFactory, create_engine, create_session_factory
from .models import Account
from .runtime import ALL_ROLES, GATEWAY_ROLES, Role, Runtime
from .schema.build import build_schema
from .schema.context import Context
from .services.accounts import authenticate

ACCOUNT_SCOPE_KEY = "trusthub.account"


def bearer_key(value: object) -> str | None:
    """The key of `Bearer <key>`; the scheme is case-insensitive (RFC 7235 section 2.1)."""
    if not isinstance(value, str):
        return None
    scheme, _, key = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip() or None


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, settings: Settings, sessions: SessionFactory, hub: EventHub) -> None:
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

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            sessions=self.sessions,
            account=request.scope.get(ACCOUNT_SCOPE_KEY),
            hub=self.hub,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate the WebSocket in `connection_init`: {"Authorization": "Bearer <key>"}."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        key = bearer_key(params.get("Authorization") or params.get("authorization"))
        account = await _authenticate(self.sessions, key)
        if account is None:
            raise ConnectionRejectionError({"message": "A valid API key is required."})
        context.account = account
        return None


async def _authenticate(sessions: SessionFactory, key: str | None) -> Account | None:
    if key is None:
        return None
    async with sessions() as session:
        return await authenticate(session, key)


class AuthGate:
    """HTTP requests to /graphql need a valid API key: 401 and no data otherwise.
    (The GraphiQL page itself is served without one; its requests carry the key.)"""

    def __init__(self, app: ASGIApp, sessions: SessionFactory, *, graphiql: bool) -> None:
        self.app = app
        self.sessions = sessions
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
        account = await _authenticate(
            self.sessions, bearer_key(request.headers.get("authorization"))
        )
        if account is None:
            response = JSONResponse(
                {"errors": [{"message": "Unauthorized: send Authorization: Bearer <API key>."}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="trusthub"'},
            )
            await response(scope, receive, send)
            return
        scope[ACCOUNT_SCOPE_KEY] = account
        await self.app(scope, receive, send)


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
    graphql = AuthGate(
        GraphQLApp(settings, sessions, runtime.hub), sessions, graphiql=settings.graphiql_enabled
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

    async def readyz(request: Request) -> Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception as exc:  # any failure means "not ready"; say which
            return JSONResponse({"status": "unavailable", "database": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready", "database": "ok"})

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    if settings.bench_baseline:
        from . import bench_baseline

        async def account_of(request: Request) -> Account | None:
            return await _authenticate(sessions, bearer_key(request.headers.get("authorization")))

        routes += bench_baseline.routes(sessions, account_of)
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.settings = settings
    app.state.runtime = runtime
    return app
