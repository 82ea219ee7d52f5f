"""Review rules: statuses of a review, claim expiry, SLA."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from . import validators as v
from .errors import DomainError, ErrorCode, FieldError
from .fields import FieldSpec, Path, apply_changes


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


# -- a reviewer's reasons: free text the customer reads, in the app, webhooks and email --------

MAX_REASONS = 20
REASON_MESSAGE = v.text(1000)
REASON_FIELD = v.list_of(v.text(64), max_items=8, distinct=False)

ReasonText = tuple[list[str] | None, str]


def check_reasons(reasons: Sequence[ReasonText]) -> list[ReasonText]:
    """Each reason's field path and message, checked like every other free text (`text.py`)
    and returned cleaned; all errors at once, at `reasons.<index>.field|message`."""
    if len(reasons) > MAX_REASONS:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE, f"reasons must have at most {MAX_REASONS} items.", ("reasons",)
        )
    out: list[ReasonText] = []
    errors: list[FieldError] = []
    for i, (field, message) in enumerate(reasons):
        changes: dict[Path, Any] = {("message",): message}
        if field is not None:
            changes[("field",)] = field
        try:
            cleaned = apply_changes(_REASON_FIELDS, changes, {}, prefix=("reasons", str(i)))
        except DomainError as exc:
            errors += exc.errors
            continue
        out.append((cleaned.get("field"), cleaned["message"]))
    if errors:
        raise DomainError(errors)
    return out


_REASON_FIELDS: dict[Path, FieldSpec] = {
    ("message",): FieldSpec(("message",), "message", REASON_MESSAGE, clearable=False),
    ("field",): FieldSpec(("field",), "field", REASON_FIELD),
}
