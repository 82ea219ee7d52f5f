"""What an error discloses: to the client (internal errors masked; no "Did you mean …" while
introspection is off) and to the log (a client's mistake is not the server's error)."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from ..resolvers.common import ClientError
from .events import SharedEventExecutor
from .runner import LightSchema

logger = logging.getLogger("trusthub.graphql")

# A client error's message is logged up to this long (it may quote a whole variable's value).
LOGGED_MESSAGE_CHARS = 500


def is_internal(error: GraphQLError) -> bool:
    """False for errors that explain a bad request: syntax, validation (limits and refused
    introspection included), variables of the wrong type, `ClientError`s. Everything else
    is the server's own failure."""
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    # A variable of the wrong type or enum fails before execution (no path) with a GraphQLError
    # naming the field; show it. Errors inside execution (with a path) stay masked.
    return not (isinstance(original, GraphQLError) and error.path is None)


class MaskInternalErrors(MaskErrors):
    """strawberry's `MaskErrors`, without its `isinstance` check of every result against a
    runtime-checkable Protocol (2.5 % of a read's CPU, to learn whether it has errors)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_internal)

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]


class GatewaySchema(LightSchema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Internal errors at ERROR with their traceback, as strawberry logs every error; a
        client's mistakes at DEBUG in one line: they are the client's to fix, they would let
        anyone fill the log with tracebacks, and they may quote the client's data."""
        for error in errors:
            if is_internal(error):
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
