"""Steps of the revision tests (no tests here): open a revision, submit it, decide its review
the way the decision consumer does, and read what the customer would read."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.fields import Path
from trusthub.messaging.messages import DecisionMade, ReasonPayload
from trusthub.models import AuditEntry, AuthorizedRepresentative, Review, StatusChange
from trusthub.services import profiles, reviews, revisions, submission

from ..conftest import Acct

REVIEWER = "reviewer:revisions"
REJECTION = [
    ReasonPayload(
        code="ADDRESS", field=["address", "street1"], message="The new office is not on record."
    )
]


async def revise(sessions: SessionFactory, owner: Acct, sid: str) -> str:
    async with sessions() as s:
        row = await revisions.revise_profile(s, owner.actor, sid)
        await s.commit()
    return row.sid


async def edit(sessions: SessionFactory, owner: Acct, sid: str, changes: dict[Path, Any]) -> None:
    async with sessions() as s:
        await profiles.update_profile(s, owner.actor, sid, changes)
        await s.commit()


async def submit(sessions: SessionFactory, owner: Acct, sid: str) -> None:
    async with sessions() as s:
        await submission.submit_profile(s, owner.actor, sid, accept_terms=True)
        await s.commit()


async def decide(
    sessions: SessionFactory,
    sid: str,
    outcome: str = "APPROVED",
    reasons: list[ReasonPayload] | None = None,
    message: DecisionMade | None = None,
) -> tuple[str, DecisionMade]:
    """Apply a decision on the subject's open review as the decision consumer does."""
    async with sessions() as s:
        if message is None:
            review = (
                await s.exec(
                    select(Review)
                    .where(Review.subject_sid == sid)
                    .order_by(col(Review.submitted_at).desc())
                )
            ).first()
            assert review is not None
            message = DecisionMade(
                review_sid=review.sid,
                subject_sid=sid,
                outcome=outcome,  # type: ignore[arg-type]
                reasons=reasons or [],
                decided_by=REVIEWER,
            )
        result = await reviews.apply_decision(s, message)
        await s.commit()
    return result, message


async def representatives_of(sessions: SessionFactory, sid: str) -> list[AuthorizedRepresentative]:
    async with sessions() as s:
        rows = await s.exec(
            select(AuthorizedRepresentative)
            .where(AuthorizedRepresentative.profile_sid == sid)
            .order_by(col(AuthorizedRepresentative.position))
        )
        return list(rows.all())


async def history_rows(sessions: SessionFactory, sid: str) -> list[StatusChange]:
    async with sessions() as s:
        rows = await s.exec(
            select(StatusChange)
            .where(StatusChange.subject_sid == sid)
            .order_by(col(StatusChange.id))
        )
        return list(rows.all())


async def audit_actions(sessions: SessionFactory, sid: str) -> list[tuple[str, list[str]]]:
    async with sessions() as s:
        rows = await s.exec(
            select(AuditEntry).where(AuditEntry.subject_sid == sid).order_by(col(AuditEntry.id))
        )
        return [(r.action, r.changed_fields) for r in rows.all()]
