"""Persisted queries: Apollo's automatic persisted queries (APQ) and, with
PERSISTED_QUERIES_ONLY, documents registered ahead (`trusthub operations register`).

APQ documents a client sent are remembered per gateway process, bounded (APQ_CACHE_SIZE): a
gateway that has not seen a hash answers PersistedQueryNotFound and the client sends the
document once more, which the protocol expects, so nothing needs sharing between gateways.
Registered documents are in the database, shared by every gateway; a hit is remembered (a hash
names one text forever)."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import replace

from strawberry.http import GraphQLRequestData

from ..db import SessionFactory
from ..services.persisted_operations import document_hash, find_operation
from ..transient import UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, is_transient

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_REGISTERED = "PERSISTED_QUERY_NOT_REGISTERED"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
INVALID = "PERSISTED_QUERY_INVALID"
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class Refused(Exception):
    """A request refused before execution: the status under the spec's media type, the
    message and code of its one error. `before_execution` ones are a 200 under
    application/json, like any GraphQL error in a well-formed request; the others (a malformed
    request, an outage) get their status under either type."""

    def __init__(
        self, status: int, message: str, code: str | None = None, *, before_execution: bool = True
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.before_execution = before_execution


class PersistedQueries:
    def __init__(self, sessions: SessionFactory, *, only_registered: bool, cache_size: int) -> None:
        self.sessions = sessions
        self.only_registered = only_registered
        self.cache_size = cache_size
        self._learned: OrderedDict[str, str] = OrderedDict()
        self._registered: OrderedDict[str, str] = OrderedDict()

    async def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData:
        """The request with its document: looked up by hash when it sent none; refused when
        its hash and document disagree or, registered-only, when the document is unknown."""
        sha = _persisted_hash(request.extensions)
        if sha is None:
            known = not self.only_registered or request.query is None
            if (
                not known
                and await self._registered_document(document_hash(request.query or "")) is None
            ):
                raise _not_registered()
            return request
        if request.query is None:
            document = None if self.only_registered else self._recall(sha)
            document = document or await self._registered_document(sha)
            if document is None:
                raise Refused(400, "PersistedQueryNotFound", NOT_FOUND)
            return replace(request, query=document)
        if document_hash(request.query) != sha:
            raise Refused(
                400, "provided sha does not match query", HASH_MISMATCH, before_execution=False
            )
        if self.only_registered:
            await self._require_registered(sha)
        else:
            self._remember(self._learned, sha, request.query)
        return request

    def _recall(self, sha: str) -> str | None:
        document = self._learned.get(sha)
        if document is not None:
            self._learned.move_to_end(sha)
        return document

    def _remember(self, cache: OrderedDict[str, str], sha: str, document: str) -> None:
        if self.cache_size <= 0:
            return
        cache[sha] = document
        cache.move_to_end(sha)
        while len(cache) > self.cache_size:
            cache.popitem(last=False)

    async def _require_registered(self, sha: str) -> None:
        if await self._registered_document(sha) is None:
            raise _not_registered()

    async def _registered_document(self, sha: str) -> str | None:
        document = self._registered.get(sha)
        if document is not None:
            return document
        try:
            async with self.sessions() as session:
                document = await find_operation(session, sha)
        except Exception as error:
            if is_transient(error):
                raise Refused(
                    503, UNAVAILABLE_MESSAGE, UNAVAILABLE_CODE, before_execution=False
                ) from error
            raise
        if document is not None:
            self._remember(self._registered, sha, document)
        return document


def _persisted_hash(extensions: dict[str, object] | None) -> str | None:
    """The sha256Hash of `extensions.persistedQuery` (version 1, the only one there is)."""
    if not extensions or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise Refused(
            400,
            "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}",
            INVALID,
            before_execution=False,
        )
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise Refused(
            400,
            "extensions.persistedQuery.sha256Hash must be 64 hex digits (sha256)",
            INVALID,
            before_execution=False,
        )
    return sha.lower()


def _not_registered() -> Refused:
    return Refused(
        400,
        "Only registered operations are accepted here (PERSISTED_QUERIES_ONLY); register the "
        "document with `trusthub operations register`.",
        NOT_REGISTERED,
    )
