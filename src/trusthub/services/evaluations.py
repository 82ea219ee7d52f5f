"""Evaluate a profile against its policy, and submit it for review."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..config import Settings, get_settings
from ..domain import lifecycle
from ..domain.enums import BusinessIdentity, ProfileTier, Status, SubjectType
from ..domain.errors import DomainError, ErrorCode, FieldError
from ..domain.evaluation import Outcome, ProfileFacts, evaluate
from ..domain.sids import SidPrefix, new_sid
from ..messaging.messages import ReviewRequested
from ..models import AuthorizedRepresentative, CustomerProfile, Evaluation, Policy
from ..models.base import utcnow
from .actor import Actor
from .history import record_transition
from .outbox import enqueue
from .profiles import get_profile, touch
from .reviews import open_review


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
    )


async def _evaluate(session: AsyncSession, profile: CustomerProfile) -> tuple[Outcome, Evaluation]:
    policy = await session.get(Policy, profile.policy_sid)
    assert policy is not None  # foreign key
    outcome = evaluate(policy.requirements, await _facts(session, profile))
    row = Evaluation(
        sid=new_sid(SidPrefix.EVALUATION),
        account_sid=profile.account_sid,
        subject_sid=profile.sid,
        policy_sid=policy.sid,
        status=outcome.status.value,
        results=[
            {
                "requirement": r.requirement,
                "passed": r.passed,
                "failures": [{**asdict(f), "field": list(f.field)} for f in r.failures],
            }
            for r in outcome.results
        ],
    )
    session.add(row)
    return outcome, row


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
    current = Status(profile.status)
    if current not in lifecycle.SUBMITTABLE_STATUSES:
        raise DomainError.single(
            ErrorCode.LOCKED, f"The profile is {current.value} and cannot be submitted.", ("id",)
        )
    if not accept_terms:
        raise DomainError.single(
            ErrorCode.TERMS_NOT_ACCEPTED,
            "Submitting requires accepting the terms of service and privacy policy.",
            ("acceptTerms",),
        )
    if profile.tier == ProfileTier.SECONDARY.value:
        await _ensure_primary_approved(session, profile)
    outcome, evaluation = await _evaluate(session, profile)
    if outcome.failures:
        raise DomainError(
            [FieldError(ErrorCode.NONCOMPLIANT, f.field, f.message) for f in outcome.failures]
        )
    lifecycle.ensure_transition(current, Status.PENDING_REVIEW)
    profile.status = Status.PENDING_REVIEW.value
    profile.terms_accepted_at = utcnow()
    settings = settings or get_settings()
    profile.terms_version = settings.terms_version
    profile.reasons = []
    touch(profile)
    await record_transition(
        session,
        account_sid=profile.account_sid,
        subject_sid=profile.sid,
        subject_type=SubjectType.CUSTOMER_PROFILE,
        previous=current,
        status=Status.PENDING_REVIEW,
        actor=actor.name,
    )
    review = open_review(session, profile, sla_hours=settings.review_sla_hours)
    enqueue(
        session,
        ReviewRequested(
            review_sid=review.sid,
            subject_sid=profile.sid,
            subject_type=SubjectType.CUSTOMER_PROFILE.value,
            account_sid=profile.account_sid,
            policy_sid=profile.policy_sid,
            evaluation_sid=evaluation.sid,
        ),
    )
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
