"""Which SHAKEN/STIR attestation a call from a number gets, for the caller's account."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.attestation import Attestation, AttestationFacts, attest
from ..domain.enums import ProfileKind, ProfileTier, Status
from ..domain.products import TrustProductKind
from ..models import CustomerProfile, PhoneNumber, ProductPhoneNumber, TrustProduct
from .actor import Actor
from .phone_numbers import parse_number


async def attestation_for(
    session: AsyncSession, actor: Actor, phone_number: str
) -> tuple[str, Attestation]:
    """The number in E.164 form and its attestation."""
    number = parse_number(phone_number)
    account = actor.account_sid
    assigned = (
        await session.exec(
            select(PhoneNumber).where(
                PhoneNumber.account_sid == account, PhoneNumber.phone_number == number
            )
        )
    ).first()
    profile = (
        await session.get(CustomerProfile, assigned.customer_profile_sid) if assigned else None
    )
    shaken = (
        await session.exec(
            select(TrustProduct)
            .join(ProductPhoneNumber, col(ProductPhoneNumber.trust_product_sid) == TrustProduct.sid)
            .where(
                ProductPhoneNumber.account_sid == account,
                ProductPhoneNumber.phone_number == number,
                ProductPhoneNumber.product_kind == TrustProductKind.SHAKEN_STIR.value,
            )
        )
    ).first()
    approved_primary = (
        await session.exec(
            select(CustomerProfile.sid).where(
                CustomerProfile.account_sid == account,
                CustomerProfile.status == Status.APPROVED.value,
                CustomerProfile.tier == ProfileTier.PRIMARY.value,
                CustomerProfile.kind == ProfileKind.BUSINESS.value,
            )
        )
    ).first()
    approved_shaken = (
        await session.exec(
            select(TrustProduct.sid).where(
                TrustProduct.account_sid == account,
                TrustProduct.kind == TrustProductKind.SHAKEN_STIR.value,
                TrustProduct.status == Status.APPROVED.value,
            )
        )
    ).first()
    return number, attest(
        AttestationFacts(
            phone_number=number,
            profile=profile.model_dump() if profile else None,
            shaken_product=shaken.model_dump() if shaken else None,
            has_approved_primary=approved_primary is not None,
            has_approved_shaken=approved_shaken is not None,
        )
    )
