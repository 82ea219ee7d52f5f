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


def test_every_setting_is_documented() -> None:
    # given the README's text
    text = README.read_text()
    # then every environment variable trusthub reads is named in it
    missing = [n.upper() for n in Settings.model_fields if f"`{n.upper()}`" not in text]
    assert missing == []


def test_the_sandbox_table_lists_every_magic_value() -> None:
    from trusthub.domain.vetting import SANDBOX_MAGIC_VALUES

    # given the sandbox table of the README
    table = README.read_text().split("<!-- sandbox-values -->", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.M))
    # then it lists exactly the values the reviewer honours
    assert listed == set(SANDBOX_MAGIC_VALUES)
