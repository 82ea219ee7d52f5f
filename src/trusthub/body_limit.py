"""A bound on HTTP request bodies (MAX_BODY_BYTES; MAX_UPLOAD_BYTES for multipart/form-data,
which carries document uploads): a larger one is answered 413 — by its Content-Length when it
declares one, otherwise (chunked) as soon as the bytes received pass the bound, without reading
the rest. WebSocket messages are bounded by uvicorn (`cli.uvicorn_options`)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
        if multipart and self.max_upload_bytes is not None:
            await self._stream(scope, receive, send, self.max_upload_bytes)
            return
        declared = _content_length(headers)
        if declared is not None and declared > self.max_bytes:
            await _refuse(self.max_bytes, scope, receive, send)
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
                await _refuse(self.max_bytes, scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Multipart bodies are not buffered here: the multipart parser spools files to disk as
        they arrive. The bytes are counted on their way through; past the bound the application
        is told the client left, and the client gets the 413 instead of its answer."""
        declared = _content_length(Headers(scope=scope))
        if declared is not None and declared > limit:
            await _refuse(limit, scope, receive, send)
            return
        size = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal size, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:
                return  # the application's answer to a body cut short is replaced below
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _refuse(limit, scope, receive, send)


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {"errors": [{"message": f"The request body is larger than {limit} bytes."}]},
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
