"""The README and docs/ stay true to the code: every GraphQL document in them validates against
the schema the code serves, every link between them lands on a file and heading that exist, and
the tables that mirror code (settings, sandbox values) list exactly what the code has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from trusthub.config import Settings
from trusthub.gateway_schema import build_schema

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, ROOT / "SECURITY.md", *DOCS]
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def headings(page: Path) -> set[str]:
    """GitHub's anchors for a page's headings (lowercase, punctuation dropped, spaces to -)."""
    anchors, fenced = set(), False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            text = re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def test_the_readme_has_the_tour() -> None:
    # when the README's GraphQL blocks are collected
    blocks = BLOCK.findall(README.read_text())
    # then the tour has its eight steps
    assert len(blocks) >= 8


def test_the_docs_are_there() -> None:
    # the docs the README's Documentation list promises
    assert {p.name for p in DOCS} >= {
        "frontend.md", "api.md", "customers.md", "reviewers.md", "operators.md",
        "architecture.md",
    }  # fmt: skip


@pytest.mark.parametrize("page", [README, *DOCS], ids=name)
def test_every_graphql_document_validates_against_the_schema(page: Path) -> None:
    # given the schema as served
    schema = build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]
    # when each document on the page is validated
    problems = {
        doc.splitlines()[0]: [e.message for e in validate(schema, parse(doc))]
        for doc in BLOCK.findall(page.read_text())
    }
    # then none has an error
    assert {k: v for k, v in problems.items() if v} == {}


def test_every_graphql_document_moved_with_its_text() -> None:
    # the 23 documents the README held before the split, and docs/frontend.md's 3, are all still
    # in README.md or docs/
    found = sum(len(BLOCK.findall(p.read_text())) for p in [README, *DOCS])
    assert found >= 23 + 3


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_every_link_lands_on_a_file_and_heading_that_exist(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in headings(linked):
            broken.append(f"{target}: no such heading")
    assert broken == []


def test_the_readme_links_every_doc() -> None:
    text = README.read_text()
    assert [p.name for p in DOCS if f"(docs/{p.name})" not in text] == []
    assert "(SECURITY.md)" in text


def configuration_table() -> str:
    text = (ROOT / "docs" / "operators.md").read_text()
    return text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]


def test_every_setting_is_in_the_configuration_table() -> None:
    # given the first column of the operators' configuration table
    lines = configuration_table().splitlines()
    rows = [line.split("|")[1] for line in lines if line.startswith("| `")]
    listed = {n for row in rows for n in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    # then it names every environment variable trusthub reads, and nothing else
    settings = {n.upper() for n in Settings.model_fields}
    assert sorted(settings - listed) == []
    assert sorted(listed - settings) == ["TEST_POSTGRES_URL"]  # read by tests/conftest.py only


def test_the_sandbox_table_lists_every_magic_value() -> None:
    from trusthub.domain.vetting import SANDBOX_MAGIC_VALUES

    # given the sandbox table of the reviewers' guide
    text = (ROOT / "docs" / "reviewers.md").read_text()
    table = text.split("<!-- sandbox-values -->", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.M))
    # then it lists exactly the values the reviewer honours
    assert listed == set(SANDBOX_MAGIC_VALUES)
