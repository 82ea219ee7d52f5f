"""The Schema: root types and the protective extensions (limits, caches, error masking)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from ..config import Settings
from ..resolvers.common import ClientError
from ..resolvers.node import NodeQuery
from ..resolvers.products import ProductMutation, ProductQuery
from ..resolvers.profiles import ProfileMutation, ProfileQuery
from ..resolvers.reviews import ReviewMutation, ReviewQuery
from ..resolvers.subscriptions import Subscription
from . import product_types as pt
from . import review_types as rt
from . import types as t


@strawberry.type
class Query(NodeQuery, ProfileQuery, ProductQuery, ReviewQuery):
    pass


@strawberry.type
class Mutation(ProfileMutation, ProductMutation, ReviewMutation):
    pass


class FreshLoaders(SchemaExtension):
    """Dataloader caches live for one operation (a WebSocket connection runs many)."""

    def on_operation(self) -> Any:
        self.execution_context.context.reset_loaders()
        yield


def _should_mask(error: GraphQLError) -> bool:
    # Validation and client errors explain a bad request; anything else is internal.
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    # A variable of the wrong type or enum fails before execution (no path) with a GraphQLError
    # naming the field; show it. Errors inside execution (with a path) stay masked.
    return not (isinstance(original, GraphQLError) and error.path is None)


def build_schema(settings: Settings) -> strawberry.Schema:
    # The validation cache is keyed by (schema, document, rules): the limiters' rule classes are
    # built once here, since a limiter constructed per request makes a new rule class each time
    # and no validation would ever hit the cache (bench/README.md: validation was a third of a
    # read request's CPU).
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        FreshLoaders,
        # Factories: a fresh extension per request (the parse/validation LRU caches are shared).
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    if not settings.dev_mode:
        extensions.append(lambda: MaskErrors(should_mask_error=_should_mask))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            t.AuthorizedRepresentative,
            t.Policy,
            t.Evaluation,
            t.Account,
            rt.Review,
            pt.TrustProduct,
        ],
        extensions=extensions,
    )
