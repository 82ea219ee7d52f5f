"""Dataloaders: one batched query per related field per request, whatever the page size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

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


def _by_key(sessions: SessionFactory, model: type[M], column: Any) -> DataLoader[str, M | None]:
    async def load(keys: Sequence[str]) -> list[M | None]:
        async with sessions() as session:
            rows = (await session.exec(select(model).where(col(column).in_(keys)))).all()
        found = {getattr(r, column.key): r for r in rows}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _many_by_key(
    sessions: SessionFactory, model: type[M], column: Any, order: Any
) -> DataLoader[str, list[M]]:
    async def load(keys: Sequence[str]) -> list[list[M]]:
        async with sessions() as session:
            query = select(model).where(col(column).in_(keys)).order_by(order)
            rows = (await session.exec(query)).all()
        groups: dict[str, list[M]] = defaultdict(list)
        for r in rows:
            groups[getattr(r, column.key)].append(r)
        return [groups.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    sessions: SessionFactory
    profile: DataLoader[str, CustomerProfile | None] = field(init=False)
    representative: DataLoader[str, AuthorizedRepresentative | None] = field(init=False)
    representatives_by_profile: DataLoader[str, list[AuthorizedRepresentative]] = field(init=False)
    policy: DataLoader[str, Policy | None] = field(init=False)
    history_by_subject: DataLoader[str, list[StatusChange]] = field(init=False)
    evaluation: DataLoader[str, Evaluation | None] = field(init=False)
    account: DataLoader[str, Account | None] = field(init=False)
    review: DataLoader[str, Review | None] = field(init=False)
    deliveries_by_subject: DataLoader[str, list[DeliveryAttempt]] = field(init=False)
    product: DataLoader[str, TrustProduct | None] = field(init=False)
    products_by_profile: DataLoader[str, list[TrustProduct]] = field(init=False)
    numbers_by_profile: DataLoader[str, list[PhoneNumber]] = field(init=False)
    numbers_by_product: DataLoader[str, list[ProductPhoneNumber]] = field(init=False)

    def __post_init__(self) -> None:
        s = self.sessions
        self.profile = _by_key(s, CustomerProfile, CustomerProfile.sid)
        self.representative = _by_key(s, AuthorizedRepresentative, AuthorizedRepresentative.sid)
        self.representatives_by_profile = _many_by_key(
            s,
            AuthorizedRepresentative,
            AuthorizedRepresentative.profile_sid,
            col(AuthorizedRepresentative.position),
        )
        self.policy = _by_key(s, Policy, Policy.sid)
        self.history_by_subject = _many_by_key(
            s, StatusChange, StatusChange.subject_sid, col(StatusChange.id)
        )
        self.evaluation = _by_key(s, Evaluation, Evaluation.sid)
        self.account = _by_key(s, Account, Account.sid)
        self.review = _by_key(s, Review, Review.sid)
        self.deliveries_by_subject = _many_by_key(
            s, DeliveryAttempt, DeliveryAttempt.subject_sid, col(DeliveryAttempt.id)
        )
        self.product = _by_key(s, TrustProduct, TrustProduct.sid)
        self.products_by_profile = _many_by_key(
            s, TrustProduct, TrustProduct.customer_profile_sid, col(TrustProduct.created_at)
        )
        self.numbers_by_profile = _many_by_key(
            s, PhoneNumber, PhoneNumber.customer_profile_sid, col(PhoneNumber.phone_number)
        )
        self.numbers_by_product = _many_by_key(
            s,
            ProductPhoneNumber,
            ProductPhoneNumber.trust_product_sid,
            col(ProductPhoneNumber.phone_number),
        )
