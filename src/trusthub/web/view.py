"""strawberry's ASGI view, extended through its public hooks to speak GraphQL over HTTP as
the spec says (media types, status codes, GET for queries), to run bounded batches one
operation after another, to resolve persisted queries, and to serve the offline GraphiQL."""

from __future__ import annotations

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult, SubscriptionExecutionResult

from ..schema.context import Context
from ..tracing import operation_span
from ..transient import RETRY_AFTER_SECONDS
from . import graphiql
from .negotiation import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    content_type,
    error_response,
    failed_before_execution,
    response_media_type,
)
from .persisted import PersistedQueries, Refused

MEDIA_SCOPE_KEY = "trusthub.media_type"


class GraphQLHTTPView(GraphQL[Context, None]):
    persisted: PersistedQueries
    batch_max_operations: int

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media = response_media_type(request.headers.get("accept", ""))
        if media is None and request.method != "GET":  # a GET may be for the GraphiQL page
            response = error_response(
                406, f"Accept {GRAPHQL_RESPONSE_JSON} or {JSON}.", JSON, "NOT_ACCEPTABLE"
            )
            await response(scope, receive, send)
            return
        media = scope[MEDIA_SCOPE_KEY] = media or JSON
        try:
            response = await self.run(request)
        except HTTPException as error:
            headers = {"Allow": "POST"} if error.status_code == 405 else None
            response = error_response(error.status_code, self._reason(error), media, None, headers)
        except Refused as refused:
            lenient = refused.before_execution and media == JSON
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if refused.status == 503 else None
            status = 200 if lenient else refused.status
            response = error_response(status, refused.message, media, refused.code, headers)
        await response(scope, receive, send)

    def _reason(self, error: HTTPException) -> str:
        if error.reason == "Batching is not enabled":
            return "Batched requests are not accepted here (BATCH_MAX_OPERATIONS is 0)."
        if error.reason == "Too many operations":
            return f"A batch may hold at most {self.batch_max_operations} operations."
        return error.reason

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = request.scope.get(MEDIA_SCOPE_KEY, JSON)
        return sub_response

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET carrying only a persisted query's hash is a query, not a visit.
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql.page())

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if not isinstance(data, list):
            return await self.persisted.resolve(data)
        if request.headers.get("idempotency-key") is not None:
            raise Refused(
                400,
                "Idempotency-Key applies to one operation: send a keyed mutation on its own, "
                "not in a batch.",
                "IDEMPOTENCY_KEY_IN_BATCH",
                before_execution=False,
            )
        return [await self.persisted.resolve(item) for item in data]

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        if not isinstance(request_data, list):
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        # One after another: the operations share the request's context (its dataloaders
        # and database session), which concurrent operations must not.
        return [
            await self.execute_single(
                request, request_adapter, sub_response, context, root_value, data
            )
            for data in request_data
        ]

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            with operation_span(request.headers, request_data.operation_name):
                return await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                # GET is for queries only (the spec: 405, and POST is allowed).
                raise HTTPException(
                    405 if request_adapter.method == "GET" else 400,
                    f"{request_adapter.method} can only run queries; send this with POST."
                    if request_adapter.method == "GET"
                    else error.reason,
                ) from error
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        # The spec's media type: no data when execution never began (and a 4xx, below).
        # application/json keeps `"data": null`, as its clients have always had.
        if request.scope.get(MEDIA_SCOPE_KEY) == GRAPHQL_RESPONSE_JSON and (
            failed_before_execution(result.data, result.errors)
        ):
            processed.pop("data", None)
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media = sub_response.media_type or JSON
        status = 200
        single = not isinstance(response_data, list)
        if media == GRAPHQL_RESPONSE_JSON and single and "data" not in response_data:
            status = 400
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or status,
            media_type=content_type(media),
        )
        response.headers.raw.extend(
            (name, value)
            for name, value in sub_response.headers.raw
            if name not in (b"content-type", b"content-length")
        )
        if sub_response.background:
            response.background = sub_response.background
        return response
