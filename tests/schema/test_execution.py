"""Field collection remembered across requests (`schema/collection.py`): collected once per
parsed operation and type, never for an operation whose collection can depend on its
variables, and the results the same as graphql-core's own."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import graphql.execution.executor as graphql_executor
import pytest
import strawberry
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

from trusthub.config import Settings
from trusthub.schema import execution
from trusthub.schema.build import build_schema
from trusthub.schema.execution import GatewayExecutor, use_lean_resolvers


@strawberry.type
class Pet:
    name: str
    legs: int


@strawberry.type
class Person:
    name: str
    pets: list[Pet]


PEOPLE = [
    Person(name="Ada", pets=[Pet(name="Rex", legs=4), Pet(name="Tweety", legs=2)]),
    Person(name="Grace", pets=[]),
]


@strawberry.type
class Query:
    @strawberry.field
    def people(self) -> list[Person]:
        return PEOPLE


def make_schema(*extensions: Any) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, extensions=list(extensions), execution_context_class=GatewayExecutor
    )


cached_schema = make_schema(ParserCache)  # one parsed operation per query text, as in the gateway
plain_schema = strawberry.Schema(query=Query)  # graphql-core's collection, for comparison


@pytest.fixture
def collections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the types graphql-core collects sub-fields for."""
    seen: list[str] = []
    original = graphql_executor.collect_subfields

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[4].name)
        return original(*args, **kwargs)

    monkeypatch.setattr(graphql_executor, "collect_subfields", counting)
    return seen


QUERY = """
query People {
  people {
    who: name
    ...PetsOf
  }
}
fragment PetsOf on Person { pets { name ... on Pet { legs } } }
"""


async def test_an_operation_is_collected_once_and_answers_as_before(
    collections: list[str],
) -> None:
    expected = await plain_schema.execute(QUERY)
    assert expected.errors is None
    collections.clear()

    first = await cached_schema.execute(QUERY)
    assert first.errors is None
    assert first.data == expected.data
    assert first.data == {
        "people": [
            {"who": "Ada", "pets": [{"name": "Rex", "legs": 4}, {"name": "Tweety", "legs": 2}]},
            {"who": "Grace", "pets": []},
        ]
    }
    assert sorted(collections) == ["Person", "Pet"]  # once per type, not once per object

    collections.clear()
    for _ in range(3):
        again = await cached_schema.execute(QUERY)
        assert again.data == expected.data
    assert collections == []


async def test_operations_whose_fields_depend_on_variables_are_collected_every_time(
    collections: list[str],
) -> None:
    query = "query($full: Boolean!) { people { name pets @include(if: $full) { name } } }"
    full = await cached_schema.execute(query, variable_values={"full": True})
    brief = await cached_schema.execute(query, variable_values={"full": False})
    assert full.data == {
        "people": [
            {"name": "Ada", "pets": [{"name": "Rex"}, {"name": "Tweety"}]},
            {"name": "Grace", "pets": []},
        ]
    }
    assert brief.data == {"people": [{"name": "Ada"}, {"name": "Grace"}]}
    collections.clear()
    again = await cached_schema.execute(query, variable_values={"full": True})
    assert again.data == full.data
    assert "Person" in collections


@pytest.mark.parametrize(
    "query",
    [
        "query($s: Boolean!) { people { ...N @skip(if: $s) } } fragment N on Person { name }",
        "query($s: Boolean!) { people { ... @skip(if: $s) { name } } }",
    ],
)
async def test_directives_on_fragments_also_keep_an_operation_out(query: str) -> None:
    shown = await cached_schema.execute(query, variable_values={"s": False})
    skipped = await cached_schema.execute(query, variable_values={"s": True})
    assert shown.errors is None, shown.errors
    assert shown.data == {"people": [{"name": "Ada"}, {"name": "Grace"}]}
    assert skipped.data == {"people": [{}, {}]}


async def test_the_same_text_parsed_twice_is_two_operations(collections: list[str]) -> None:
    schema = make_schema()  # no parser cache: every request parses its own document
    expected = (await plain_schema.execute(QUERY)).data
    for _ in range(2):
        collections.clear()
        result = await schema.execute(QUERY)
        assert result.data == expected
        assert sorted(collections) == ["Person", "Pet"]


async def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execution, "OPERATIONS", 4)
    schema = make_schema()
    for n in range(10):
        result = await schema.execute(f"{{ people {{ a{n}: name }} }}")
        assert result.data == {"people": [{f"a{n}": "Ada"}, {f"a{n}": "Grace"}]}
        assert len(execution._remembered) <= 4


def test_the_gateway_schema_collects_through_it() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert issubclass(build_schema(settings).execution_context_class, GatewayExecutor)


# Plain leaf fields read directly: the same answers and the same errors as graphql-core's path.


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Thing:
    name: str
    size: int | None
    colour: Colour
    label: str | None = None


@strawberry.type
class ThingQuery:
    @strawberry.field
    def things(self) -> list[Thing]:
        return THINGS


THINGS: list[Any] = []
THING_QUERY = "{ things { name size colour label } }"


def thing_schema(*extensions: Any, direct: bool = True) -> strawberry.Schema:
    executor = GatewayExecutor if direct else None
    return strawberry.Schema(
        query=ThingQuery, extensions=list(extensions), execution_context_class=executor
    )


async def answers(schema: strawberry.Schema) -> tuple[Any, list[tuple[str, Any]]]:
    result = await schema.execute(THING_QUERY)
    errors = [(error.message, error.path) for error in result.errors or []]
    return result.data, errors


@pytest.mark.parametrize(
    "things",
    [
        [
            Thing(name="a", size=1, colour=Colour.RED),
            Thing(name="b", size=None, colour=Colour.BLUE),
        ],
        [Thing(name=None, size=1, colour=Colour.RED)],  # type: ignore[arg-type]  # null, non-null
        [Thing(name="a", size="big", colour=Colour.RED)],  # type: ignore[arg-type]  # not an Int
        [Thing(name="a", size=1, colour="green")],  # type: ignore[arg-type]  # not a Colour
        [Thing(name="a", size=2**40, colour=Colour.RED)],  # beyond a GraphQL Int
        [Thing(name="a", size=ValueError("no size"), colour=Colour.RED)],  # type: ignore[arg-type]
    ],
    ids=["values", "null-for-non-null", "wrong-type", "unknown-enum", "int-overflow", "error"],
)
async def test_leaves_answer_and_fail_as_graphql_core_does(things: list[Thing]) -> None:
    THINGS[:] = things
    data, errors = await answers(thing_schema())
    assert (data, errors) == await answers(thing_schema(direct=False))
    if len(things) == 2:  # the valid values
        assert errors == []
        assert data == {
            "things": [
                {"name": "a", "size": 1, "colour": "RED", "label": None},
                {"name": "b", "size": None, "colour": "BLUE", "label": None},
            ]
        }
    else:  # one bad value: one error, at its path
        assert len(errors) == 1
        assert errors[0][1][:2] == ["things", 0]


async def test_a_missing_attribute_is_an_error_not_a_null() -> None:
    @dataclass
    class Partial:
        name: str
        colour: Colour
        label: str | None  # no "size"

    THINGS[:] = [Partial(name="a", colour=Colour.RED, label="x")]
    data, errors = await answers(thing_schema())
    assert (data, errors) == await answers(thing_schema(direct=False))
    assert data == {"things": [{"name": "a", "size": None, "colour": "RED", "label": "x"}]}
    assert len(errors) == 1
    assert "size" in errors[0][0]
    assert errors[0][1] == ["things", 0, "size"]


class Shout(SchemaExtension):
    """A resolver middleware: it must still see every field, leaves included."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


async def test_resolver_middleware_still_sees_leaf_fields() -> None:
    THINGS[:] = [Thing(name="a", size=1, colour=Colour.RED, label="small")]
    data, errors = await answers(thing_schema(Shout))
    assert errors == []
    assert data == {"things": [{"name": "A", "size": 1, "colour": "RED", "label": "SMALL"}]}


async def test_leaves_skip_strawberrys_resolver_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = StrawberryField.get_result

    def counting(self: StrawberryField, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.python_name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(StrawberryField, "get_result", counting)
    THINGS[:] = [Thing(name="a", size=1, colour=Colour.RED)]
    await thing_schema(direct=False).execute(THING_QUERY)
    assert sorted(calls) == ["colour", "label", "name", "size", "things"]
    calls.clear()
    result = await thing_schema().execute(THING_QUERY)
    assert result.data == {"things": [{"name": "a", "size": 1, "colour": "RED", "label": None}]}
    assert calls == ["things"]  # the resolver; the four leaves were read directly


# Argument-less resolver methods called directly (`use_lean_resolvers`).


class IsAda(BasePermission):
    message = "not Ada"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return bool(source.name == "Ada")


@strawberry.type
class Owner:
    name: str

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def greeting(self, info: strawberry.Info) -> str:
        return f"{info.context['greeting']}, {self.name} ({info.field_name})"

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError(f"{self.name} cannot")

    @strawberry.field
    def repeat(self, times: int = 2) -> str:
        return self.name * times

    @strawberry.field(permission_classes=[IsAda])
    def secret(self) -> str | None:
        return "s3cret"


@strawberry.type
class OwnerQuery:
    @strawberry.field
    def owners(self) -> list[Owner]:
        return [Owner(name="Ada"), Owner(name="Bob")]


OWNER_QUERY = "{ owners { name shout greeting fails repeat(times: 3) secret } }"


def owner_schema(lean: bool) -> strawberry.Schema:
    schema = strawberry.Schema(query=OwnerQuery)
    if lean:
        assert use_lean_resolvers(schema) == 3  # shout, greeting, fails
    return schema


def is_lean(schema: strawberry.Schema, type_name: str, field: str) -> bool:
    graphql_type = schema._schema.type_map[type_name]
    return bool(getattr(graphql_type.fields[field].resolve, "lean", False))  # type: ignore[union-attr]


async def test_lean_resolvers_answer_and_fail_as_strawberrys_do() -> None:
    outcomes = []
    for lean in (False, True):
        result = await owner_schema(lean).execute(OWNER_QUERY, context_value={"greeting": "Hi"})
        errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
        outcomes.append((result.data, errors))
    assert outcomes[0] == outcomes[1]
    data, errors = outcomes[1]
    assert data["owners"][0] == {
        "name": "Ada",
        "shout": "ADA",
        "greeting": "Hi, Ada (greeting)",
        "fails": None,
        "repeat": "AdaAdaAda",
        "secret": "s3cret",
    }
    assert ("Ada cannot", ("owners", 0, "fails")) in errors
    assert ("not Ada", ("owners", 1, "secret")) in errors


def test_only_plain_methods_are_switched() -> None:
    schema = owner_schema(lean=True)
    assert [f for f in ("shout", "greeting", "fails") if is_lean(schema, "Owner", f)] == [
        "shout",
        "greeting",
        "fails",
    ]
    assert not is_lean(schema, "Owner", "repeat")  # has an argument
    assert not is_lean(schema, "Owner", "secret")  # a permission is a field extension
    assert not is_lean(schema, "OwnerQuery", "owners")  # a root type


def test_the_gateway_schema_calls_profile_resolvers_directly() -> None:
    schema = build_schema(Settings(_env_file=None))  # type: ignore[call-arg]
    for field in ("business", "address", "authorizedRepresentatives", "policy", "history"):
        assert is_lean(schema, "CustomerProfile", field), field
    assert not is_lean(schema, "CustomerProfile", "phoneNumbers")  # has arguments


@strawberry.type
class Mixed:
    name: str
    size: int

    @strawberry.field
    async def later(self) -> str:
        return "later"

    @strawberry.field
    def inner(self) -> Thing:
        return Thing(name="in", size=1, colour=Colour.BLUE)


@strawberry.type
class MixedQuery:
    @strawberry.field
    def mixed(self) -> Mixed:
        return Mixed(name="m", size=2)


async def test_answers_keep_the_order_of_the_selection() -> None:
    schema = strawberry.Schema(query=MixedQuery, execution_context_class=GatewayExecutor)
    result = await schema.execute("{ mixed { later size inner { colour name } name s: size } }")
    assert result.errors is None
    mixed = result.data["mixed"]  # type: ignore[index]
    assert list(mixed) == ["later", "size", "inner", "name", "s"]
    assert list(mixed["inner"]) == ["colour", "name"]
    assert mixed == {
        "later": "later",
        "size": 2,
        "inner": {"colour": "BLUE", "name": "in"},
        "name": "m",
        "s": 2,
    }
