"""The gateway's limits on a document's shape, checked before graphql-core's validation runs
(issue 11): depth, aliases and selections in time linear in the document's size; then, for a
document within those, field overlaps, which graphql-core's validation compares pairwise.

A fragment spread N times is executed N times, so its aliases and selections count N times;
but each fragment is walked once and what it costs is remembered, so a document whose
fragments spread one another twice over (`fragment F0 on Query { ...F1 ...F1 }` …, whose
expansion doubles with every fragment) costs one walk of its text to refuse. strawberry's
`QueryDepthLimiter` and `MaxAliasesLimiter` re-walk a fragment at every spread: exponential
in such a document (bench/README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

# Documents longer than this are parsed and validated on every request and never remembered
# by the parse and validation caches: one token can
# be a string of megabytes, and a client sending distinct large documents would otherwise pin
# that much memory per cache entry. The gateway's real operations are a few kilobytes.
CACHED_DOCUMENT_CHARS = 10_000


@dataclass(frozen=True)
class DocumentLimits:
    max_depth: int
    max_aliases: int
    max_selections: int
    max_field_overlaps: int


@dataclass(frozen=True)
class Cost:
    """What one operation or fragment costs once every spread in it is expanded."""

    depth: int = 0  # fields with a selection set, nested (introspection fields not counted)
    aliases: int = 0
    selections: int = 0  # fields, fragment spreads and inline fragments


@dataclass
class _Summary:
    """One walk of a definition's own text: its cost without its spreads, and its spreads
    with the field depth each sits at (None inside an introspection field)."""

    depth: int = 0
    aliases: int = 0
    selections: int = 0
    spreads: list[tuple[int | None, str]] = field(default_factory=list)


def _summarise(selection_set: SelectionSetNode) -> _Summary:
    summary = _Summary()
    # (selection set, depth of its fields or None inside an introspection field); the parser
    # bounds how deeply selection sets nest, not how many there are: no recursion here.
    pending: list[tuple[SelectionSetNode, int | None]] = [(selection_set, 0)]
    while pending:
        current, depth = pending.pop()
        for selection in current.selections:
            summary.selections += 1
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    summary.aliases += 1
                if selection.selection_set is None:
                    continue
                # Introspection (__schema, __type) is as deep as the type system and is
                # allowed or refused as a whole: it does not count towards depth.
                inner = None
                if depth is not None and not selection.name.value.startswith("__"):
                    inner = depth + 1
                    summary.depth = max(summary.depth, inner)
                pending.append((selection.selection_set, inner))
            elif isinstance(selection, FragmentSpreadNode):
                summary.spreads.append((depth, selection.name.value))
            elif isinstance(selection, InlineFragmentNode):
                pending.append((selection.selection_set, depth))
    return summary


class _Costs:
    """Each fragment's expanded cost, computed once. A spread of a fragment that is unknown or
    part of a cycle costs nothing beyond itself (graphql-core's validation refuses both)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.summaries: dict[str, _Summary] = {}
        self.costs: dict[str, Cost] = {}

    def summary(self, name: str) -> _Summary:
        found = self.summaries.get(name)
        if found is None:
            found = self.summaries[name] = _summarise(self.fragments[name].selection_set)
        return found

    def resolve(self, name: str) -> None:
        """Cost `name` and every fragment it reaches, dependencies first: a depth-first walk
        with its own stack (a chain of spreads is as long as the document allows), each
        fragment's spreads looked at once."""
        path = [(name, iter(self.summary(name).spreads))]
        on_path = {name}
        while path:
            current, spreads = path[-1]
            for _, target in spreads:
                if target in self.fragments and target not in self.costs and target not in on_path:
                    path.append((target, iter(self.summary(target).spreads)))
                    on_path.add(target)
                    break
            else:
                path.pop()
                on_path.discard(current)
                self.costs[current] = self.expand(self.summary(current))

    def expand(self, summary: _Summary) -> Cost:
        depth, aliases, selections = summary.depth, summary.aliases, summary.selections
        for at, target in summary.spreads:
            cost = self.costs.get(target)
            if cost is None:
                continue  # unknown, or a cycle
            if at is not None:
                depth = max(depth, at + cost.depth)
            aliases += cost.aliases
            selections += cost.selections
        return Cost(depth, aliases, selections)

    def of(self, selection_set: SelectionSetNode) -> Cost:
        summary = _summarise(selection_set)
        for _, target in summary.spreads:
            if target in self.fragments and target not in self.costs:
                self.resolve(target)
        return self.expand(summary)


# A pair of leaf fields costs graphql-core's comparison about this many times less than a pair
# of fields with sub-selections (measured: bench/README.md).
LEAF_PAIRS_PER_OVERLAP = 64


def overlaps(document: DocumentNode, selections: int) -> int:
    """Pairs of fields that share a response key in one selection set once fragments and
    inline fragments are merged into it, as execution merges them; a pair of leaf fields
    counts 1/LEAF_PAIRS_PER_OVERLAP. graphql-core's OverlappingFieldsCanBeMerged compares
    every such pair, sub-selections and all, and their number grows with the square of the
    document's size. Walks the merged tree of each operation, each fragment merged once per
    selection set: at most `selections` of them, the document's expanded count (checked
    first). Only a fragment cycle, which the count leaves out, makes the tree larger: the walk
    stops there, and graphql-core's validation refuses the cycle."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    pairs = leaf_pairs = 0
    # Merged selection sets still to walk, each as the selection sets merged into it.
    pending: list[list[SelectionSetNode]] = [
        [d.selection_set] for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    while pending and selections >= 0:
        merged = pending.pop()
        subsets: dict[str, list[SelectionSetNode]] = {}
        leaves: dict[str, int] = {}
        seen: set[str] = set()
        while merged:
            current = merged.pop()
            selections -= len(current.selections)
            for selection in current.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    if selection.selection_set is None:
                        leaves[key] = leaves.get(key, 0) + 1
                    else:
                        subsets.setdefault(key, []).append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in fragments and name not in seen:
                        seen.add(name)
                        merged.append(fragments[name].selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    merged.append(selection.selection_set)
        pairs += sum(len(sets) * (len(sets) - 1) // 2 for sets in subsets.values())
        leaf_pairs += sum(count * (count - 1) // 2 for count in leaves.values())
        pending.extend(subsets.values())
    return pairs + leaf_pairs // LEAF_PAIRS_PER_OVERLAP


def document_cost(document: DocumentNode) -> tuple[dict[str, Cost], set[str]]:
    """Each operation's cost by name ("anonymous" for an unnamed one), and the names of the
    fragments that no operation reaches."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    costs = _Costs(fragments)
    operations = {
        (d.name.value if d.name else "anonymous"): costs.of(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    }
    return operations, set(fragments) - set(costs.costs)


def check_document(document: DocumentNode, limits: DocumentLimits) -> list[GraphQLError]:
    """The errors of a document past a limit; aliases and selections are summed over every
    operation in it, as a client can only send all of them to be validated. Overlaps are
    counted only in a document within the other limits and with no unused fragment (which
    graphql-core would validate, and which the operations' merged trees do not hold)."""
    costs, unused = document_cost(document)
    errors = [
        GraphQLError(f"'{name}' exceeds maximum operation depth of {limits.max_depth}")
        for name, cost in costs.items()
        if cost.depth > limits.max_depth
    ]
    aliases = sum(cost.aliases for cost in costs.values())
    if aliases > limits.max_aliases:
        errors.append(GraphQLError(f"{aliases} aliases found. Allowed: {limits.max_aliases}"))
    selections = sum(cost.selections for cost in costs.values())
    if selections > limits.max_selections:
        errors.append(
            GraphQLError(
                f"{selections} selections found (fields and fragments, each fragment counted "
                f"at every spread of it). Allowed: {limits.max_selections}"
            )
        )
    if errors:
        return errors
    if unused:  # graphql-core's NoUnusedFragmentsRule says the same, but validates them first
        return [
            GraphQLError(f"Fragment '{d.name.value}' is never used.", d)
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode) and d.name.value in unused
        ]
    found = overlaps(document, selections)
    if found > limits.max_field_overlaps:
        return [
            GraphQLError(
                f"{found} field overlaps found (pairs of fields with the same response name in "
                "one selection set once fragments are merged; validation compares each). "
                f"Allowed: {limits.max_field_overlaps}"
            )
        ]
    return []
