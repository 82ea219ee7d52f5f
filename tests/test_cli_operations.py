"""`trusthub operations register FILE…` as an operator runs it, on both databases."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from trusthub.db import SessionFactory
from trusthub.services.persisted_operations import find_operation

from .test_cli import trusthub

DOC = "query Total { customerProfiles(first: 1) { totalCount } }"
OTHER = "query Viewer { viewer { account { id } } }"


async def test_register_documents_and_a_manifest(
    database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    # given a document file and an Apollo manifest
    (tmp_path / "total.graphql").write_text(DOC)
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": "x", "name": "Viewer", "type": "query", "body": OTHER}],
    }
    (tmp_path / "ops.json").write_text(json.dumps(manifest))
    # when the operator registers both
    result = await trusthub(
        "operations",
        "register",
        "total.graphql",
        "ops.json",
        cwd=tmp_path,
        database_url=database_url,
    )
    # then each hash is printed and finds its document
    assert result.code == 0, result.stderr
    for document in (DOC, OTHER):
        sha = hashlib.sha256(document.encode()).hexdigest()
        assert sha in result.stdout
        async with sessions() as session:
            assert await find_operation(session, sha) == document


async def test_a_file_that_is_not_graphql_stores_nothing(
    database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    (tmp_path / "good.graphql").write_text(DOC)
    (tmp_path / "bad.graphql").write_text("query {")
    result = await trusthub(
        "operations",
        "register",
        "good.graphql",
        "bad.graphql",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert result.code == 2
    assert "bad.graphql: not a GraphQL document" in result.stderr
    async with sessions() as session:
        assert await find_operation(session, hashlib.sha256(DOC.encode()).hexdigest()) is None
