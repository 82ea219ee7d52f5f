"""Human review (reviewer role): the queue, claims and decisions, with separation of duties
(nobody reviews their own account's subjects) and, under FOUR_EYES_REVIEW, a second reviewer
confirming each approval. Decisions go through the outbox; the decision consumer applies them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.errors import DomainError, ErrorCode, not_found
from ..domain.reviews import (
    ReviewOutcome,
    ReviewStatus,
    effective_status,
    ensure_independent,
    ensure_reviewer,
    ensure_second_pair_of_eyes,
    first_approver,
    joint_decider,
)
from ..messaging.messages import DecisionMade, ReasonPayload
from ..models import Review
from ..models.base import utcnow
from .actor import Actor
from .outbox import enqueue
from .reviews import checked_reasons, lock_review


async def get_review(session: AsyncSession, actor: Actor, sid: str) -> Review:
    ensure_reviewer(actor.role)
    review = await lock_review(session, sid)
    if review is None:
        raise not_found(sid)
    return review


def _awaiting(review: Review) -> bool:
    return review.awaiting_confirmation and review.status != ReviewStatus.DECIDED.value


async def claim_review(
    session: AsyncSession, actor: Actor, sid: str, *, ttl_seconds: int
) -> Review:
    review = await get_review(session, actor, sid)
    ensure_independent(review.account_sid, actor.account_sid, ("id",))
    if _awaiting(review):
        ensure_second_pair_of_eyes(review.approvals, actor.account_sid, ("id",))
    now = utcnow()
    status = effective_status(review.status, review.claim_expires_at, now)
    mine = status is ReviewStatus.CLAIMED and review.claimed_by == actor.account_sid
    if status is not ReviewStatus.ESCALATED and not mine:
        held = "claimed by another reviewer" if status is ReviewStatus.CLAIMED else status.value
        raise DomainError.single(ErrorCode.LOCKED, f"The review is {held}.", ("id",))
    review.status = ReviewStatus.CLAIMED.value
    review.claimed_by = actor.account_sid
    review.claim_expires_at = now + timedelta(seconds=ttl_seconds)
    await session.flush()
    return review


@dataclass(frozen=True)
class HumanDecision:
    review_sid: str
    outcome: ReviewOutcome
    reasons: Sequence[ReasonPayload]


async def decide_review(
    session: AsyncSession, actor: Actor, decision: HumanDecision, *, four_eyes: bool
) -> Review:
    """Publish the decision (through the outbox) to the decisions queue the automated reviewer
    uses; the decision consumer applies it. With `four_eyes`, a first approval is only
    recorded: the review goes back to the queue until a different reviewer confirms it (then
    the decision names both) or rejects it. A rejection always applies at once."""
    review = await get_review(session, actor, decision.review_sid)
    ensure_independent(review.account_sid, actor.account_sid, ("reviewId",))
    status = effective_status(review.status, review.claim_expires_at, utcnow())
    if status is not ReviewStatus.CLAIMED or review.claimed_by != actor.account_sid:
        raise DomainError.single(
            ErrorCode.LOCKED, "Claim the review before deciding it.", ("reviewId",)
        )
    if decision.outcome is ReviewOutcome.REJECTED and not decision.reasons:
        raise DomainError.single(
            ErrorCode.REQUIRED, "A rejection needs at least one reason.", ("reasons",)
        )
    decided_by = actor.account_sid
    if decision.outcome is ReviewOutcome.APPROVED:
        confirming = _awaiting(review)
        if confirming:
            ensure_second_pair_of_eyes(review.approvals, actor.account_sid, ("reviewId",))
        review.approvals = [
            *review.approvals,
            {"reviewer": actor.account_sid, "at": utcnow().isoformat()},
        ]
        if confirming:
            decided_by = joint_decider(str(first_approver(review.approvals)), actor.account_sid)
        elif four_eyes:
            _await_confirmation(review)
            await session.flush()
            return review
    review.awaiting_confirmation = False
    enqueue(
        session,
        DecisionMade(
            review_sid=review.sid,
            subject_sid=review.subject_sid,
            outcome=decision.outcome.value,
            reasons=checked_reasons(decision.reasons),
            decided_by=decided_by,
        ),
    )
    await session.flush()
    return review


def _await_confirmation(review: Review) -> None:
    """Back to the queue, unclaimed, for a second reviewer."""
    review.awaiting_confirmation = True
    review.status = ReviewStatus.ESCALATED.value
    review.claimed_by = None
    review.claim_expires_at = None


async def review_queue(
    session: AsyncSession,
    actor: Actor,
    *,
    statuses: Sequence[ReviewStatus],
    first: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[Review], bool, int]:
    """Open reviews of every account, the most urgent first (keyset on due time, SID)."""
    ensure_reviewer(actor.role)
    now = utcnow()
    wanted = {s.value for s in statuses}
    conditions: list[Any] = [col(Review.status).in_(wanted)]
    if ReviewStatus.ESCALATED in statuses:
        # A lapsed claim is back in the queue.
        conditions = [
            col(Review.status).in_(wanted)
            | (
                (col(Review.status) == ReviewStatus.CLAIMED.value)
                & (col(Review.claim_expires_at) <= now)
            )
        ]
    total = (await session.exec(select(func.count()).select_from(Review).where(*conditions))).one()
    query = select(Review).where(*conditions)
    if after is not None:
        query = query.where(tuple_(col(Review.due_at), col(Review.sid)) > after)
    query = query.order_by(col(Review.due_at), col(Review.sid)).limit(first + 1)
    rows = list((await session.exec(query)).all())
    return rows[:first], len(rows) > first, int(total)
