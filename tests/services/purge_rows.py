"""A profile rejected the way a reviewer rejects it, with every trace the rejection leaves:
history and review reasons that quote a value, a delivery attempt to the notification address,
a dead letter of the decision. Purge tests check each trace afterwards."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.models import (
    AuditEntry,
    AuthorizedRepresentative,
    DeadLetter,
    DeliveryAttempt,
    Review,
    StatusChange,
)
from trusthub.models.base import utcnow

from ..conftest import Acct
from ..factories import BUSINESS, REPRESENTATIVE
from .helpers import create_complete, force

NUMBER = BUSINESS["registrationNumber"]
REASON = {
    "code": "BUSINESS_REGISTRATION_ID",
    "field": ["business", "registrationNumber"],
    "message": f"EIN {NUMBER} is not registered to Acme Communications Inc.",
}


async def rejected_profile(
    sessions: SessionFactory, owner: Acct, *, at: datetime | None = None
) -> str:
    """A complete profile, submitted and rejected at `at` (now by default)."""
    at = at or utcnow()
    sid = await create_complete(sessions, owner)
    async with sessions() as s:
        subject = {"account_sid": owner.sid, "subject_sid": sid, "subject_type": "CUSTOMER_PROFILE"}
        s.add_all(
            [
                StatusChange(**subject, from_status="DRAFT", to_status="PENDING_REVIEW",
                             actor=owner.sid, at=at),
                StatusChange(**subject, from_status="PENDING_REVIEW", to_status="REJECTED",
                             actor="automated", reasons=[REASON], at=at),
                Review(sid="RV" + sid[2:], account_sid=owner.sid, subject_sid=sid,
                       subject_type="CUSTOMER_PROFILE", status="DECIDED", due_at=at,
                       outcome="REJECTED", reasons=[REASON], decided_at=at),
                DeliveryAttempt(account_sid=owner.sid, subject_sid=sid, event_id="e1",
                                channel="EMAIL", target="ops@acme.example.com", attempt=1,
                                succeeded=False, error="550 ops@acme.example.com unknown",
                                attempted_at=at),
                DeadLetter(queue="trusthub.decisions", reason="delivery_limit",
                           exchange="trusthub.decisions", routing_key="decision.made",
                           message_id="m1", message_type="decision.made", subject_sid=sid,
                           body=json.dumps({"subject_sid": sid, "reasons": [REASON]}).encode(),
                           deliveries=5, dead_at=at),
            ]
        )  # fmt: skip
        await s.commit()
    await force(sessions, sid, Status.REJECTED, reasons=[REASON])
    return sid


async def traces(sessions: SessionFactory, sid: str) -> dict[str, str]:
    """Everything stored about `sid` outside its profile row, as text to search."""
    async with sessions() as s:
        found = {
            "status_change": [
                r.model_dump(mode="json")
                for r in (
                    await s.exec(
                        select(StatusChange)
                        .where(StatusChange.subject_sid == sid)
                        .order_by(col(StatusChange.id))
                    )
                )
            ],
            "review": [
                r.model_dump(mode="json")
                for r in (
                    await s.exec(
                        select(Review).where(Review.subject_sid == sid).order_by(col(Review.sid))
                    )
                )
            ],
            "delivery_attempt": [
                r.model_dump(mode="json")
                for r in (
                    await s.exec(select(DeliveryAttempt).where(DeliveryAttempt.subject_sid == sid))
                )
            ],
            "dead_letter": [
                r.body.decode()
                for r in (await s.exec(select(DeadLetter).where(DeadLetter.subject_sid == sid)))
            ],
        }
    return {table: json.dumps(rows) for table, rows in found.items()}


async def representatives_of(sessions: SessionFactory, sid: str) -> list[AuthorizedRepresentative]:
    async with sessions() as s:
        rows = await s.exec(
            select(AuthorizedRepresentative).where(AuthorizedRepresentative.profile_sid == sid)
        )
        return list(rows.all())


async def purge_entries(sessions: SessionFactory, sid: str) -> list[AuditEntry]:
    async with sessions() as s:
        rows = await s.exec(
            select(AuditEntry).where(
                AuditEntry.subject_sid == sid, col(AuditEntry.action) == "purge"
            )
        )
        return list(rows.all())


PERSONAL = (NUMBER, REPRESENTATIVE["email"], "ops@acme.example.com")
