"""What the gateway does around every operation: the limits, parse and validation caches, fresh
dataloaders and the operation metrics (`OperationSetup`, with its shared `OperationCaches`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from ..metrics import observe_operation
from .document_limits import CACHED_DOCUMENT_CHARS, DocumentLimits, check_document


class OperationSetup(SchemaExtension):
    """Everything the gateway does around each operation, in one extension (strawberry runs
    every extension's hooks in every phase of every request, and separate extensions cost a
    read measurably more CPU — bench/README.md):
    - fresh dataloader caches (a WebSocket connection runs many operations);
    - the limits: tokens at parse time; depth, aliases, selections and field overlaps
      (`document_limits`) before graphql-core's validation, which is not linear in a
      document's size and so only sees documents within them; introspection (unless enabled)
      as a validation rule;
    - parse and validation caches keyed by the query text (hashing the parsed document, as
      strawberry's ValidationCache does, walks the whole tree on every request), with the
      rule classes built once per schema: strawberry's `QueryDepthLimiter` builds a new rule
      class per request, so its `ValidationCache` never hits (strawberry#4635, open; the fix
      upstream is small: build the class once per limiter configuration)."""

    def __init__(self, caches: OperationCaches) -> None:
        self.caches = caches

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.context.reset_loaders()
        ctx.parse_options["max_tokens"] = self.caches.max_tokens
        ctx.validation_rules = ctx.validation_rules + self.caches.rules
        started = time.perf_counter()
        yield
        if ctx.graphql_document is not None and _is_subscription(ctx):
            return  # a subscription's lifetime is no latency; the gauges count them
        failed = bool(ctx.pre_execution_errors or (ctx.result and ctx.result.errors))
        observe_operation(ctx.operation_name, time.perf_counter() - started, failed=failed)

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


def _is_subscription(ctx: ExecutionContext) -> bool:
    try:
        return ctx.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:  # no operation of that name in the document
        return False


# Rules strawberry adds to every validation (`strawberry.schema.schema.validate_document`).
STRAWBERRY_RULES: tuple[type[ASTValidationRule], ...] = (
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)


class OperationCaches:
    """Shared by every request of one schema; bounded, so unique query texts cannot grow them,
    and holding only documents of at most CACHED_DOCUMENT_CHARS (one token can be a string of
    megabytes: such documents are parsed and validated anew each time)."""

    def __init__(
        self,
        rules: tuple[type[ASTValidationRule], ...],
        limits: DocumentLimits,
        max_tokens: int,
        *,
        hide_suggestions: bool,
        size: int = 512,
    ) -> None:
        self.rules = rules
        self.limits = limits
        self.max_tokens = max_tokens
        self.hide_suggestions = hide_suggestions
        self.size = size
        self._parse: Callable[[str], DocumentNode] = lru_cache(maxsize=size)(self._parse_text)
        self._validated: dict[tuple[str, tuple[type[ASTValidationRule], ...]], Any] = {}

    def entries(self) -> tuple[int, int]:
        """How many documents the parse cache and the validation cache hold."""
        return self._parse.cache_info().currsize, len(self._validated)  # type: ignore[attr-defined]

    def _parse_text(self, query: str) -> DocumentNode:
        return parse(query, max_tokens=self.max_tokens)

    def parse(self, query: str) -> DocumentNode:
        if len(query) > CACHED_DOCUMENT_CHARS:
            return self._parse_text(query)
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
            errors = check_document(document, self.limits) or validate(
                schema,
                document,
                (*rules, *STRAWBERRY_RULES),
                hide_suggestions=self.hide_suggestions,
            )
            if len(query) <= CACHED_DOCUMENT_CHARS:
                if len(self._validated) >= self.size:
                    self._validated.clear()
                self._validated[key] = errors
        return errors
