"""Submitting for review: the checks every submit makes, the one transaction that sends a
subject (profile or trust product) for review, and the profile's submit use case."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ..config import Settings, get_settings
from ..domain import lifecycle
from ..domain.enums import BusinessIdentity, ProfileTier, Status
from ..domain.errors import DomainError, ErrorCode, FieldError
from ..domain.evaluation import Outcome
from ..messaging.messages import ReviewRequested
from ..models import CustomerProfile, Evaluation
from ..models.base import utcnow
from .actor import Actor
from .evaluations import evaluate_profile_row
from .outbox import enqueue
from .profiles import get_profile
from .reviews import open_review
from .subjects import Subject, subject_type_of
from .transitions import transition


def ensure_submittable(subject: Subject, *, accept_terms: bool) -> Status:
    current = Status(subject.status)
    if current not in lifecycle.SUBMITTABLE_STATUSES:
        raise DomainError.single(
            ErrorCode.LOCKED, f"It is {current.value} and cannot be submitted.", ("id",)
        )
    if not accept_terms:
        raise DomainError.single(
            ErrorCode.TERMS_NOT_ACCEPTED,
            "Submitting requires accepting the terms of service and privacy policy.",
            ("acceptTerms",),
        )
    return current


def ensure_compliant(outcome: Outcome) -> None:
    if outcome.failures:
        raise DomainError(
            [FieldError(ErrorCode.NONCOMPLIANT, f.field, f.message) for f in outcome.failures]
        )


async def send_for_review(
    session: AsyncSession,
    actor: Actor,
    subject: Subject,
    evaluation: Evaluation,
    settings: Settings,
) -> None:
    """DRAFT/REJECTED → PENDING_REVIEW: terms, history, a review, and its request in the outbox."""
    current = Status(subject.status)
    lifecycle.ensure_transition(current, Status.PENDING_REVIEW)
    subject_type = subject_type_of(subject)
    subject.status = Status.PENDING_REVIEW.value
    subject.terms_accepted_at = utcnow()
    subject.terms_version = settings.terms_version
    subject.reasons = []
    subject.updated_at = utcnow()
    await transition(
        session,
        account_sid=subject.account_sid,
        subject_sid=subject.sid,
        subject_type=subject_type,
        previous=current,
        status=Status.PENDING_REVIEW,
        actor=actor.name,
    )
    review = open_review(
        session, subject.account_sid, subject.sid, subject_type, sla_hours=settings.review_sla_hours
    )
    enqueue(
        session,
        ReviewRequested(
            review_sid=review.sid,
            subject_sid=subject.sid,
            subject_type=subject_type.value,
            account_sid=subject.account_sid,
            policy_sid=subject.policy_sid,
            evaluation_sid=evaluation.sid,
        ),
    )


async def submit_profile(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    *,
    accept_terms: bool,
    settings: Settings | None = None,
) -> CustomerProfile:
    """The submit mutation's use case. The profile row is locked first, so two submits of one
    profile cannot both pass the status check; a noncompliant profile changes nothing."""
    profile = await get_profile(session, actor, sid, for_update=True)
    ensure_submittable(profile, accept_terms=accept_terms)
    if profile.tier == ProfileTier.SECONDARY.value:
        await _ensure_primary_approved(session, profile)
    outcome, evaluation = await evaluate_profile_row(session, profile)
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
