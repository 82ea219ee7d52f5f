"""§8: what checking a hostile document costs the event loop (issue 11, item 1). No server and
no database: the gateway's parse, limits and validation, called directly.

    [PYTHONPATH=<another tree>/src] .venv/bin/python bench/hostile_documents.py [--runs 5]

For each document (hostile ones about the largest of their shape under MAX_TOKENS, 2,000)
prints the median (min-max) ms of parse, of `check_document` (the limits, which the gateway
runs first) and of graphql-core's validation (which the gateway runs only when the limits
pass: for refused documents, what the refusal saved), and what the limits answer. Then, for
comparison, strawberry's QueryDepthLimiter + MaxAliasesLimiter (which the gateway used
before) on the doubling document at growing sizes: each fragment doubles their time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from graphql import (
    NoSchemaIntrospectionCustomRule,
    get_introspection_query,
    parse,
    specified_rules,
    validate,
)
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from trusthub.config import Settings
from trusthub.gateway_schema import build_schema
from trusthub.schema.document_limits import DocumentLimits, check_document
from trusthub.schema.operations import STRAWBERRY_RULES

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
LIMITS = DocumentLimits(
    SETTINGS.max_query_depth,
    SETTINGS.max_aliases,
    SETTINGS.max_selections,
    SETTINGS.max_field_overlaps,
)
# What the gateway validates with once the limits pass (introspection off).
RULES = (*specified_rules, NoSchemaIntrospectionCustomRule, *STRAWBERRY_RULES)


def doubling(count: int) -> str:
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(count - 1)]
    return "\n".join(
        ["query { ...F0 }", *fragments, f"fragment F{count - 1} on Query {{ __typename }}"]
    )


def chain(count: int) -> str:
    """Each fragment selects `viewer` and spreads the next: every pair of fragments is compared
    by OverlappingFieldsCanBeMerged (quadratic)."""
    fragments = [
        f"fragment F{n} on Query {{ viewer {{ __typename }} ...F{n + 1} }}"
        for n in range(count - 1)
    ]
    last = f"fragment F{count - 1} on Query {{ viewer {{ __typename }} }}"
    return "\n".join(["query { ...F0 }", *fragments, last])


def inline(count: int) -> str:
    return "query { viewer { " + "... on Viewer { account { id } } " * count + "} }"


def repeated_leaf(count: int) -> str:
    return "query { " + "__typename " * count + "}"


DOCUMENTS: dict[str, str] = {
    "199 doubling fragments (2^199 selections)": doubling(199),
    "150 chained fragments, each selecting viewer": chain(150),
    "180 inline fragments, each selecting account": inline(180),
    "1,990 x __typename (one response key)": repeated_leaf(1990),
    "within: 11 doubling fragments (3,071 selections)": doubling(11),
    "within: 63 chained fragments (1,983 overlaps)": chain(63),
    "within: 63 inline fragments (1,983 overlaps)": inline(63),
    "within: 506 x __typename (1,996 overlaps)": repeated_leaf(506),
    "GraphiQL's introspection query": get_introspection_query(descriptions=True),
}


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    samples: list[float] = []
    result: object = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def summary(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} ({min(samples):.2f}-{max(samples):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    schema = build_schema(SETTINGS)._schema

    print("| document | bytes | parse ms | limits ms | validation ms | the limits say |")
    print("|---|---|---|---|---|---|")
    for name, query in DOCUMENTS.items():
        parsed, document = timed(lambda q=query: parse(q, max_tokens=SETTINGS.max_tokens), runs)
        checked, errors = timed(lambda d=document: check_document(d, LIMITS), runs)
        validated, _ = timed(lambda d=document: validate(schema, d, RULES), runs)
        answer = "valid"
        if errors:
            answer = "refused: " + errors[0].message.split(" (")[0][-36:]  # type: ignore[index]
        print(
            f"| {name} | {len(query):,} | {summary(parsed)} | {summary(checked)} "
            f"| {summary(validated)} | {answer} |"
        )

    rules = (
        *QueryDepthLimiter(max_depth=SETTINGS.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=SETTINGS.max_aliases).validation_rules,
    )
    print("\n| doubling fragments | strawberry's depth + alias limiters, ms |")
    print("|---|---|")
    for count in (12, 14, 16, 18):
        document = parse(doubling(count))
        samples, _ = timed(lambda d=document: validate(schema, d, rules), max(1, runs // 2))
        print(f"| {count} | {summary(samples)} |")


if __name__ == "__main__":
    main()
