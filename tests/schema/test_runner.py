"""Extension hooks without strawberry's per-request wrapping (`schema/runner.py`): the same
hooks, in the same order, with the same results and errors as strawberry's own runner."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

from trusthub.config import Settings
from trusthub.schema.build import build_schema
from trusthub.schema.runner import LightRunner, LightSchema

trace: list[str] = []


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        trace.append("resolve")
        return "world"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("broken resolver")


class Outer(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        trace.append("outer operation >")
        yield
        trace.append("outer operation <")

    def on_parse(self) -> Iterator[None]:
        trace.append("outer parse >")
        yield
        trace.append("outer parse <")

    def on_execute(self) -> Iterator[None]:
        trace.append("outer execute >")
        yield
        trace.append("outer execute <")


class Inner(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        trace.append("inner operation >")
        yield
        result = self.execution_context.result
        trace.append(f"inner operation < errors={bool(result and result.errors)}")

    def on_validate(self) -> Iterator[None]:
        trace.append("inner validate >")
        yield
        trace.append("inner validate <")


class FailsAfter(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        raise RuntimeError("failed after execution")


class Swallows(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        try:
            yield
        except RuntimeError:
            trace.append("swallowed")


class AsyncHook(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        trace.append("async operation >")
        yield
        trace.append("async operation <")


async def run_both(query: str, *extensions: type[SchemaExtension]) -> tuple[Any, list[str]]:
    """Run `query` on strawberry's schema and on LightSchema; both must agree; return one."""
    outcomes = []
    for schema_class in (strawberry.Schema, LightSchema):
        trace.clear()
        schema = schema_class(query=Query, extensions=list(extensions))
        result = await schema.execute(query)
        errors = [e.message for e in result.errors or []]
        outcomes.append(((result.data, errors), list(trace)))
    assert outcomes[0] == outcomes[1]
    return outcomes[1]


async def test_hooks_run_in_strawberrys_order() -> None:
    (data, errors), order = await run_both("{ hello }", Outer, Inner)
    assert data == {"hello": "world"}
    assert errors == []
    assert order == [
        "outer operation >",
        "inner operation >",
        "outer parse >",
        "outer parse <",
        "inner validate >",
        "inner validate <",
        "outer execute >",
        "resolve",
        "outer execute <",
        "inner operation < errors=False",
        "outer operation <",
    ]


@pytest.mark.parametrize("query", ["{ broken }", "{ hello ", "{ nothing }"])
async def test_failures_reach_the_hooks_as_with_strawberry(query: str) -> None:
    (_data, errors), order = await run_both(query, Outer, Inner)
    assert errors
    assert order[-2:] == ["inner operation < errors=True", "outer operation <"]


async def test_an_exception_raised_by_a_hook_is_reported_as_with_strawberry() -> None:
    (data, errors), _ = await run_both("{ hello }", FailsAfter)
    assert data is None
    assert errors == ["failed after execution"]


async def test_a_hook_can_handle_an_exception_from_a_later_hook() -> None:
    (data, errors), order = await run_both("{ hello }", Swallows, FailsAfter)
    assert "swallowed" in order
    assert errors == []
    assert data == {"hello": "world"}


async def test_async_hooks_are_left_to_strawberrys_runner() -> None:
    (data, _), order = await run_both("{ hello }", AsyncHook, Outer)
    assert data == {"hello": "world"}
    assert order[0] == "async operation >"
    assert order[-1] == "async operation <"
    schema = LightSchema(query=Query, extensions=[AsyncHook])
    runner = schema.create_extensions_runner(None, [AsyncHook()])  # type: ignore[arg-type]
    assert type(runner) is SchemaExtensionsRunner


def test_the_gateway_schema_runs_its_extensions_lightly() -> None:
    schema = build_schema(Settings(_env_file=None))  # type: ignore[call-arg]
    extensions = schema.get_extensions()
    assert len(extensions) == 2  # the operation setup and error masking
    runner = schema.create_extensions_runner(None, extensions)  # type: ignore[arg-type]
    assert isinstance(runner, LightRunner)
