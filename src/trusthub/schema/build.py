"""The Schema: root types and the protective extensions (limits, caches, error masking)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
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
from ..resolvers.profiles import ProfileMutation, ProfileQuery
from . import types as t


@strawberry.type
class Query(NodeQuery, ProfileQuery):
    pass


@strawberry.type
class Mutation(ProfileMutation):
    pass


class FreshLoaders(SchemaExtension):
    """Dataloader caches live for one operation (a WebSocket connection runs many)."""

    def on_operation(self) -> Any:
        self.execution_context.context.reset_loaders()
        yield


def _should_mask(error: GraphQLError) -> bool:
    # Validation and client errors explain a bad request; anything else is internal.
    return error.original_error is not None and not isinstance(error.original_error, ClientError)


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list[Any] = [
        FreshLoaders,
        ParserCache(maxsize=512),
        ValidationCache(maxsize=512),
        QueryDepthLimiter(max_depth=settings.max_query_depth),
        MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    if not settings.dev_mode:
        extensions.append(MaskErrors(should_mask_error=_should_mask))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[t.AuthorizedRepresentative, t.Policy, t.Evaluation, t.Account],
        extensions=extensions,
    )
