"""Review rules: statuses of a review, claim expiry, SLA, who may review what."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from . import validators as v
from .enums import Role
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


def ensure_reviewer(role: Role) -> None:
    if role not in (Role.REVIEWER, Role.ADMIN):
        raise DomainError.single(ErrorCode.FORBIDDEN, "Only reviewers can do this.")


def ensure_independent(owner_sid: str, reviewer_sid: str, field: Sequence[str]) -> None:
    """Separation of duties: nobody reviews (or withdraws the approval of) a profile or trust
    product of their own account, whatever their role."""
    if owner_sid == reviewer_sid:
        raise DomainError.single(
            ErrorCode.FORBIDDEN,
            "You cannot review a profile or trust product of your own account; "
            "another reviewer must.",
            field,
        )


def first_approver(approvals: Sequence[dict[str, str]]) -> str | None:
    return approvals[0]["reviewer"] if approvals else None


def ensure_second_pair_of_eyes(
    approvals: Sequence[dict[str, str]], reviewer_sid: str, field: Sequence[str]
) -> None:
    """Four-eyes review: the approval awaiting confirmation is confirmed by someone else."""
    if first_approver(approvals) == reviewer_sid:
        raise DomainError.single(
            ErrorCode.FORBIDDEN,
            "You gave the first approval; a different reviewer must confirm it.",
            field,
        )


def joint_decider(first_sid: str, confirming_sid: str) -> str:
    """The actor of a four-eyes approval in the history: both reviewers, first approver first."""
    return f"{first_sid}+{confirming_sid}"


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
