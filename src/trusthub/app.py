"""Starlette application: /graphql (HTTP + WebSocket), /healthz, /readyz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from .config import Settings, get_settings
from .db import SessionFactory, create_engine, create_session_factory
from .models import Account
from .schema.build import build_schema
from .schema.context import Context
from .services.accounts import authenticate

ACCOUNT_SCOPE_KEY = "trusthub.account"


def bearer_key(value: object) -> str | None:
    if not isinstance(value, str) or not value.startswith("Bearer "):
        return None
    return value[len("Bearer ") :].strip() or None


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, settings: Settings, sessions: SessionFactory) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=20,
        )
        self.settings = settings
        self.sessions = sessions

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            sessions=self.sessions,
            account=request.scope.get(ACCOUNT_SCOPE_KEY),
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


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    engine = create_engine(settings.database_url, settings)
    sessions = create_session_factory(engine)
    graphql = AuthGate(GraphQLApp(settings, sessions), sessions, graphiql=settings.graphiql_enabled)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
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

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.settings = settings
    return app
