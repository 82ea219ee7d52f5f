"""What reviews are about: a customer profile or a trust product. Both share the columns the
lifecycle, reviews and notifications use (status, reasons, account, names, callback)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import SubjectType
from ..domain.sids import is_sid
from ..models import CustomerProfile, TrustProduct
from . import txcache

Subject = CustomerProfile | TrustProduct


def subject_type_of(subject: Subject) -> SubjectType:
    if isinstance(subject, TrustProduct):
        return SubjectType.TRUST_PRODUCT
    return SubjectType.CUSTOMER_PROFILE


async def load_subject(
    session: AsyncSession, subject_type: str, sid: str, *, for_update: bool = False
) -> Subject | None:
    if not is_sid(sid):
        return None
    model = subject_model(subject_type)
    held = txcache.locked(session).get(sid) if for_update else None
    if isinstance(held, model):
        return held  # locked and loaded by this transaction
    if model is TrustProduct:
        products = select(TrustProduct).where(TrustProduct.sid == sid)
        products = products.with_for_update() if for_update else products
        return (await session.exec(products)).first()
    profiles = select(CustomerProfile).where(CustomerProfile.sid == sid)
    profiles = profiles.with_for_update() if for_update else profiles
    return (await session.exec(profiles)).first()


def subject_model(subject_type: str) -> type[CustomerProfile] | type[TrustProduct]:
    if SubjectType(subject_type) is SubjectType.TRUST_PRODUCT:
        return TrustProduct
    return CustomerProfile
