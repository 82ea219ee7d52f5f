"""The gateway's Schema, assembled: the resolvers' root types, the operation setup, error
masking and the fast path. The only module that reaches both `schema/` (the types) and
`resolvers/`, so neither package imports the other both ways. Also the schema as an artifact:
its SDL, as `trusthub schema` prints it, in alphabetical order (graphql-core's
`lexicographic_sort_schema`), so the committed `schema.graphql` changes only where the schema
does; what the repository checks against it is tests/schema_checks.py."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import build_ast_schema, lexicographic_sort_schema, parse, print_schema
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.schema.config import StrawberryConfig

from .config import Settings
from .resolvers.deliveries import DeliveryMutation
from .resolvers.documents import DocumentMutation
from .resolvers.node import NodeQuery
from .resolvers.products import ProductMutation, ProductQuery
from .resolvers.profiles import ProfileMutation, ProfileQuery
from .resolvers.reviews import ReviewMutation, ReviewQuery
from .resolvers.subscriptions import Subscription
from .resolvers.verifications import VerificationMutation
from .schema import fastpath
from .schema import product_types as pt
from .schema import review_types as rt
from .schema import types as t
from .schema.disclosure import GatewaySchema, MaskInternalErrors, QuietExecutor
from .schema.document_limits import DocumentLimits
from .schema.events import SharedEventExecutor
from .schema.operations import OperationCaches, OperationSetup
from .transient import OutageLog


@strawberry.type(description="Reads: your objects, any of them by SID, and the review queue.")
class Query(NodeQuery, ProfileQuery, ProductQuery, ReviewQuery):
    pass


@strawberry.type(
    description="Writes: each returns a payload with the object and userErrors, and runs in "
    "one transaction."
)
class Mutation(
    ProfileMutation,
    ProductMutation,
    ReviewMutation,
    DeliveryMutation,
    DocumentMutation,
    VerificationMutation,
):
    pass


def build_schema(settings: Settings, outages: OutageLog | None = None) -> strawberry.Schema:
    introspection = settings.introspection_enabled
    limits = DocumentLimits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_selections=settings.max_selections,
        max_field_overlaps=settings.max_field_overlaps,
    )
    caches = OperationCaches(
        () if introspection else (NoSchemaIntrospectionCustomRule,),
        limits,
        settings.max_tokens,
        # With introspection off, "Did you mean …" would tell a client the schema's names.
        hide_suggestions=not introspection,
    )
    # Factories: a fresh extension per request.
    # In dev errors are shown unmasked, but a database outage still answers 503.
    mask = not settings.dev_mode
    extensions: list[Any] = [
        lambda: OperationSetup(caches),
        lambda: MaskInternalErrors(mask=mask),
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
        execution_context_class=SharedEventExecutor if introspection else QuietExecutor,
        # Batches run one operation after another (web/view.py), each under the same limits.
        config=StrawberryConfig(
            batching_config={"max_operations": settings.batch_max_operations}
            if settings.batch_max_operations
            else None
        ),
        outages=outages or OutageLog(),
    )
    fastpath.apply(schema, fastpath.PIECES if settings.graphql_fastpath else ())
    return schema


def schema_sdl(settings: Settings) -> str:
    """The SDL of the gateway's schema, as `trusthub schema` prints it (ends with a newline).
    The shape of the schema does not depend on the settings; limits and masking do."""
    sdl = build_schema(settings).as_str()
    return print_schema(lexicographic_sort_schema(build_ast_schema(parse(sdl)))) + "\n"
