"""Reviews: opened by a submit, started and decided through messages (human claims and
decisions are in `human_review`). Only `apply_decision` and `apply_withdrawal` (the decision
consumer's use cases) change a subject's outcome."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain import lifecycle
from ..domain.enums import Status, SubjectType
from ..domain.errors import DomainError, ErrorCode, not_found
from ..domain.reviews import (
    ReviewOutcome,
    ReviewStatus,
    check_reasons,
    due_at,
    ensure_independent,
    ensure_reviewer,
)
from ..domain.sids import SidPrefix, is_sid, new_sid
from ..messaging.messages import (
    ApprovalWithdrawn,
    DecisionMade,
    ReasonPayload,
    ReviewEscalated,
    ReviewStarted,
)
from ..models import CustomerProfile, InboxMessage, Review, StatusChange, TrustProduct
from ..models.base import utcnow
from . import txcache
from .actor import Actor
from .outbox import enqueue
from .revisions import apply_revision
from .subjects import Subject, load_subject, subject_model, subject_type_of
from .transitions import transition

AUTOMATED_REVIEWER = "reviewer:automated"
# The inbox names of the two consumers of the review pipeline (and of the sweeper's checks).
REVIEWER_INBOX = "reviewer"
DECISIONS_INBOX = "decisions"


def open_review(
    session: AsyncSession,
    account_sid: str,
    subject_sid: str,
    subject_type: SubjectType,
    *,
    sla_hours: float,
) -> Review:
    now = utcnow()
    review = Review(
        sid=new_sid(SidPrefix.REVIEW),
        account_sid=account_sid,
        subject_sid=subject_sid,
        subject_type=subject_type.value,
        status=ReviewStatus.PENDING.value,
        submitted_at=now,
        due_at=due_at(now, sla_hours),
    )
    session.add(review)
    return review


# -- the inbox: one effect per message ------------------------------------------------------


def mark_processed(session: AsyncSession, consumer: str, message_id: str, outcome: str) -> None:
    # The primary key (consumer, message_id) turns a concurrent duplicate into a failed commit.
    session.add(InboxMessage(consumer=consumer, message_id=message_id, outcome=outcome))


async def processed_of(
    session: AsyncSession, consumer: str, message_ids: Sequence[str]
) -> set[str]:
    """Which of these messages the consumer has applied already (one statement)."""
    if not message_ids:
        return set()
    rows = await session.exec(
        select(InboxMessage.message_id).where(
            InboxMessage.consumer == consumer, col(InboxMessage.message_id).in_(message_ids)
        )
    )
    return set(rows.all())


# -- applying messages (decision consumer) ---------------------------------------------------


async def lock_for_batch(
    session: AsyncSession, review_sids: Sequence[str], subjects: Sequence[tuple[str, str]]
) -> None:
    """Lock and load what a batch of decision messages touches, one statement per table instead
    of two per message: the reviews, then their subjects and the `(subject_type, sid)` ones
    given, each in SID order (so concurrent batches take their locks in one order), and the
    subjects' history counts. The use cases below then find them without another statement."""
    locked = txcache.locked(session)
    reviews = (
        await session.exec(
            select(Review)
            .where(col(Review.sid).in_(sorted(set(review_sids))))
            .order_by(col(Review.sid))
            .with_for_update()
        )
    ).all()
    locked.update((r.sid, r) for r in reviews)
    wanted: dict[type[CustomerProfile] | type[TrustProduct], set[str]] = {}
    for subject_type, sid in [*((r.subject_type, r.subject_sid) for r in reviews), *subjects]:
        wanted.setdefault(subject_model(subject_type), set()).add(sid)
    found: list[str] = []
    for model, sids in wanted.items():
        rows = await session.exec(
            select(model)
            .where(col(model.sid).in_(sorted(sids)))
            .order_by(col(model.sid))
            .with_for_update()
        )
        for row in rows.all():
            subject: Subject = row  # type: ignore[assignment]  # select(model) of a union
            locked[subject.sid] = subject
            found.append(subject.sid)
    if found:
        counts = await session.exec(
            select(StatusChange.subject_sid, func.count())
            .where(col(StatusChange.subject_sid).in_(found))
            .group_by(col(StatusChange.subject_sid))
        )
        sequences = txcache.sequences(session)
        sequences.update(dict.fromkeys(found, 0))
        sequences.update(dict(counts.all()))


async def _subject(session: AsyncSession, review: Review) -> Subject | None:
    return await load_subject(session, review.subject_type, review.subject_sid, for_update=True)


async def lock_review(session: AsyncSession, sid: str) -> Review | None:
    """The review, locked for this transaction (SELECT … FOR UPDATE), or None."""
    if not is_sid(sid):
        return None
    held = txcache.locked(session).get(sid)
    if isinstance(held, Review):
        return held  # locked and loaded by this transaction
    query = select(Review).where(Review.sid == sid).with_for_update()
    return (await session.exec(query)).first()


async def _move(
    session: AsyncSession,
    subject: Subject,
    target: Status,
    actor: str,
    reasons: Sequence[dict[str, Any]] = (),
) -> None:
    current = Status(subject.status)
    lifecycle.ensure_transition(current, target)
    subject.status = target.value
    subject.reasons = list(reasons)
    subject.updated_at = utcnow()
    await transition(
        session,
        account_sid=subject.account_sid,
        subject_sid=subject.sid,
        subject_type=subject_type_of(subject),
        previous=current,
        status=target,
        actor=actor,
        reasons=reasons,
    )


async def _begin(session: AsyncSession, subject: Subject, actor: str) -> bool:
    """PENDING_REVIEW → IN_REVIEW if not done yet; False if the subject is no longer in review."""
    if subject.status == Status.PENDING_REVIEW.value:
        await _move(session, subject, Status.IN_REVIEW, actor)
    return subject.status == Status.IN_REVIEW.value


async def start_review(session: AsyncSession, message: ReviewStarted) -> str:
    review = await lock_review(session, message.review_sid)
    subject = await _subject(session, review) if review else None
    if review is None or subject is None or review.status == ReviewStatus.DECIDED.value:
        return "dropped"
    return "applied" if await _begin(session, subject, message.actor) else "dropped"


async def escalate(session: AsyncSession, message: ReviewEscalated) -> str:
    review = await lock_review(session, message.review_sid)
    subject = await _subject(session, review) if review else None
    if review is None or subject is None or review.status != ReviewStatus.PENDING.value:
        return "dropped"
    if not await _begin(session, subject, AUTOMATED_REVIEWER):
        return "dropped"
    review.status = ReviewStatus.ESCALATED.value
    review.escalation_reason = message.reason[:255]
    return "applied"


async def apply_decision(session: AsyncSession, message: DecisionMade) -> str:
    """Apply a decision once; one for a subject no longer in review is recorded and dropped."""
    review = await lock_review(session, message.review_sid)
    subject = await _subject(session, review) if review else None
    if review is None or subject is None or review.status == ReviewStatus.DECIDED.value:
        return "dropped"
    if not await _begin(session, subject, message.decided_by):
        return "dropped"
    reasons = [r.model_dump() for r in message.reasons]
    await _move(session, subject, Status(message.outcome), message.decided_by, reasons)
    if (
        isinstance(subject, CustomerProfile)
        and subject.revision_of is not None
        and subject.status == Status.APPROVED.value
    ):
        await apply_revision(session, subject, message.decided_by)
    review.status = ReviewStatus.DECIDED.value
    review.outcome = message.outcome
    review.reasons = reasons
    review.decided_by = message.decided_by
    review.decided_at = message.decided_at
    review.claim_expires_at = None
    review.awaiting_confirmation = False
    return "applied"


def checked_reasons(reasons: Sequence[ReasonPayload]) -> list[ReasonPayload]:
    """A reviewer's reasons as `check_reasons` cleans them; a bad one is a DomainError."""
    cleaned = check_reasons([(r.field, r.message) for r in reasons])
    return [
        r.model_copy(update={"field": f, "message": m})
        for r, (f, m) in zip(reasons, cleaned, strict=True)
    ]


# -- withdrawing an approval --------------------------------------------------------------------

WITHDRAWN_PROFILE = (
    "The customer profile's approval was withdrawn; resubmit once it is approved again."
)


async def withdraw_approval(
    session: AsyncSession, actor: Actor, subject_sid: str, reasons: Sequence[ReasonPayload]
) -> Subject:
    """Publish the withdrawal (through the outbox); the decision consumer applies it."""
    ensure_reviewer(actor.role)
    # Profiles and trust products share the BU prefix: look in both.
    subject = await load_subject(session, SubjectType.CUSTOMER_PROFILE.value, subject_sid)
    subject = subject or await load_subject(session, SubjectType.TRUST_PRODUCT.value, subject_sid)
    if subject is None:
        raise not_found(subject_sid, ("subjectId",))
    ensure_independent(subject.account_sid, actor.account_sid, ("subjectId",))
    if isinstance(subject, CustomerProfile) and subject.revision_of is not None:
        raise DomainError.single(
            ErrorCode.LOCKED,
            f"{subject.sid} is a revision, applied to {subject.revision_of}: withdraw the "
            "approval of that profile.",
            ("subjectId",),
        )
    if subject.status != Status.APPROVED.value:
        raise DomainError.single(
            ErrorCode.LOCKED,
            f"Only an APPROVED subject can lose its approval, not a {subject.status} one.",
            ("subjectId",),
        )
    if not reasons:
        raise DomainError.single(ErrorCode.REQUIRED, "Say why: at least one reason.", ("reasons",))
    enqueue(
        session,
        ApprovalWithdrawn(
            subject_sid=subject.sid,
            subject_type=subject_type_of(subject).value,
            reasons=checked_reasons(reasons),
            decided_by=actor.account_sid,
        ),
    )
    return subject


async def apply_withdrawal(session: AsyncSession, message: ApprovalWithdrawn) -> str:
    subject = await load_subject(
        session, message.subject_type, message.subject_sid, for_update=True
    )
    if subject is None or subject.status != Status.APPROVED.value:
        return "dropped"
    reasons = [r.model_dump() for r in message.reasons]
    await _move(session, subject, Status.REJECTED, message.decided_by, reasons)
    if isinstance(subject, CustomerProfile):
        await _reject_products_of(session, subject, message.decided_by)
    return "applied"


async def _reject_products_of(session: AsyncSession, profile: CustomerProfile, actor: str) -> None:
    """Products follow their profile: under review or approved → REJECTED (DRAFT and REJECTED
    ones stay as they are); their open reviews are closed."""
    reason = {"code": "OTHER", "field": ["customerProfileId"], "message": WITHDRAWN_PROFILE}
    products = await session.exec(
        select(TrustProduct)
        .where(TrustProduct.customer_profile_sid == profile.sid)
        .where(col(TrustProduct.status).in_(lifecycle.status_values(lifecycle.LOCKED_STATUSES)))
        .with_for_update()
    )
    for product in products.all():
        await _begin(session, product, actor)
        await _move(session, product, Status.REJECTED, actor, [reason])
    open_reviews = await session.exec(
        select(Review).where(
            col(Review.subject_sid).in_(
                select(TrustProduct.sid).where(TrustProduct.customer_profile_sid == profile.sid)
            ),
            col(Review.status) != ReviewStatus.DECIDED.value,
        )
    )
    for review in open_reviews.all():
        review.status = ReviewStatus.DECIDED.value
        review.outcome = ReviewOutcome.REJECTED.value
        review.reasons = [reason]
        review.decided_by = actor
        review.decided_at = utcnow()
        review.awaiting_confirmation = False
