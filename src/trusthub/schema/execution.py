"""How the gateway executes operations: graphql-core's executor (through strawberry's), with
two shortcuts for work it repeats on every request (bench/README.md, §1 step 8).

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
   reports it as before."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

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


def _entry(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> _Remembered | None:
    found = _remembered.get(id(operation))
    if found is not None and found[0] is operation:
        return found[1]
    if len(_remembered) >= OPERATIONS:
        _remembered.clear()
    entry = _Remembered(operation) if _without_directives(operation, fragments) else None
    _remembered[id(operation)] = (operation, entry)
    return entry


# (parent type, field name) → (attribute, leaf type, non-null) for a plain leaf field, or None.
_leaves: dict[tuple[GraphQLObjectType, str], tuple[str, GraphQLLeafType, bool] | None] = {}


def _leaf(parent_type: GraphQLObjectType, name: str) -> tuple[str, GraphQLLeafType, bool] | None:
    key = (parent_type, name)
    if key in _leaves:
        return _leaves[key]
    plan = None
    field = parent_type.fields.get(name)
    definition = (field.extensions or {}).get("strawberry-definition") if field else None
    if (
        field is not None
        and not field.args
        and getattr(field.resolve, "_is_default", False)
        and isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and definition.default_resolver is getattr
    ):
        non_null = isinstance(field.type, GraphQLNonNull)
        leaf = field.type.of_type if non_null else field.type
        if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
            plan = (definition.python_name, leaf, non_null)
    _leaves[key] = plan
    return plan


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

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._direct_leaves:
            plan = _leaf(parent_type, field_details_list[0].node.name.value)
            if plan is not None:
                attribute, leaf, non_null = plan
                try:
                    value = getattr(source, attribute)
                    if value is None:
                        if not non_null:
                            return None
                    elif not isinstance(value, Exception) and not self.is_awaitable(value):
                        coerced = leaf.coerce_output_value(value)
                        if coerced is not None and coerced is not Undefined:
                            return coerced
                except Exception:  # graphql-core's path below reports it
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        entry = _entry(self.operation, self.fragments)
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
            definition = (field.extensions or {}).get("strawberry-definition")
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
