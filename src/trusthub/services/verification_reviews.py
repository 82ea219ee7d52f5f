"""What a representative's answer (or its silence) does to the review that asked for it:
confirm → the automated reviewer vets again, decline → REJECTED with the representative's
reason, expiry → escalated to a human. All through the outbox, in the answer's transaction."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import ReasonCode
from ..domain.reviews import ReviewStatus
from ..domain.verification import VerificationStatus
from ..messaging.messages import DecisionMade, ReasonPayload, ReviewEscalated, ReviewRequested
from ..models import Evaluation, RepresentativeVerification
from .outbox import enqueue
from .reviews import AUTOMATED_REVIEWER, lock_review
from .subjects import load_subject

_IDS = uuid.UUID("0b6f9d4e-2c1a-4f3e-8d7b-5a9c1e2f3d40")

_REASON_CODES = {
    1: ReasonCode.AUTHORIZED_REPRESENTATIVE_1,
    2: ReasonCode.AUTHORIZED_REPRESENTATIVE_2,
}


def _message_id(row: RepresentativeVerification, what: str) -> str:
    """One id per request and outcome: a second pass over the same answer sends nothing new."""
    stamp = row.requested_at.isoformat()
    return uuid.uuid5(_IDS, f"{row.review_sid}:{row.sid}:{stamp}:{what}").hex


async def follow_review(session: AsyncSession, row: RepresentativeVerification) -> None:
    if row.review_sid is None:
        return  # asked by a person: the answer informs them, it decides nothing
    review = await lock_review(session, row.review_sid)
    if review is None or review.status == ReviewStatus.DECIDED.value:
        return
    if row.status == VerificationStatus.DECLINED.value:
        code = _REASON_CODES.get(row.position, ReasonCode.OTHER)
        message_id = _message_id(row, "declined")
        reason = ReasonPayload(
            code=code.value,
            field=["authorizedRepresentatives", str(row.position)],
            message=f"Authorized representative #{row.position} declined to confirm that they "
            "represent this business.",
        )
        enqueue(
            session,
            DecisionMade(
                message_id=message_id,
                decision_id=message_id,
                review_sid=review.sid,
                subject_sid=review.subject_sid,
                outcome="REJECTED",
                reasons=[reason],
                decided_by=AUTOMATED_REVIEWER,
            ),
        )
    elif row.status == VerificationStatus.EXPIRED.value:
        if review.status != ReviewStatus.PENDING.value:
            return  # a person holds it already
        enqueue(
            session,
            ReviewEscalated(
                message_id=_message_id(row, "expired"),
                review_sid=review.sid,
                subject_sid=review.subject_sid,
                reason=f"Authorized representative #{row.position} did not answer the "
                "verification request in time.",
            ),
        )
    elif row.status == VerificationStatus.CONFIRMED.value:
        await _vet_again(session, row)


async def _vet_again(session: AsyncSession, row: RepresentativeVerification) -> None:
    """Once no other representative of this review is still asked, the reviewer vets again."""
    await session.flush()  # answers given earlier in this transaction count
    waiting = await session.exec(
        select(RepresentativeVerification.sid).where(
            RepresentativeVerification.review_sid == row.review_sid,
            RepresentativeVerification.status == VerificationStatus.PENDING.value,
            RepresentativeVerification.sid != row.sid,
        )
    )
    if waiting.first() is not None or row.review_sid is None:
        return
    review = await lock_review(session, row.review_sid)
    profile = (
        await load_subject(session, review.subject_type, review.subject_sid) if review else None
    )
    if review is None or profile is None:
        return
    evaluation = await session.exec(
        select(Evaluation.sid)
        .where(Evaluation.subject_sid == profile.sid)
        .order_by(col(Evaluation.created_at).desc())
        .limit(1)
    )
    enqueue(
        session,
        ReviewRequested(
            message_id=_message_id(row, "confirmed"),
            review_sid=review.sid,
            subject_sid=profile.sid,
            subject_type=review.subject_type,
            account_sid=profile.account_sid,
            policy_sid=profile.policy_sid,
            evaluation_sid=evaluation.first() or "",
        ),
    )
