"""The README's tour must match the schema the code serves."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import parse, validate

from trusthub.config import Settings
from trusthub.schema.build import build_schema

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)


def test_readme_has_a_tour() -> None:
    # when the README's GraphQL blocks are collected
    blocks = BLOCK.findall(README.read_text())
    # then the tour has its eight steps
    assert len(blocks) >= 8


def test_every_readme_document_validates_against_the_schema() -> None:
    # given the schema as served
    schema = build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]
    # when each README document is validated
    problems = {
        doc.splitlines()[0]: [e.message for e in validate(schema, parse(doc))]
        for doc in BLOCK.findall(README.read_text())
    }
    # then none has an error
    assert {k: v for k, v in problems.items() if v} == {}
