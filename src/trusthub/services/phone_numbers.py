"""Phone numbers: assigned to a customer profile first, then to its trust products."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain import validators
from ..domain.errors import DomainError, ErrorCode
from ..models import CustomerProfile, PhoneNumber, ProductPhoneNumber, TrustProduct
from .actor import Actor
from .history import audit
from .products import get_product
from .profiles import ensure_not_revision, get_profile


@dataclass(frozen=True)
class Assignment:
    phone_number: str
    customer_profile: CustomerProfile | None
    trust_product: TrustProduct | None


NumberAction = Callable[..., Awaitable[Assignment]]


def parse_number(value: str, field: str = "phoneNumber") -> str:
    try:
        return validators.phone_e164(value)
    except ValueError as exc:
        raise DomainError.single(ErrorCode.INVALID_VALUE, f"{field} {exc}.", (field,)) from None


def _one_target(profile_sid: str | None, product_sid: str | None) -> None:
    if (profile_sid is None) == (product_sid is None):
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            "Give exactly one of customerProfileId and trustProductId.",
            ("customerProfileId",),
        )


async def _on_account(session: AsyncSession, account_sid: str, number: str) -> PhoneNumber | None:
    query = select(PhoneNumber).where(
        PhoneNumber.account_sid == account_sid, PhoneNumber.phone_number == number
    )
    return (await session.exec(query)).first()


async def assign(
    session: AsyncSession,
    actor: Actor,
    phone_number: str,
    *,
    customer_profile_sid: str | None = None,
    trust_product_sid: str | None = None,
) -> Assignment:
    _one_target(customer_profile_sid, trust_product_sid)
    number = parse_number(phone_number)
    if customer_profile_sid is not None:
        return await _assign_to_profile(session, actor, number, customer_profile_sid)
    assert trust_product_sid is not None
    return await _assign_to_product(session, actor, number, trust_product_sid)


async def _assign_to_profile(
    session: AsyncSession, actor: Actor, number: str, sid: str
) -> Assignment:
    profile = await get_profile(session, actor, sid, field=("customerProfileId",))
    ensure_not_revision(profile, ("customerProfileId",))
    existing = await _on_account(session, profile.account_sid, number)
    if existing is not None and existing.customer_profile_sid != profile.sid:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"{number} is assigned to customer profile {existing.customer_profile_sid}; "
            "unassign it there first.",
            ("phoneNumber",),
        )
    if existing is None:
        session.add(
            PhoneNumber(
                account_sid=profile.account_sid, phone_number=number, customer_profile_sid=sid
            )
        )
        audit(session, actor, account_sid=profile.account_sid, subject_sid=sid,
              action="assign_phone_number", fields=[number])  # fmt: skip
        await session.flush()
    return Assignment(number, profile, None)


async def _assign_to_product(
    session: AsyncSession, actor: Actor, number: str, sid: str
) -> Assignment:
    product = await get_product(session, actor, sid, field=("trustProductId",))
    on_account = await _on_account(session, product.account_sid, number)
    if on_account is None or on_account.customer_profile_sid != product.customer_profile_sid:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"Assign {number} to the product's customer profile "
            f"({product.customer_profile_sid}) before assigning it to the product.",
            ("phoneNumber",),
        )
    taken = (
        await session.exec(
            select(ProductPhoneNumber).where(
                ProductPhoneNumber.account_sid == product.account_sid,
                ProductPhoneNumber.phone_number == number,
                ProductPhoneNumber.product_kind == product.kind,
            )
        )
    ).first()
    if taken is not None and taken.trust_product_sid != product.sid:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"{number} is on {product.kind} product {taken.trust_product_sid} already; "
            f"a number has one {product.kind} product.",
            ("phoneNumber",),
        )
    if taken is None:
        session.add(
            ProductPhoneNumber(
                account_sid=product.account_sid,
                phone_number=number,
                trust_product_sid=product.sid,
                product_kind=product.kind,
            )
        )
        audit(session, actor, account_sid=product.account_sid, subject_sid=sid,
              action="assign_phone_number", fields=[number])  # fmt: skip
        await session.flush()
    return Assignment(number, None, product)


async def unassign(
    session: AsyncSession,
    actor: Actor,
    phone_number: str,
    *,
    customer_profile_sid: str | None = None,
    trust_product_sid: str | None = None,
) -> Assignment:
    """Remove a number from a product, or from a profile and every product of that profile."""
    _one_target(customer_profile_sid, trust_product_sid)
    number = parse_number(phone_number)
    if trust_product_sid is not None:
        product = await get_product(session, actor, trust_product_sid, field=("trustProductId",))
        deleted = await session.exec(
            sa.delete(ProductPhoneNumber).where(
                col(ProductPhoneNumber.trust_product_sid) == product.sid,
                col(ProductPhoneNumber.phone_number) == number,
            )
        )
        _ensure_removed(deleted.rowcount, number)
        return Assignment(number, None, product)
    assert customer_profile_sid is not None
    profile = await get_profile(session, actor, customer_profile_sid, field=("customerProfileId",))
    products = select(TrustProduct.sid).where(TrustProduct.customer_profile_sid == profile.sid)
    await session.exec(
        sa.delete(ProductPhoneNumber).where(
            col(ProductPhoneNumber.trust_product_sid).in_(products),
            col(ProductPhoneNumber.phone_number) == number,
        )
    )
    deleted = await session.exec(
        sa.delete(PhoneNumber).where(
            col(PhoneNumber.customer_profile_sid) == profile.sid,
            col(PhoneNumber.phone_number) == number,
        )
    )
    _ensure_removed(deleted.rowcount, number)
    return Assignment(number, profile, None)


def _ensure_removed(rowcount: int, number: str) -> None:
    if rowcount == 0:
        raise DomainError.single(
            ErrorCode.NOT_FOUND, f"{number} is not assigned there.", ("phoneNumber",)
        )
