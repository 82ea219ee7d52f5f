"""The automated reviewer: takes a review request, vets the subject and publishes a decision or
an escalation — through the outbox, in one transaction. Either message takes the subject
through IN_REVIEW when the decision consumer applies it, so no separate `review.started` is
sent: it would cost the consumer a transaction of its own for every review."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import SessionFactory
from ..domain.enums import Status
from ..domain.vetting import EscalationRules, Verdict, VettingInput, VettingResult, vet_profile
from ..domain.vetting.products import vet_product
from ..messaging.messages import (
    DecisionMade,
    ReasonPayload,
    ReviewEscalated,
    ReviewRequested,
)
from ..models import Account, AuthorizedRepresentative, CustomerProfile, TrustProduct
from ..services.outbox import enqueue
from ..services.reviews import AUTOMATED_REVIEWER, already_processed, mark_processed
from ..services.subjects import Subject, load_subject

CONSUMER = "reviewer"
_IDS = uuid.UUID("5f1c8e36-6a3c-4d5e-9a57-7b0f3c2d9e10")


def derived_id(review_sid: str, what: str) -> str:
    """Deterministic message ids: a review redelivered to another worker yields the same
    messages, which the decision consumer's inbox then applies once."""
    return uuid.uuid5(_IDS, f"{review_sid}:{what}").hex


SANDBOX_CACHE_SIZE = 10_000


@dataclass
class ReviewerDeps:
    sessions: SessionFactory
    rules: EscalationRules
    # An account's sandbox flag is set when it is created and never changes: ask once.
    sandbox: dict[str, bool] = field(default_factory=dict)

    async def is_sandbox(self, session: AsyncSession, account_sid: str) -> bool:
        if account_sid not in self.sandbox:
            if len(self.sandbox) >= SANDBOX_CACHE_SIZE:
                self.sandbox.clear()
            account = await session.get(Account, account_sid)
            self.sandbox[account_sid] = bool(account and account.sandbox)
        return self.sandbox[account_sid]


async def _vet(
    session: AsyncSession, subject: Subject, sandbox: bool, rules: EscalationRules
) -> VettingResult:
    if isinstance(subject, TrustProduct):
        profile = await session.get(CustomerProfile, subject.customer_profile_sid)
        siblings = await session.exec(
            select(TrustProduct).where(
                TrustProduct.customer_profile_sid == subject.customer_profile_sid,
                TrustProduct.sid != subject.sid,
            )
        )
        return vet_product(
            subject.model_dump(),
            profile.model_dump() if profile else {},
            [p.model_dump() for p in siblings.all()],
            sandbox=sandbox,
        )
    reps = await session.exec(
        select(AuthorizedRepresentative).where(
            col(AuthorizedRepresentative.profile_sid) == subject.sid
        )
    )
    return vet_profile(
        VettingInput(
            profile=subject.model_dump(),
            representatives={r.position: r.model_dump() for r in reps.all()},
            sandbox=sandbox,
        ),
        rules,
    )


async def handle_review_requested(message: ReviewRequested, deps: ReviewerDeps) -> None:
    async with deps.sessions() as session:
        if await already_processed(session, CONSUMER, message.message_id):
            return
        profile = await load_subject(session, message.subject_type, message.subject_sid)
        in_review = (Status.PENDING_REVIEW.value, Status.IN_REVIEW.value)
        if profile is None or profile.status not in in_review:
            mark_processed(session, CONSUMER, message.message_id, "dropped")
            await session.commit()
            return
        sandbox = await deps.is_sandbox(session, profile.account_sid)
        result = await _vet(session, profile, sandbox, deps.rules)
        review = message.review_sid
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
