"""Dataloaders: one batched query per related field per request, whatever the page size."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from ..db import SessionFactory
from ..domain.sids import is_sid
from ..models import (
    Account,
    AuditEntry,
    AuthorizedRepresentative,
    CustomerProfile,
    DeliveryAttempt,
    Evaluation,
    PhoneNumber,
    Policy,
    ProductPhoneNumber,
    RepresentativeVerification,
    Review,
    StatusChange,
    SupportingDocument,
    TrustProduct,
)
from ..models.rows import reader

M = TypeVar("M", bound=SQLModel)


_QUERIES: dict[tuple[type[SQLModel], str], Query] = {}


class Query:
    """`SELECT <model's columns> WHERE column IN (:keys) [ORDER BY order]` in SQLAlchemy Core,
    built once per process (building a statement and its cache key cost more than executing
    it), with the reader that turns its rows into read-only rows (`models.rows`)."""

    def __init__(self, model: type[SQLModel], column: Any, order: Any = None) -> None:
        self.reader = reader(model)
        where = self.reader.column(column.key).in_(sa.bindparam("keys", expanding=True))
        statement = self.reader.select().where(where)
        if order is not None:
            statement = statement.order_by(self.reader.column(order.key))
        self.statement = statement


def _query(model: type[M], column: Any, order: Any = None) -> Query:
    query = _QUERIES.get((model, column.key))
    if query is None:
        query = _QUERIES[(model, column.key)] = Query(model, column, order)
    return query


# A batch is one SELECT, so it needs no transaction: in autocommit the connection skips the
# BEGIN and ROLLBACK round trips (at READ COMMITTED the statement sees the same rows either way).
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


Fetch = Callable[[Query, Sequence[str]], Awaitable[Sequence[Any]]]


async def _reader(session: AsyncSession) -> AsyncSession:
    """The session with its connection taken in autocommit."""
    await session.connection(execution_options=AUTOCOMMIT)
    return session


async def _select(session: AsyncSession, query: Query, keys: Sequence[str]) -> Sequence[Any]:
    """One batch's SELECT, as read-only rows."""
    connection = await session.connection()
    return query.reader.rows(await connection.execute(query.statement, {"keys": list(keys)}))


def _fetcher(sessions: SessionFactory) -> Fetch:
    """Each batch on a pooled connection of its own, given back after its SELECT."""

    async def fetch(query: Query, keys: Sequence[str]) -> Sequence[Any]:
        async with sessions() as session:
            return await _select(await _reader(session), query, keys)

    return fetch


class SharedReads:
    """All of one HTTP request's dataloader batches on one pooled connection, in autocommit:
    taken by the first batch and given back when the request ends (`app.AuthGate`) — or
    before the request opens a session of its own (`sessions`), so that a request never
    holds a connection while it waits for another. Batches take turns on it. (Taking and giving
    back a connection per batch cost a read noticeably more CPU: bench/README.md.)
    Not for WebSocket connections, whose context lives as long as the connection."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._turn = asyncio.Lock()

    async def fetch(self, query: Query, keys: Sequence[str]) -> Sequence[Any]:
        async with self._turn:
            try:
                if self._session is None:
                    self._session = self._sessions()  # closed below if taking its connection fails
                    await _reader(self._session)
                return await _select(self._session, query, keys)
            except BaseException:
                await self._close()  # a failed connection is not kept for the next batch
                raise

    async def release(self) -> None:
        """Give the connection back to the pool (the next batch takes one again)."""
        async with self._turn:
            await self._close()

    async def _close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def sessions(self) -> _SessionAfterRelease:
        """The session factory for the request's resolvers: gives the batches' connection
        back first."""
        return _SessionAfterRelease(self)


class _SessionAfterRelease:
    def __init__(self, reads: SharedReads) -> None:
        self.reads = reads
        self.session: AsyncSession | None = None

    async def __aenter__(self) -> AsyncSession:
        await self.reads.release()
        self.session = self.reads._sessions()
        return await self.session.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        assert self.session is not None
        await self.session.__aexit__(*exc)


def _by_key(fetch: Fetch, model: type[M], column: Any) -> DataLoader[str, M | None]:
    query = _query(model, column)

    async def load(keys: Sequence[str]) -> list[M | None]:
        # An ID argument is loaded as sent: what is not a SID names no row (`is_sid`).
        wanted = [k for k in keys if is_sid(k)]
        rows = await fetch(query, wanted) if wanted else ()
        found = {getattr(r, column.key): r for r in rows}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _many_by_key(fetch: Fetch, model: type[M], column: Any, order: Any) -> DataLoader[str, list[M]]:
    query = _query(model, column, order)

    async def load(keys: Sequence[str]) -> list[list[M]]:
        rows = await fetch(query, keys)
        groups: dict[str, list[M]] = defaultdict(list)
        for r in rows:
            groups[getattr(r, column.key)].append(r)
        return [groups.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's dataloaders, each built on first use: a request touches two or three of
    them, and building all of them for every operation cost more than running the query."""

    def __init__(self, sessions: SessionFactory, reads: SharedReads | None = None) -> None:
        self.fetch = reads.fetch if reads is not None else _fetcher(sessions)

    @cached_property
    def profile(self) -> DataLoader[str, CustomerProfile | None]:
        return _by_key(self.fetch, CustomerProfile, CustomerProfile.sid)

    @cached_property
    def revisions_by_original(self) -> DataLoader[str, list[CustomerProfile]]:
        return _many_by_key(
            self.fetch,
            CustomerProfile,
            CustomerProfile.revision_of,
            col(CustomerProfile.created_at),
        )

    @cached_property
    def representative(self) -> DataLoader[str, AuthorizedRepresentative | None]:
        return _by_key(self.fetch, AuthorizedRepresentative, AuthorizedRepresentative.sid)

    @cached_property
    def representatives_by_profile(self) -> DataLoader[str, list[AuthorizedRepresentative]]:
        return _many_by_key(
            self.fetch,
            AuthorizedRepresentative,
            AuthorizedRepresentative.profile_sid,
            col(AuthorizedRepresentative.position),
        )

    @cached_property
    def verification_by_representative(
        self,
    ) -> DataLoader[str, RepresentativeVerification | None]:
        return _by_key(
            self.fetch, RepresentativeVerification, RepresentativeVerification.representative_sid
        )

    @cached_property
    def policy(self) -> DataLoader[str, Policy | None]:
        return _by_key(self.fetch, Policy, Policy.sid)

    @cached_property
    def history_by_subject(self) -> DataLoader[str, list[StatusChange]]:
        return _many_by_key(
            self.fetch, StatusChange, StatusChange.subject_sid, col(StatusChange.id)
        )

    @cached_property
    def audit_by_subject(self) -> DataLoader[str, list[AuditEntry]]:
        return _many_by_key(self.fetch, AuditEntry, AuditEntry.subject_sid, col(AuditEntry.id))

    @cached_property
    def evaluation(self) -> DataLoader[str, Evaluation | None]:
        return _by_key(self.fetch, Evaluation, Evaluation.sid)

    @cached_property
    def account(self) -> DataLoader[str, Account | None]:
        return _by_key(self.fetch, Account, Account.sid)

    @cached_property
    def review(self) -> DataLoader[str, Review | None]:
        return _by_key(self.fetch, Review, Review.sid)

    @cached_property
    def deliveries_by_subject(self) -> DataLoader[str, list[DeliveryAttempt]]:
        return _many_by_key(
            self.fetch, DeliveryAttempt, DeliveryAttempt.subject_sid, col(DeliveryAttempt.id)
        )

    @cached_property
    def product(self) -> DataLoader[str, TrustProduct | None]:
        return _by_key(self.fetch, TrustProduct, TrustProduct.sid)

    @cached_property
    def products_by_profile(self) -> DataLoader[str, list[TrustProduct]]:
        return _many_by_key(
            self.fetch,
            TrustProduct,
            TrustProduct.customer_profile_sid,
            col(TrustProduct.created_at),
        )

    @cached_property
    def numbers_by_profile(self) -> DataLoader[str, list[PhoneNumber]]:
        return _many_by_key(
            self.fetch,
            PhoneNumber,
            PhoneNumber.customer_profile_sid,
            col(PhoneNumber.phone_number),
        )

    @cached_property
    def numbers_by_product(self) -> DataLoader[str, list[ProductPhoneNumber]]:
        return _many_by_key(
            self.fetch,
            ProductPhoneNumber,
            ProductPhoneNumber.trust_product_sid,
            col(ProductPhoneNumber.phone_number),
        )

    @cached_property
    def documents_by_profile(self) -> DataLoader[str, list[SupportingDocument]]:
        return _many_by_key(
            self.fetch,
            SupportingDocument,
            SupportingDocument.profile_sid,
            col(SupportingDocument.created_at),
        )

    @cached_property
    def documents_by_product(self) -> DataLoader[str, list[SupportingDocument]]:
        return _many_by_key(
            self.fetch,
            SupportingDocument,
            SupportingDocument.trust_product_sid,
            col(SupportingDocument.created_at),
        )

    @cached_property
    def document(self) -> DataLoader[str, SupportingDocument | None]:
        return _by_key(self.fetch, SupportingDocument, SupportingDocument.sid)
