"""Starlette application: /graphql (HTTP + WebSocket), /healthz, /readyz, /metrics."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

import orjson
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from . import verify_page
from .blobs import BlobStore, open_blob_store
from .body_limit import BodyLimit
from .config import Settings, get_settings
from .consumers.subscriptions import EventHub
from .db import SessionFactory, create_engine, create_session_factory
from .gateway_schema import build_schema
from .idempotency import IdempotencyMiddleware
from .live_connections import FORBIDDEN, TOO_MANY, ClosableWebSocketAdapter, LiveConnections, close
from .logs import bind, trace_id_of
from .metrics import CONTENT_TYPE_LATEST, Scrape
from .models import Account
from .runtime import ALL_ROLES, GATEWAY_ROLES, ProcessRole, Runtime
from .schema.context import Context
from .schema.http_body import BodyRefused, decode_body
from .schema.loaders import SharedReads
from .services.accounts import accounts_by_key_digest, authenticate, hash_api_key
from .transient import RETRY_AFTER_SECONDS, OutageLog, is_transient, unavailable_response
from .web import documents, graphiql
from .web.cors import cors_middleware
from .web.persisted import PersistedQueries
from .web.view import GraphQLHTTPView

logger = logging.getLogger(__name__)

ACCOUNT_SCOPE_KEY = "trusthub.account"
READS_SCOPE_KEY = "trusthub.reads"
CONNECTION_SCOPE_KEY = "trusthub.connection"


def bearer_key(value: object) -> str | None:
    """The key of `Bearer <key>`; the scheme is case-insensitive (RFC 7235 section 2.1)."""
    if not isinstance(value, str):
        return None
    scheme, _, key = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip() or None


class GraphQLApp(GraphQLHTTPView):
    # Lets the gateway close a socket itself (live_connections.py) without strawberry failing.
    # (The type: ignore is strawberry's own, on its view's adapter class.)
    websocket_adapter_class = ClosableWebSocketAdapter  # type: ignore[assignment]

    def __init__(
        self,
        settings: Settings,
        sessions: SessionFactory,
        hub: EventHub,
        authenticate: Authenticator,
        connections: LiveConnections,
        outages: OutageLog,
        blobs: BlobStore,
    ) -> None:
        super().__init__(
            build_schema(settings, outages),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,  # queries only (405 for mutations), as the spec says
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=20,
            allowed_origins=settings.cors_allow_origins,
            multipart_uploads_enabled=True,  # createSupportingDocument's file
        )
        self.blobs = blobs
        self.batch_max_operations = settings.batch_max_operations
        self.persisted = PersistedQueries(
            sessions,
            only_registered=settings.persisted_queries_only,
            cache_size=settings.apq_cache_size,
        )
        self.settings = settings
        self.sessions = sessions
        self.hub = hub
        self.authenticate = authenticate
        self.connections = connections

    def encode_json(self, data: object) -> str:
        # orjson: several times faster than the standard library on a page of profiles
        # (bench/README.md). Text, not bytes: WebSocket messages must be text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return decode_body(data)  # orjson, then the standard library; see schema/http_body.py

    def parse_json(self, data: str | bytes) -> object:
        try:
            return self.decode_json(data)
        except json.JSONDecodeError as exc:
            raise BodyRefused(exc) from exc

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except BodyRefused as exc:
            # A body that is not JSON: 400 with a JSON error (strawberry's own is plain text).
            await exc.response()(scope, receive, send)
        finally:
            connection = scope.pop(CONNECTION_SCOPE_KEY, None)
            if connection is not None:  # a WebSocket admitted by on_ws_connect has ended
                self.connections.remove(connection)

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
            blobs=self.blobs,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate the WebSocket in `connection_init`: {"Authorization": "Bearer <key>"}."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        key = bearer_key(params.get("Authorization") or params.get("authorization"))
        try:
            account = await self.authenticate(key)
        except Exception as error:
            if not is_transient(error):
                raise
            raise ConnectionRejectionError(
                {"message": "Service temporarily unavailable; retry later."}
            ) from error
        if account is None or key is None:
            raise ConnectionRejectionError({"message": "A valid API key is required."})
        websocket = context.request
        assert isinstance(websocket, WebSocket)
        connection = self.connections.admit(websocket, account.sid, hash_api_key(key))
        if connection is None:
            # Closed here to say why; strawberry's own close (4403 "Forbidden") is then skipped.
            await close(websocket, FORBIDDEN, TOO_MANY)
            raise ConnectionRejectionError({"message": TOO_MANY})
        websocket.scope[CONNECTION_SCOPE_KEY] = connection
        context.account = account
        return None


class Authenticator:
    """API key → account, remembered for `ttl` seconds (AUTH_CACHE_SECONDS): every request
    authenticates, and the lookup was a large part of a read's cost (bench/README.md). A rotated or
    deleted key therefore keeps working on a gateway for up to `ttl` seconds (open WebSockets
    too: `refresh` re-checks them as often); unknown keys are not remembered. Keyed by the
    key's digest, so no key is kept in memory."""

    def __init__(
        self,
        sessions: SessionFactory,
        ttl: float,
        max_entries: int = 10_000,
        outages: OutageLog | None = None,
    ) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.max_entries = max_entries
        self.outages = outages or OutageLog()
        self._entries: dict[str, tuple[float, Account]] = {}

    async def __call__(self, key: str | None) -> Account | None:
        if key is None:
            return None
        digest = hash_api_key(key)
        now = time.monotonic()
        entry = self._entries.get(digest)
        if entry is not None and entry[0] > now:
            return entry[1]
        try:
            async with self.sessions() as session:
                account = await authenticate(session, key)
        except Exception as error:
            if is_transient(error):
                self.outages.went_away(error)
            raise
        self.outages.answered()
        if account is None or self.ttl <= 0:
            self._entries.pop(digest, None)
            return account
        if len(self._entries) >= self.max_entries:
            self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[digest] = (now + self.ttl, account)
        return account

    async def refresh(self, digests: Collection[str]) -> dict[str, Account]:
        """Look these key digests up again now, in one statement, and remember the answers
        afresh (a key no longer found is forgotten): the open WebSockets' re-check."""
        async with self.sessions() as session:
            found = await accounts_by_key_digest(session, digests)
        expires = time.monotonic() + self.ttl
        for digest in digests:
            account = found.get(digest)
            if account is None or self.ttl <= 0:
                self._entries.pop(digest, None)
            else:
                self._entries[digest] = (expires, account)
        return found


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
            and "query" not in request.query_params  # a GET query needs a key like any other
            and "extensions" not in request.query_params
        ):
            await self.app(scope, receive, send)
            return
        try:
            account = await self.authenticate(bearer_key(request.headers.get("authorization")))
        except Exception as error:
            if not is_transient(error):
                raise
            await unavailable_response()(scope, receive, send)
            return
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
            with bind(
                account_sid=account.sid, trace_id=trace_id_of(request.headers.get("traceparent"))
            ):
                await self.app(scope, receive, send)
        finally:
            reads: SharedReads | None = scope.pop(READS_SCOPE_KEY, None)
            if reads is not None:
                try:
                    await reads.release()
                except Exception as error:  # a connection the outage already broke
                    if not is_transient(error):
                        raise


def default_roles(settings: Settings) -> frozenset[ProcessRole]:
    if settings.broker_url.startswith("memory://"):
        return ALL_ROLES  # an in-process broker reaches no other process: run everything here
    return GATEWAY_ROLES if settings.run_consumers else frozenset({ProcessRole.SUBSCRIPTIONS})


def create_app(
    settings: Settings | None = None, roles: frozenset[ProcessRole] | None = None
) -> Starlette:
    """The gateway. Its lifespan also runs `roles` (see `default_roles`: on RabbitMQ the relay,
    the decision consumer and the subscription feed, or only the feed when RUN_CONSUMERS is
    off; on memory:// everything)."""
    settings = settings or get_settings()
    problem = settings.startup_problem()
    if problem is not None:  # e.g. run by an ASGI server without `trusthub serve`'s check
        raise RuntimeError(problem)
    if roles is None:
        roles = default_roles(settings)
    engine = create_engine(settings.database_url, settings)
    sessions = create_session_factory(engine)
    runtime = Runtime(settings, sessions, roles)
    outages = OutageLog()
    blobs = open_blob_store(settings)
    authenticate = Authenticator(sessions, settings.auth_cache_seconds, outages=outages)
    connections = LiveConnections(
        authenticate.refresh,
        # With no cache (0), open connections are re-checked every second.
        every=settings.auth_cache_seconds or 1.0,
        max_per_account=settings.max_connections_per_account,
    )
    graphql = AuthGate(
        IdempotencyMiddleware(
            GraphQLApp(settings, sessions, runtime.hub, authenticate, connections, outages, blobs),
            sessions,
            settings,
            account_scope_key=ACCOUNT_SCOPE_KEY,
        ),
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

    async def readyz(request: Request) -> Response:
        # The probe says only "not ready"; why goes to the log, once per outage (probes repeat).
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception as error:  # any failure means "not ready"; the log says why, once
            outages.went_away(error)
            return JSONResponse(
                {"status": "not ready"},
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        outages.answered()
        return JSONResponse({"status": "ready", "database": "ok"})

    scrape = Scrape(engine, live=lambda: (connections.total(), runtime.hub.subscriber_count))

    async def metrics(request: Request) -> Response:
        return Response(await scrape.render(), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route(
            "/graphql",
            BodyLimit(graphql, settings.max_body_bytes, settings.max_upload_bytes),
            methods=["GET", "POST"],
        ),
        documents.download_route(sessions, blobs, settings),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        *verify_page.routes(sessions, settings),
    ]
    if settings.graphiql_enabled:
        routes.append(graphiql.assets())
    app = Starlette(
        routes=routes, lifespan=lifespan, middleware=[cors_middleware(settings.cors_allow_origins)]
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.blobs = blobs
    app.state.connections = connections
    return app
