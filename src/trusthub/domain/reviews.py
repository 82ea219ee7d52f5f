"""Review rules: statuses of a review, claim expiry, SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class ReviewStatus(StrEnum):
    PENDING = "PENDING"  # with the automated reviewer
    ESCALATED = "ESCALATED"  # waiting for a human
    CLAIMED = "CLAIMED"  # a human holds it
    DECIDED = "DECIDED"


class ReviewOutcome(StrEnum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


def effective_status(status: str, claim_expires_at: datetime | None, now: datetime) -> ReviewStatus:
    """A lapsed claim puts the review back in the queue, without any job having to run."""
    current = ReviewStatus(status)
    if current is ReviewStatus.CLAIMED and claim_expires_at is not None and claim_expires_at <= now:
        return ReviewStatus.ESCALATED
    return current


def due_at(submitted_at: datetime, sla_hours: float) -> datetime:
    return submitted_at + timedelta(hours=sla_hours)


def is_breached(due: datetime, decided_at: datetime | None, now: datetime) -> bool:
    return (decided_at or now) > due
