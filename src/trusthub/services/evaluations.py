"""Evaluate a profile against its policy, and submit it for review."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..config import Settings, get_settings
from ..domain.enums import BusinessIdentity, ProfileTier, Status
from ..domain.errors import DomainError, ErrorCode
from ..domain.evaluation import Outcome, ProfileFacts
from ..models import AuthorizedRepresentative, CustomerProfile, Evaluation
from ..models.base import utcnow
from .actor import Actor
from .documents import document_facts
from .profiles import get_profile
from .submission import ensure_compliant, ensure_submittable, evaluate_subject, send_for_review


async def _facts(session: AsyncSession, profile: CustomerProfile) -> ProfileFacts:
    reps = await session.exec(
        select(AuthorizedRepresentative).where(
            col(AuthorizedRepresentative.profile_sid) == profile.sid
        )
    )
    primary = None
    if profile.primary_profile_sid:
        row = await session.get(CustomerProfile, profile.primary_profile_sid)
        primary = row.model_dump() if row else None
    return ProfileFacts(
        values=profile.model_dump(),
        representatives={r.position: r.model_dump() for r in reps.all()},
        primary=primary,
        documents=await document_facts(session, profile.sid),
        now=utcnow(),
    )


async def _evaluate(session: AsyncSession, profile: CustomerProfile) -> tuple[Outcome, Evaluation]:
    return await evaluate_subject(session, profile, await _facts(session, profile))


async def evaluate_profile(session: AsyncSession, actor: Actor, sid: str) -> Evaluation:
    profile = await get_profile(session, actor, sid)
    _, row = await _evaluate(session, profile)
    await session.flush()
    return row


async def submit_profile(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    *,
    accept_terms: bool,
    settings: Settings | None = None,
) -> CustomerProfile:
    profile = await get_profile(session, actor, sid, for_update=True)
    ensure_submittable(profile, accept_terms=accept_terms)
    if profile.tier == ProfileTier.SECONDARY.value:
        await _ensure_primary_approved(session, profile)
    outcome, evaluation = await _evaluate(session, profile)
    ensure_compliant(outcome)
    await send_for_review(session, actor, profile, evaluation, settings or get_settings())
    await session.flush()
    return profile


async def _ensure_primary_approved(session: AsyncSession, profile: CustomerProfile) -> None:
    primary = (
        await session.get(CustomerProfile, profile.primary_profile_sid)
        if profile.primary_profile_sid
        else None
    )
    if (
        primary is None
        or primary.status != Status.APPROVED.value
        or primary.business_identity != BusinessIdentity.ISV_RESELLER_OR_PARTNER.value
    ):
        raise DomainError.single(
            ErrorCode.PRIMARY_NOT_APPROVED,
            "A secondary profile can be submitted only once its primary profile is APPROVED "
            "and its business identity is ISV_RESELLER_OR_PARTNER.",
            ("primaryProfileId",),
        )
