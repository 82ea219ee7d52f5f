"""Registered operations: stored once by the sha256 of their exact text, on both databases."""

from __future__ import annotations

import hashlib

import pytest

from trusthub.db import SessionFactory
from trusthub.services.persisted_operations import (
    InvalidDocument,
    check_document,
    find_operation,
    register_operations,
)

DOC = "query Total { customerProfiles(first: 1) { totalCount } }"


async def test_register_twice_stores_once_and_finds_by_hash(sessions: SessionFactory) -> None:
    sha = hashlib.sha256(DOC.encode()).hexdigest()
    # when the same document is registered twice
    async with sessions() as session:
        first = await register_operations(session, [DOC, DOC])
        await session.commit()
    async with sessions() as session:
        second = await register_operations(session, [DOC])
        await session.commit()
    # then it was new only the first time, and its hash finds its exact text
    assert first == [(sha, True)]
    assert second == [(sha, False)]
    async with sessions() as session:
        assert await find_operation(session, sha) == DOC
        assert await find_operation(session, "0" * 64) is None


def test_a_document_that_is_not_graphql_is_refused_naming_its_source() -> None:
    with pytest.raises(InvalidDocument, match=r"ops/broken\.graphql: not a GraphQL document"):
        check_document("query {", "ops/broken.graphql")
