"""Plain leaf fields answered inside the field loop (`DirectLeaves`, an executor mixin that
`fastpath.apply` puts in front of the gateway's executor class).

Replaces: graphql-core's `ExecutionContext.execute_fields` (a copy of its loop, with the same
error and ordering behaviour). A field with no resolver (strawberry's "basic" field) whose type
is a scalar or an enum is an attribute read and an output coercion; graphql-core builds a
`Path`, a resolve-info tuple, calls strawberry's resolver wrapper, walks `complete_value` and
asks whether the result is awaitable, for each. Such fields are read and coerced here;
anything unusual (a null for a non-null field, a value that does not coerce, a resolver
middleware) takes graphql-core's path, which reports it as before.

Relies on: the body of graphql-core's `execute_fields` (copied: a change to it upstream must
be carried here), `graphql.pyutils.Path` and `gather_with_cancel`, the executor's
`is_awaitable`, `execute_field`, `settle_in_background` and `middleware_manager`; the
`strawberry-definition` extension strawberry puts on the graphql-core fields it builds, and
that a field whose `resolve` is strawberry's default resolver
(`strawberry.resolvers.is_default_resolver`) returns the attribute `python_name`.

Worth it: most of a list page's fields are such leaves, and answering them here is the
largest saving of the fast paths on the list and a smaller one on a read (bench/README.md,
"Issue 16 item 1"). Upstream: no small fix; graphql-core resolves every field through the same
machinery by design, and a "trivial field" path there would be a change of its executor."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

Plan = tuple[str, GraphQLLeafType, bool]
# Parent type → {field name: (attribute, leaf type, non-null)} for its plain leaf fields.
_leaves: dict[GraphQLObjectType, dict[str, Plan]] = {}
# Values that are never awaitable nor exceptions: no need to ask.
_PLAIN = frozenset({str, int, float, bool})


def _leaves_of(parent_type: GraphQLObjectType) -> dict[str, Plan]:
    plans = _leaves.get(parent_type)
    if plans is None:
        plans = {}
        for name, field in parent_type.fields.items():
            plan = _leaf_plan(field)
            if plan is not None:
                plans[name] = plan
        _leaves[parent_type] = plans
    return plans


def definition_of(field: GraphQLField) -> Any:
    """The strawberry field a graphql-core field was built from, if any."""
    return (field.extensions or {}).get("strawberry-definition")


def _leaf_plan(field: GraphQLField) -> Plan | None:
    definition = definition_of(field)
    if (
        field.args
        or field.resolve is None
        or not is_default_resolver(field.resolve)
        or not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or definition.default_resolver is not getattr
    ):
        return None
    non_null = isinstance(field.type, GraphQLNonNull)
    leaf = field.type.of_type if non_null else field.type  # type: ignore[union-attr]
    if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return (definition.python_name, leaf, non_null)
    return None


def _passthrough(source: Any, info: Any) -> Any:
    return source


class DirectLeaves(StrawberryGraphQLCoreExecutionContext):
    """Mixed into the gateway's executor class by `fastpath.apply`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # With a resolver middleware every field must go through it.
        self._direct_leaves = (
            middleware is None or middleware.get_field_resolver(_passthrough) is _passthrough
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's `Executor.execute_fields`, with plain leaf fields answered in the
        loop: no `Path`, no call to `execute_field`, no awaitable check of the result."""
        if not self._direct_leaves:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plans = _leaves_of(parent_type)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                plan = plans.get(field_details_list[0].node.name.value)
                if plan is not None:
                    attribute, leaf, non_null = plan
                    try:
                        value = getattr(source_value, attribute)
                        if value is None:
                            if not non_null:
                                results[response_name] = None
                                continue
                        elif value.__class__ in _PLAIN or (
                            not isinstance(value, Exception) and not is_awaitable(value)
                        ):
                            coerced = leaf.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception:
                        pass  # graphql-core's path below reads it again and reports the error
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()
