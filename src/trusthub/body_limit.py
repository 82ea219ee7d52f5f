"""A bound on HTTP request bodies (MAX_BODY_BYTES): a larger one is answered 413 before the
application reads it — by its Content-Length when it declares one, otherwise (chunked) as soon
as the bytes received pass the bound, without reading the rest. WebSocket messages are bounded
by uvicorn (`cli.uvicorn_options`)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(Headers(scope=scope))
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        # The application reads the whole body anyway (strawberry decodes it as one JSON
        # document): read it here first, counting, so that nothing past the bound is kept.
        received: list[Message] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the application see it
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"errors": [{"message": f"The request body is larger than {self.max_bytes} bytes."}]},
            status_code=413,
        )
        # No "Connection: close": uvicorn then discards the rest of the body as it arrives
        # (nothing of it is kept), and the client, still sending, reads this answer instead
        # of a connection reset.
        await response(scope, receive, send)


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None  # the server refuses it; otherwise the body is counted as it arrives
