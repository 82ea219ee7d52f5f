"""Operations registered ahead of time (PERSISTED_QUERIES_ONLY; README "Persisted queries").
A document is known by the sha256 of its exact text, as Apollo's persisted queries hash it.
Each function is one step of its caller's transaction; the caller commits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from graphql import GraphQLError, parse
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import PersistedOperation


def document_hash(document: str) -> str:
    """The sha256 of the document's UTF-8 text, lowercase hex (Apollo's `sha256Hash`)."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


class InvalidDocument(ValueError):
    """A document that is not GraphQL; the message names where it came from."""


def check_document(document: str, source: str) -> None:
    try:
        parse(document)
    except GraphQLError as error:
        raise InvalidDocument(f"{source}: not a GraphQL document: {error.message}") from error


async def register_operations(
    session: AsyncSession, documents: Iterable[str]
) -> list[tuple[str, bool]]:
    """Store each document (already checked) under its hash: (hash, newly stored) each.
    Registering a document twice changes nothing."""
    results: list[tuple[str, bool]] = []
    pending: dict[str, str] = {}
    for document in documents:
        pending.setdefault(document_hash(document), document)
    found = set(
        (
            await session.exec(
                select(PersistedOperation.sha256).where(col(PersistedOperation.sha256).in_(pending))
            )
        ).all()
    )
    for sha, document in pending.items():
        if sha not in found:
            session.add(PersistedOperation(sha256=sha, document=document))
        results.append((sha, sha not in found))
    return results


async def find_operation(session: AsyncSession, sha256: str) -> str | None:
    row = await session.get(PersistedOperation, sha256)
    return None if row is None else row.document
