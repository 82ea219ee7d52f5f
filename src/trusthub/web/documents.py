"""GET /documents/<token>: a document's bytes, through a signed short-lived link (see
`services.document_links`). Always an attachment with the stored, sniffed content type, so a
browser never renders an uploaded file in the gateway's origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..blobs import BlobNotFound, BlobStore
from ..config import Settings
from ..db import SessionFactory
from ..models.base import utcnow
from ..services import document_links


def _gone() -> Response:
    return JSONResponse(
        {"errors": [{"message": "This link is invalid or has expired; ask for a new one."}]},
        status_code=404,
        headers={"Cache-Control": "no-store"},
    )


def download_route(sessions: SessionFactory, blobs: BlobStore, settings: Settings) -> Route:
    secret = settings.document_url_secret.get_secret_value()

    async def download(request: Request) -> Response:
        grant = document_links.verify(secret, request.path_params["token"], utcnow())
        if grant is None:
            return _gone()
        async with sessions() as session:
            document = await document_links.granted_document(session, grant)
        if document is None:
            return _gone()
        chunks = blobs.read(document.blob_key)
        try:
            first = await anext(chunks)
        except StopAsyncIteration:
            first = b""
        except BlobNotFound:
            return _gone()  # purged after the link was made

        async def body() -> AsyncIterator[bytes]:
            yield first
            async for chunk in chunks:
                yield chunk

        name = quote(document.file_name, safe="")
        return StreamingResponse(
            body(),
            media_type=document.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
                "Content-Length": str(document.size),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    return Route(document_links.PATH_PREFIX + "{token}", download, methods=["GET"])
