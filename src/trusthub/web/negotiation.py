"""GraphQL over HTTP (the GraphQL foundation's spec): which media type to answer with, and the
status a response gets under it."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from graphql import GraphQLError
from starlette.responses import Response

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_JSON_LIKE = {JSON, "application/*", "*/*"}


def response_media_type(accept: str) -> str | None:
    """The spec's media type when the client accepts it (it says what the status codes mean),
    else application/json for clients that accept that or send no Accept; None when the client
    accepts neither (406)."""
    if not accept.strip():
        return JSON
    fallback = None
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if any(_quality_is_zero(param) for param in params):
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            return GRAPHQL_RESPONSE_JSON
        if media in _JSON_LIKE:
            fallback = JSON
    return fallback


def _quality_is_zero(param: str) -> bool:
    name, _, value = param.partition("=")
    if name.strip().lower() != "q":
        return False
    try:
        return float(value) <= 0
    except ValueError:
        return False


def failed_before_execution(data: object, errors: list[GraphQLError] | None) -> bool:
    """Parse, validation and variable errors stop a request before execution: no data, and no
    error with a path (every error raised by a field has one)."""
    return data is None and bool(errors) and all(error.path is None for error in errors or ())


def error_response(
    status: int,
    message: str,
    media_type: str,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A request refused before execution, as a GraphQL response without `data`. Under
    application/json a well-formed GraphQL request that fails this way is still a 200 (the
    legacy behaviour clients of that type expect); under the spec's type it is the 4xx."""
    error: dict[str, object] = {"message": message}
    if code is not None:
        error["extensions"] = {"code": code}
    return Response(
        orjson.dumps({"errors": [error]}),
        status_code=status,
        media_type=content_type(media_type),
        headers=dict(headers or {}),
    )


def content_type(media_type: str) -> str:
    # Starlette adds a charset only to text/*; the spec's audit wants it said.
    return f"{media_type}; charset=utf-8"
