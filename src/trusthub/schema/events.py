"""Subscription events executed once, not once per subscriber.

The event hub hands the same `StatusChangedEvent` object to every subscriber that wants an
event (`resolvers/subscriptions._view`). Its fields are plain data — no resolver reads the
subscriber's context (`tests/schema/test_shared_events.py` holds that) — so its result depends
only on the operation and its variables: the first subscriber executes it, and every
subscriber with the same operation and variables is sent that result, which executing once
per subscriber dominated the gateway's fan-out CPU (bench/README.md)."""

from __future__ import annotations

from typing import Any

from graphql import ExecutionResult, OperationDefinitionNode, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# An attribute of a shareable event object: id(operation) → [(operation, variables, result)].
# Entries keep their operation alive, so an id cannot be reused while they exist.
RESULTS = "_shared_results"

Entry = tuple[OperationDefinitionNode, dict[str, Any], ExecutionResult]
# Results kept per operation and event: subscribers of one operation with more distinct
# variables than this execute it themselves (a scan of this many entries stays cheap).
VARIANTS = 8


def shareable(event: Any) -> Any:
    """Mark an event object as plain data whose results subscribers may share."""
    setattr(event, RESULTS, {})
    return event


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially: bool | None = None) -> Any:
        results: dict[int, list[Entry]] | None = getattr(self.root_value, RESULTS, None)
        if results is None or self.operation.operation is not OperationType.SUBSCRIPTION:
            return super().execute_operation(serially)
        variables = self.variable_values.coerced
        entries = results.setdefault(id(self.operation), [])
        for operation, their_variables, shared in entries:
            if operation is self.operation and their_variables == variables:
                return shared
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult) and not result.errors and len(entries) < VARIANTS:
            entries.append((self.operation, dict(variables), result))
        return result
