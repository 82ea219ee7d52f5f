"""`GRAPHQL_FASTPATH`: on, every fast-path piece (`schema/fastpath/`) is in effect; off, none
is, and the gateway runs strawberry's and graphql-core's own paths only. CI runs the GraphQL
tests a second time with GRAPHQL_FASTPATH=false; the first test here checks that such a run
really builds its schemas without the fast path."""

from __future__ import annotations

import os

import strawberry
from graphql import GraphQLEnumType, GraphQLObjectType
from pydantic._internal import _fields
from strawberry.http import async_base_view
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from trusthub.config import Settings
from trusthub.gateway_schema import build_schema
from trusthub.schema.disclosure import GatewaySchema, QuietExecutor
from trusthub.schema.events import SharedEventExecutor
from trusthub.schema.fastpath.leaves import DirectLeaves


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def uses_fastpath(schema: strawberry.Schema) -> bool:
    executor = schema.execution_context_class
    return issubclass(executor, DirectLeaves)


def test_the_gateway_follows_the_environment() -> None:
    # given the environment this run was started with (CI runs the GraphQL tests both ways)
    wanted = os.environ.get("GRAPHQL_FASTPATH", "true").strip().lower() not in {"0", "false"}
    # when the gateway's schema is built from it, as the app and the test fixtures build it
    schema = build_schema(settings())
    # then the fast path is in effect exactly when the environment asks for it
    assert settings().graphql_fastpath is wanted
    assert uses_fastpath(schema) is wanted


def test_with_the_fast_path_off_nothing_of_it_is_in_effect() -> None:
    # given the setting off, with introspection on and off (two executor classes)
    for introspection, executor in ((True, SharedEventExecutor), (False, QuietExecutor)):
        # when the schema is built
        schema = build_schema(settings(graphql_fastpath=False, introspection=introspection))
        # then it runs the libraries' own paths only, with the gateway's own behaviours
        assert schema.execution_context_class is executor
        assert not issubclass(executor, DirectLeaves)
        assert isinstance(schema, GatewaySchema)
        assert_the_libraries_own(schema)


def assert_the_libraries_own(schema: strawberry.Schema) -> None:
    """What the fast paths removed in issue 16 replaced (an extension runner, enum types,
    resolvers) is strawberry's own, whatever the setting."""
    assert "create_extensions_runner" not in vars(schema)
    assert type(schema).create_extensions_runner is strawberry.Schema.create_extensions_runner
    types = schema._schema.type_map.values()
    enums = [t for t in types if isinstance(t, GraphQLEnumType) and not t.name.startswith("__")]
    assert enums
    assert {type(t) for t in enums} == {CustomGraphQLEnumType}
    resolvers = {
        getattr(field.resolve, "__module__", None)
        for t in types
        if isinstance(t, GraphQLObjectType)
        for field in t.fields.values()
    }
    assert resolvers <= {
        "strawberry.schema.schema_converter",
        "strawberry.schema.schema",
        "graphql.type.introspection",
    }


def test_nothing_is_patched_process_wide() -> None:
    # given gateways built with the fast path on and off (as earlier tests of the run did)
    for fast in (True, False):
        build_schema(settings(graphql_fastpath=fast))
    # then the functions issue 16 found patched at import are the libraries' own
    parser = async_base_view.parse_content_type  # type: ignore[attr-defined]
    assert parser.__module__ == "strawberry.http.parse_content_type"
    assert not hasattr(parser, "__wrapped__")
    assert _fields.takes_validated_data_argument.__module__ == "pydantic._internal._fields"
    assert not hasattr(_fields.takes_validated_data_argument, "__wrapped__")


def test_with_the_fast_path_on_every_piece_is_in_effect() -> None:
    for introspection, executor in ((True, SharedEventExecutor), (False, QuietExecutor)):
        schema = build_schema(settings(graphql_fastpath=True, introspection=introspection))
        assert issubclass(schema.execution_context_class, executor)  # shared events, quiet
        assert uses_fastpath(schema)
        assert_the_libraries_own(schema)  # the fast path is the executor's leaves, no more
