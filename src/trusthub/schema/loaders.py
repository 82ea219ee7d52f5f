"""Dataloaders: one batched query per related field per request, whatever the page size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import SQLModel, col, select
from strawberry.dataloader import DataLoader

from ..db import SessionFactory
from ..models import (
    Account,
    AuthorizedRepresentative,
    CustomerProfile,
    DeliveryAttempt,
    Evaluation,
    PhoneNumber,
    Policy,
    ProductPhoneNumber,
    Review,
    StatusChange,
    TrustProduct,
)

M = TypeVar("M", bound=SQLModel)


_QUERIES: dict[tuple[type[SQLModel], str], Any] = {}


def _query(model: type[M], column: Any, order: Any = None) -> Any:
    """`SELECT model WHERE column IN (:keys) [ORDER BY order]`, built once per process:
    building a statement (and its cache key) cost more than executing it."""
    query = _QUERIES.get((model, column.key))
    if query is None:
        query = select(model).where(col(column).in_(sa.bindparam("keys", expanding=True)))
        if order is not None:
            query = query.order_by(order)
        _QUERIES[(model, column.key)] = query
    return query


# A batch is one SELECT, so it needs no transaction: in autocommit the connection skips the
# BEGIN and ROLLBACK round trips (at READ COMMITTED the statement sees the same rows either way).
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


async def _fetch(sessions: SessionFactory, query: Any, keys: Sequence[str]) -> Sequence[Any]:
    async with sessions() as session:
        await session.connection(execution_options=AUTOCOMMIT)
        rows: Sequence[Any] = (await session.exec(query, params={"keys": list(keys)})).all()
    return rows


def _by_key(sessions: SessionFactory, model: type[M], column: Any) -> DataLoader[str, M | None]:
    query = _query(model, column)

    async def load(keys: Sequence[str]) -> list[M | None]:
        rows = await _fetch(sessions, query, keys)
        found = {getattr(r, column.key): r for r in rows}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _many_by_key(
    sessions: SessionFactory, model: type[M], column: Any, order: Any
) -> DataLoader[str, list[M]]:
    query = _query(model, column, order)

    async def load(keys: Sequence[str]) -> list[list[M]]:
        rows = await _fetch(sessions, query, keys)
        groups: dict[str, list[M]] = defaultdict(list)
        for r in rows:
            groups[getattr(r, column.key)].append(r)
        return [groups.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's dataloaders, each built on first use: a request touches two or three of
    them, and building all of them for every operation cost more than running the query."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    @cached_property
    def profile(self) -> DataLoader[str, CustomerProfile | None]:
        return _by_key(self.sessions, CustomerProfile, CustomerProfile.sid)

    @cached_property
    def representative(self) -> DataLoader[str, AuthorizedRepresentative | None]:
        return _by_key(self.sessions, AuthorizedRepresentative, AuthorizedRepresentative.sid)

    @cached_property
    def representatives_by_profile(self) -> DataLoader[str, list[AuthorizedRepresentative]]:
        return _many_by_key(
            self.sessions,
            AuthorizedRepresentative,
            AuthorizedRepresentative.profile_sid,
            col(AuthorizedRepresentative.position),
        )

    @cached_property
    def policy(self) -> DataLoader[str, Policy | None]:
        return _by_key(self.sessions, Policy, Policy.sid)

    @cached_property
    def history_by_subject(self) -> DataLoader[str, list[StatusChange]]:
        return _many_by_key(
            self.sessions, StatusChange, StatusChange.subject_sid, col(StatusChange.id)
        )

    @cached_property
    def evaluation(self) -> DataLoader[str, Evaluation | None]:
        return _by_key(self.sessions, Evaluation, Evaluation.sid)

    @cached_property
    def account(self) -> DataLoader[str, Account | None]:
        return _by_key(self.sessions, Account, Account.sid)

    @cached_property
    def review(self) -> DataLoader[str, Review | None]:
        return _by_key(self.sessions, Review, Review.sid)

    @cached_property
    def deliveries_by_subject(self) -> DataLoader[str, list[DeliveryAttempt]]:
        return _many_by_key(
            self.sessions, DeliveryAttempt, DeliveryAttempt.subject_sid, col(DeliveryAttempt.id)
        )

    @cached_property
    def product(self) -> DataLoader[str, TrustProduct | None]:
        return _by_key(self.sessions, TrustProduct, TrustProduct.sid)

    @cached_property
    def products_by_profile(self) -> DataLoader[str, list[TrustProduct]]:
        return _many_by_key(
            self.sessions,
            TrustProduct,
            TrustProduct.customer_profile_sid,
            col(TrustProduct.created_at),
        )

    @cached_property
    def numbers_by_profile(self) -> DataLoader[str, list[PhoneNumber]]:
        return _many_by_key(
            self.sessions,
            PhoneNumber,
            PhoneNumber.customer_profile_sid,
            col(PhoneNumber.phone_number),
        )

    @cached_property
    def numbers_by_product(self) -> DataLoader[str, list[ProductPhoneNumber]]:
        return _many_by_key(
            self.sessions,
            ProductPhoneNumber,
            ProductPhoneNumber.trust_product_sid,
            col(ProductPhoneNumber.phone_number),
        )
