"""docs/frontend.md shows what the code does: its client setup is the file the JS client tests
import, its error examples are the server's real answers, and its documents validate."""

from __future__ import annotations

import json
import re
from pathlib import Path

from graphql import parse, validate

from trusthub.config import Settings
from trusthub.gateway_schema import build_schema

from .conftest import Acct, GraphQLClient

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "frontend.md"
README = ROOT / "README.md"
GRAPHQL = re.compile(r"```graphql\n(.*?)```", re.S)


def block_after(marker: str, language: str) -> str:
    """The fenced block right after `<!-- marker -->`."""
    rest = DOC.read_text().split(f"<!-- {marker} -->\n", 1)[1]
    assert rest.startswith(f"```{language}\n"), f"no ```{language} block after {marker}"
    return rest.split("\n", 1)[1].split("```\n", 1)[0]


def document_with(field: str) -> str:
    return next(d for d in GRAPHQL.findall(DOC.read_text()) if field in d)


def test_the_readme_links_the_frontend_guide() -> None:
    assert "(docs/frontend.md)" in README.read_text()


def test_the_client_setup_is_the_file_the_js_tests_run() -> None:
    # given the snippet the JS client tests import
    snippet = (ROOT / "tests" / "clients" / "snippets" / "client.js").read_text()
    # then the guide shows it verbatim
    assert block_after("snippet: tests/clients/snippets/client.js", "js") == snippet


def test_every_document_in_the_guide_validates() -> None:
    schema = build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]
    problems = {
        doc.splitlines()[0]: [e.message for e in validate(schema, parse(doc))]
        for doc in GRAPHQL.findall(DOC.read_text())
    }
    assert {k: v for k, v in problems.items() if v} == {}


async def test_the_top_level_error_example_is_what_a_customer_gets(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when a customer asks for the review queue, as the guide shows
    answer = await gql.raw(document_with("reviewQueue"), headers=alice.headers)
    # then the answer is the guide's, word for word
    assert answer == json.loads(block_after("review-queue-example", "json"))


async def test_the_user_error_example_is_what_a_blank_name_gets(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when a draft with a blank name is created, as the guide shows
    answer = await gql.raw(document_with("BlankName"), headers=alice.headers)
    # then the answer is the guide's, word for word
    assert answer == json.loads(block_after("user-error-example", "json"))
