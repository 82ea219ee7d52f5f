"""What reviews are about: a customer profile or a trust product. Both share the columns the
lifecycle, reviews and notifications use (status, reasons, account, names, callback)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import SubjectType
from ..models import CustomerProfile, TrustProduct

Subject = CustomerProfile | TrustProduct


def subject_type_of(subject: Subject) -> SubjectType:
    if isinstance(subject, TrustProduct):
        return SubjectType.TRUST_PRODUCT
    return SubjectType.CUSTOMER_PROFILE


async def load_subject(
    session: AsyncSession, subject_type: str, sid: str, *, for_update: bool = False
) -> Subject | None:
    if SubjectType(subject_type) is SubjectType.TRUST_PRODUCT:
        products = select(TrustProduct).where(TrustProduct.sid == sid)
        products = products.with_for_update() if for_update else products
        return (await session.exec(products)).first()
    profiles = select(CustomerProfile).where(CustomerProfile.sid == sid)
    profiles = profiles.with_for_update() if for_update else profiles
    return (await session.exec(profiles)).first()
