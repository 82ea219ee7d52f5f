"""What submitting any subject (profile or trust product) shares: the stored evaluation, the
checks every submit makes, and the one transaction that sends it for review."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel.ext.asyncio.session import AsyncSession

from ..config import Settings
from ..domain import lifecycle
from ..domain.enums import Status
from ..domain.errors import DomainError, ErrorCode, FieldError
from ..domain.evaluation import Outcome, ProfileFacts, evaluate
from ..domain.sids import SidPrefix, new_sid
from ..messaging.messages import ReviewRequested
from ..models import Evaluation, Policy
from ..models.base import utcnow
from .actor import Actor
from .history import record_transition
from .outbox import enqueue
from .reviews import open_review
from .subjects import Subject, subject_type_of


async def evaluate_subject(
    session: AsyncSession, subject: Subject, facts: ProfileFacts
) -> tuple[Outcome, Evaluation]:
    """Evaluate a subject against its policy (data) and store the result."""
    policy = await session.get(Policy, subject.policy_sid)
    assert policy is not None  # foreign key
    outcome = evaluate(policy.requirements, facts)
    return outcome, record_evaluation(session, subject, outcome)


def record_evaluation(session: AsyncSession, subject: Subject, outcome: Outcome) -> Evaluation:
    row = Evaluation(
        sid=new_sid(SidPrefix.EVALUATION),
        account_sid=subject.account_sid,
        subject_sid=subject.sid,
        policy_sid=subject.policy_sid,
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
    return row


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
    await record_transition(
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
