"""A worker's /metrics: a minimal HTTP/1.1 listener on the worker's own event loop (METRICS_PORT).
The library's `start_http_server` serves from a thread, which could not run the scrape-time
queries on the worker's loop; a worker needs nothing of HTTP beyond `GET /metrics`."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .metrics import CONTENT_TYPE_LATEST, Scrape

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 8192  # a scraper's request line and headers; anything larger is refused


class MetricsListener:
    def __init__(self, scrape: Scrape, host: str, port: int) -> None:
        self.scrape, self.host, self.port = scrape, host, port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, limit=MAX_REQUEST_BYTES
        )
        log.info("metrics on http://%s:%d/metrics", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A client that went away, or sent no complete request in time, gets no answer.
        gone = (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError)
        try:
            with contextlib.suppress(*gone, ConnectionError):
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
                method, path, *_ = [*head.split(b"\r\n", 1)[0].decode("latin-1").split(" "), ""]
                if method != "GET":
                    await _answer(writer, 405, b"GET only\n", "text/plain")
                elif path.split("?", 1)[0] != "/metrics":
                    await _answer(writer, 404, b"see /metrics\n", "text/plain")
                else:
                    await _answer(writer, 200, await self.scrape.render(), CONTENT_TYPE_LATEST)
        finally:
            writer.close()


async def _answer(writer: asyncio.StreamWriter, status: int, body: bytes, media: str) -> None:
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}[status]
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {media}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode("latin-1")
        + body
    )
    await writer.drain()
