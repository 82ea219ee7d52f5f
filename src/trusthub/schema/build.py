"""The Schema: root types and the protective extensions (limits, caches, error masking)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import strawberry
from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.responses import Response
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from ..config import Settings
from ..resolvers.common import ClientError
from ..resolvers.deliveries import DeliveryMutation
from ..resolvers.node import NodeQuery
from ..resolvers.products import ProductMutation, ProductQuery
from ..resolvers.profiles import ProfileMutation, ProfileQuery
from ..resolvers.reviews import ReviewMutation, ReviewQuery
from ..resolvers.subscriptions import Subscription
from ..resolvers.verifications import VerificationMutation
from ..transient import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_CODE,
    UNAVAILABLE_MESSAGE,
    OutageLog,
    is_transient,
)
from . import product_types as pt
from . import review_types as rt
from . import types as t
from .enum_output import use_dict_enums
from .events import SharedEventExecutor
from .execution import use_lean_resolvers
from .runner import LightSchema


@strawberry.type
class Query(NodeQuery, ProfileQuery, ProductQuery, ReviewQuery):
    pass


@strawberry.type
class Mutation(
    ProfileMutation, ProductMutation, ReviewMutation, DeliveryMutation, VerificationMutation
):
    pass


class OperationSetup(SchemaExtension):
    """Everything the gateway does around each operation, in one extension (strawberry runs
    every extension's hooks in every phase of every request, and seven of them were a tenth of
    a read's CPU — bench/README.md):
    - fresh dataloader caches (a WebSocket connection runs many operations);
    - the limits: tokens at parse time; depth, aliases and (unless enabled) introspection as
      validation rules, their classes built once per schema;
    - parse and validation caches keyed by the query text (hashing the parsed document, as
      strawberry's ValidationCache does, walks the whole tree on every request)."""

    def __init__(self, caches: OperationCaches) -> None:
        self.caches = caches

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.context.reset_loaders()
        ctx.parse_options["max_tokens"] = self.caches.max_tokens
        ctx.validation_rules = ctx.validation_rules + self.caches.rules
        yield

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query is not None:
            ctx.graphql_document = self.caches.parse(ctx.query)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query is not None and ctx.graphql_document is not None:
            ctx.pre_execution_errors = self.caches.validate(
                ctx.schema._schema, ctx.query, ctx.graphql_document, ctx.validation_rules
            )
        yield


class OperationCaches:
    """Shared by every request of one schema; bounded, so unique query texts cannot grow them."""

    def __init__(
        self, rules: tuple[type[ASTValidationRule], ...], max_tokens: int, size: int = 512
    ) -> None:
        self.rules = rules
        self.max_tokens = max_tokens
        self.size = size
        self._parse: Callable[[str], DocumentNode] = lru_cache(maxsize=size)(self._parse_text)
        self._validated: dict[tuple[str, tuple[type[ASTValidationRule], ...]], Any] = {}

    def _parse_text(self, query: str) -> DocumentNode:
        return parse(query, max_tokens=self.max_tokens)

    def parse(self, query: str) -> DocumentNode:
        return self._parse(query)

    def validate(
        self,
        schema: Any,
        query: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        key = (query, rules)
        errors: list[GraphQLError] | None = self._validated.get(key)
        if errors is None:
            errors = validate_document(schema, document, rules)
            if len(self._validated) >= self.size:
                self._validated.clear()
            self._validated[key] = errors
        return errors


def _unavailable(error: GraphQLError) -> bool:
    return error.original_error is not None and is_transient(error.original_error)


class MaskInternalErrors(MaskErrors):
    """strawberry's `MaskErrors`, without its `isinstance` check of every result against a
    runtime-checkable Protocol (2.5 % of a read's CPU, to learn whether it has errors).

    An error that says the database is away becomes a SERVICE_UNAVAILABLE error, and the HTTP
    response a 503 with `Retry-After`, so clients retry instead of treating it as a failure."""

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if not errors:
            return
        if any(_unavailable(error) for error in errors):
            errors = [self._as_unavailable(e) if _unavailable(e) else e for e in errors]
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


class GatewaySchema(LightSchema):
    """Errors that only say the database is away are not logged one traceback per request:
    `outages` logs one WARNING per outage instead."""

    def __init__(self, *args: Any, outages: OutageLog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outages = outages

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        logged = []
        for error in errors:
            if _unavailable(error):
                self.outages.went_away(error.original_error)  # type: ignore[arg-type]
            else:
                logged.append(error)
        super().process_errors(logged, execution_context)


def _should_mask(error: GraphQLError) -> bool:
    # Validation and client errors explain a bad request; anything else is internal.
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    if error.extensions and error.extensions.get("code") == UNAVAILABLE_CODE:
        return False
    # A variable of the wrong type or enum fails before execution (no path) with a GraphQLError
    # naming the field; show it. Errors inside execution (with a path) stay masked.
    return not (isinstance(original, GraphQLError) and error.path is None)


def _never_mask(error: GraphQLError) -> bool:
    return False


def build_schema(settings: Settings, outages: OutageLog | None = None) -> strawberry.Schema:
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    caches = OperationCaches(tuple(rules), settings.max_tokens)
    # Factories: a fresh extension per request.
    # In dev errors are shown unmasked, but a database outage still answers 503.
    should_mask = _never_mask if settings.dev_mode else _should_mask
    extensions: list[Any] = [
        lambda: OperationSetup(caches),
        lambda: MaskInternalErrors(should_mask_error=should_mask),
    ]
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            t.AuthorizedRepresentative,
            t.Policy,
            t.Evaluation,
            t.Account,
            rt.Review,
            rt.DeletedSubject,
            pt.TrustProduct,
        ],
        extensions=extensions,
        execution_context_class=SharedEventExecutor,
        outages=outages or OutageLog(),
    )
    use_dict_enums(schema)
    use_lean_resolvers(schema)
    return schema
