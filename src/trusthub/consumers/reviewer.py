"""The automated reviewer: takes a review request, starts the review, vets the subject and
publishes a decision or an escalation — all through the outbox, in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select

from ..db import SessionFactory
from ..domain.enums import Status
from ..domain.vetting import EscalationRules, Verdict, VettingInput, vet_profile
from ..messaging.messages import (
    DecisionMade,
    ReasonPayload,
    ReviewEscalated,
    ReviewRequested,
    ReviewStarted,
)
from ..models import Account, AuthorizedRepresentative, CustomerProfile
from ..services.outbox import enqueue
from ..services.reviews import AUTOMATED_REVIEWER, already_processed, mark_processed

CONSUMER = "reviewer"
_IDS = uuid.UUID("5f1c8e36-6a3c-4d5e-9a57-7b0f3c2d9e10")


def derived_id(review_sid: str, what: str) -> str:
    """Deterministic message ids: a review redelivered to another worker yields the same
    messages, which the decision consumer's inbox then applies once."""
    return uuid.uuid5(_IDS, f"{review_sid}:{what}").hex


@dataclass
class ReviewerDeps:
    sessions: SessionFactory
    rules: EscalationRules


async def handle_review_requested(message: ReviewRequested, deps: ReviewerDeps) -> None:
    async with deps.sessions() as session:
        if await already_processed(session, CONSUMER, message.message_id):
            return
        profile = await session.get(CustomerProfile, message.subject_sid)
        in_review = (Status.PENDING_REVIEW.value, Status.IN_REVIEW.value)
        if profile is None or profile.status not in in_review:
            mark_processed(session, CONSUMER, message.message_id, "dropped")
            await session.commit()
            return
        account = await session.get(Account, profile.account_sid)
        reps = await session.exec(
            select(AuthorizedRepresentative).where(
                col(AuthorizedRepresentative.profile_sid) == profile.sid
            )
        )
        result = vet_profile(
            VettingInput(
                profile=profile.model_dump(),
                representatives={r.position: r.model_dump() for r in reps.all()},
                sandbox=bool(account and account.sandbox),
            ),
            deps.rules,
        )
        review = message.review_sid
        enqueue(
            session,
            ReviewStarted(
                message_id=derived_id(review, "started"),
                review_sid=review,
                subject_sid=profile.sid,
                actor=AUTOMATED_REVIEWER,
            ),
        )
        if result.verdict is Verdict.ESCALATED:
            enqueue(
                session,
                ReviewEscalated(
                    message_id=derived_id(review, "escalated"),
                    review_sid=review,
                    subject_sid=profile.sid,
                    reason=result.escalation_reason or "escalated by rule",
                ),
            )
        else:
            enqueue(
                session,
                DecisionMade(
                    message_id=derived_id(review, "decision"),
                    decision_id=derived_id(review, "decision"),
                    review_sid=review,
                    subject_sid=profile.sid,
                    outcome="APPROVED" if result.verdict is Verdict.APPROVED else "REJECTED",
                    reasons=[
                        ReasonPayload(code=r.code.value, field=list(r.field), message=r.message)
                        for r in result.reasons
                    ],
                    decided_by=AUTOMATED_REVIEWER,
                ),
            )
        mark_processed(session, CONSUMER, message.message_id, result.verdict.value)
        await session.commit()
