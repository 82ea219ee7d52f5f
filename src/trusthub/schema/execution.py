"""How the gateway executes operations: graphql-core's executor (through strawberry's), with
shortcuts for work it repeats on every request (measured in bench/README.md).

1. Field collection remembered across requests. graphql-core collects the sub-fields of every
   object it completes — walks the selection set, groups the fields by response key — and
   remembers that only for one execution. The gateway's operations are sent again and again
   with the same text and parsed once (the parse cache in `build.OperationSetup` hands every
   request the same `DocumentNode`), and their collection is the same every time unless a
   directive (`@skip`/`@include` with a variable) or a fragment variable makes it depend on
   the variables. It is kept per operation, keyed by the type and the identities of the field
   nodes (which the kept operation keeps alive), and only for operations with no directive on
   any selection or fragment.
2. Plain leaf fields read directly. A field with no resolver (strawberry's "basic" field) whose
   type is a scalar or an enum is an attribute read and an output coercion; graphql-core also
   builds a resolve-info tuple, calls strawberry's resolver wrapper and walks `complete_value`
   for it. Such fields are read and coerced here; anything unusual (a null for a non-null
   field, a value that does not coerce, a resolver middleware) takes graphql-core's path, which
   reports it as before.
3. Argument-less resolver methods called without strawberry's per-call wrapper
   (`use_lean_resolvers`)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from .document_limits import CACHED_DOCUMENT_CHARS

# Operations remembered at most; past it the cache starts again (a gateway serves far fewer
# distinct operations, and unique query texts cannot grow it without bound).
OPERATIONS = 512


class _Remembered:
    __slots__ = ("collected", "operation")

    def __init__(self, operation: OperationDefinitionNode) -> None:
        self.operation = operation  # keeps the field nodes, whose ids are the keys, alive
        self.collected: dict[tuple[GraphQLObjectType, tuple[int, ...]], CollectedFields] = {}


# id(operation) → (the operation, kept alive so the id stays its own; what was collected for
# it, or None when its collection may depend on the variables).
_remembered: dict[int, tuple[OperationDefinitionNode, _Remembered | None]] = {}


def _without_directives(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> bool:
    """True if nothing in the operation's selections or fragments can make field collection
    depend on the variables: no directive on a field, fragment spread, inline fragment or
    fragment definition, and no fragment variables."""
    pending: list[SelectionSetNode | None] = [operation.selection_set]
    for details in fragments.values():
        definition: FragmentDefinitionNode = details.definition
        if definition.directives or definition.variable_definitions:
            return False
        pending.append(definition.selection_set)
    while pending:
        selection_set = pending.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if selection.directives:
                return False
            if isinstance(selection, FragmentSpreadNode):
                if getattr(selection, "arguments", None):
                    return False  # fragment variables
            else:
                pending.append(selection.selection_set)  # type: ignore[attr-defined]
    return True


def _large(operation: OperationDefinitionNode) -> bool:
    """True for an operation of a document too large to remember (`CACHED_DOCUMENT_CHARS`)."""
    loc = operation.loc
    return loc is None or len(loc.source.body) > CACHED_DOCUMENT_CHARS


def _entry(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> _Remembered | None:
    if _large(operation):
        return None
    found = _remembered.get(id(operation))
    if found is not None and found[0] is operation:
        return found[1]
    if len(_remembered) >= OPERATIONS:
        _remembered.clear()
    entry = _Remembered(operation) if _without_directives(operation, fragments) else None
    _remembered[id(operation)] = (operation, entry)
    return entry


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


def _definition(field: GraphQLField) -> Any:
    """The strawberry field a graphql-core field was built from, if any."""
    return (field.extensions or {}).get("strawberry-definition")


def _leaf_plan(field: GraphQLField) -> Plan | None:
    definition = _definition(field)
    if (
        field.args
        or not getattr(field.resolve, "_is_default", False)
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


class GatewayExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # With a resolver middleware every field must go through it.
        self._direct_leaves = (
            middleware is None or middleware.get_field_resolver(_passthrough) is _passthrough
        )
        self._remembered = _entry(self.operation, self.fragments)

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
                        pass
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

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        entry = self._remembered
        if entry is None:
            return super().collect_subfields(return_type, field_details_list)
        key = (return_type, tuple([id(details.node) for details in field_details_list]))
        collected = entry.collected.get(key)
        if collected is None:
            collected = super().collect_subfields(return_type, field_details_list)
            entry.collected[key] = collected
        return collected


def use_lean_resolvers(schema: strawberry.Schema) -> int:
    """Call the argument-less resolver methods of object types (`CustomerProfile.business`,
    `.authorizedRepresentatives`, …) directly, without strawberry's per-call wrapper, which
    converts (no) arguments, chains (no) field extensions and adds a coroutine around async
    resolvers: `resolver(source)`, or `resolver(source, info=Info(...))` when it asks for
    `info`. Only for fields with no arguments, no field extensions (permissions are
    extensions) and no exception handlers, on types other than the root types; every other
    field keeps strawberry's resolver. Returns how many fields were switched."""
    if getattr(schema.schema_converter, "_exception_handler_specs", ()):
        return 0
    roots = {schema._schema.query_type, schema._schema.mutation_type}
    roots.add(schema._schema.subscription_type)
    info_class = schema.config.info_class
    switched = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type in roots:
            continue
        for field in graphql_type.fields.values():
            definition = _definition(field)
            if not isinstance(definition, StrawberryField) or field.args:
                continue
            resolver = definition.base_resolver
            if (
                resolver is None
                or definition.arguments
                or definition.extensions
                or resolver.self_parameter is None
                or resolver.parent_parameter is not None
                or resolver.root_parameter is not None
                or not callable(resolver.wrapped_func)
            ):
                continue
            field.resolve = _lean(
                resolver.wrapped_func, resolver.info_parameter, definition, info_class
            )
            switched += 1
    return switched


def _lean(func: Any, info_parameter: Any, definition: StrawberryField, info_class: Any) -> Any:
    if info_parameter is None:

        def lean(source: Any, info: Any) -> Any:
            return func(source)

    else:
        name = info_parameter.name

        def lean(source: Any, info: Any) -> Any:
            return func(source, **{name: info_class(_raw_info=info, _field=definition)})

    lean.lean = True  # type: ignore[attr-defined]
    return lean
