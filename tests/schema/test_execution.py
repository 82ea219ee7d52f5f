"""Plain leaf fields answered inside the field loop (`schema/fastpath/leaves.py`): the same
answers and the same errors as graphql-core's and strawberry's own paths."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from trusthub.config import Settings
from trusthub.gateway_schema import build_schema
from trusthub.schema import fastpath
from trusthub.schema.fastpath.leaves import DirectLeaves

# The executor with its fast path, as `fastpath.apply` builds it.
GatewayExecutor = fastpath.executor_class(StrawberryGraphQLCoreExecutionContext, leaves=True)
FAST = Settings(_env_file=None, graphql_fastpath=True)  # type: ignore[call-arg]


def test_the_gateway_schema_reads_leaves_through_it() -> None:
    assert issubclass(build_schema(FAST).execution_context_class, DirectLeaves)


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
