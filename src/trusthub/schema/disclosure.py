"""What an error discloses: to the client (internal errors masked; no "Did you mean …" while
introspection is off) and to the log (a client's mistake is not the server's error)."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from ..transient import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_CODE,
    UNAVAILABLE_MESSAGE,
    OutageLog,
    is_transient,
)
from .errors import ClientError
from .events import SharedEventExecutor

logger = logging.getLogger("trusthub.graphql")

# A client error's message is logged up to this long (it may quote a whole variable's value).
LOGGED_MESSAGE_CHARS = 500


def is_unavailable(error: GraphQLError) -> bool:
    """The error only says the database (or another dependency) is away."""
    return error.original_error is not None and is_transient(error.original_error)


def is_internal(error: GraphQLError) -> bool:
    """False for errors that explain a bad request: syntax, validation (limits and refused
    introspection included), variables of the wrong type, `ClientError`s, and the
    SERVICE_UNAVAILABLE error an outage becomes. Everything else is the server's own failure."""
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    if error.extensions and error.extensions.get("code") == UNAVAILABLE_CODE:
        return False
    # A variable of the wrong type or enum fails before execution (no path) with a GraphQLError
    # naming the field; show it. Errors inside execution (with a path) stay masked.
    return not (isinstance(original, GraphQLError) and error.path is None)


def _never(error: GraphQLError) -> bool:
    return False


class MaskInternalErrors(MaskErrors):
    """strawberry's `MaskErrors`, without its `isinstance` check of every result against a
    runtime-checkable Protocol (a measurable part of a read's CPU, bench/README.md, to learn
    whether it has errors).

    An error that says the database is away becomes a SERVICE_UNAVAILABLE error, and the HTTP
    response a 503 with `Retry-After`, so clients retry instead of treating it as a failure
    (also in dev mode, where `mask` is off and other errors are shown as they are)."""

    def __init__(self, *, mask: bool = True) -> None:
        super().__init__(should_mask_error=is_internal if mask else _never)

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if not errors:
            return
        if any(is_unavailable(error) for error in errors):
            errors = [self._as_unavailable(e) if is_unavailable(e) else e for e in errors]
        result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def _as_unavailable(self, error: GraphQLError) -> GraphQLError:
        response = self.execution_context.context.response
        if isinstance(response, Response):  # not on a WebSocket
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return GraphQLError(
            UNAVAILABLE_MESSAGE,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": UNAVAILABLE_CODE},
        )


class GatewaySchema(strawberry.Schema):
    """The schema, logging errors by whose they are (see `process_errors`)."""

    def __init__(self, *args: Any, outages: OutageLog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outages = outages

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Internal errors at ERROR with their traceback, as strawberry logs every error; a
        client's mistakes at DEBUG in one line: they are the client's to fix, they would let
        anyone fill the log with tracebacks, and they may quote the client's data. An absent
        database is one WARNING per outage (`OutageLog`), not a traceback per request."""
        for error in errors:
            if is_unavailable(error):
                self.outages.went_away(error.original_error)  # type: ignore[arg-type]
            elif is_internal(error):
                StrawberryLogger.error(error, execution_context)
            else:
                logger.debug("request refused: %s", error.message[:LOGGED_MESSAGE_CHARS])


class QuietExecutor(SharedEventExecutor):
    """Coerces variables without "Did you mean …" in its errors (for a schema whose
    introspection is off: the suggestions would name its fields, types and enum values)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)
