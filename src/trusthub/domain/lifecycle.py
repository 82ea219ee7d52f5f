"""The status lifecycle, written once: which transitions exist and what each status allows."""

from __future__ import annotations

from collections.abc import Iterable

from .enums import Status
from .errors import DomainError, ErrorCode, FieldError
from .fields import IN_PLACE_PROFILE_FIELDS, Path

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.PENDING_REVIEW}),
    Status.PENDING_REVIEW: frozenset({Status.IN_REVIEW}),
    Status.IN_REVIEW: frozenset({Status.APPROVED, Status.REJECTED}),
    # A reviewer may withdraw an approval (the decision consumer applies it): → REJECTED.
    Status.APPROVED: frozenset({Status.REJECTED}),
    Status.REJECTED: frozenset({Status.PENDING_REVIEW}),
}

LOCKED_STATUSES = frozenset({Status.PENDING_REVIEW, Status.IN_REVIEW, Status.APPROVED})
# Locked but not yet decided: what a redaction, a revision's deletion or a review waits for.
UNDER_REVIEW_STATUSES = frozenset({Status.PENDING_REVIEW, Status.IN_REVIEW})
DELETABLE_STATUSES = frozenset({Status.DRAFT, Status.REJECTED})
SUBMITTABLE_STATUSES = frozenset({Status.DRAFT, Status.REJECTED})


def status_values(statuses: Iterable[Status]) -> list[str]:
    """Stored values, in a stable order, for a SQL `IN` (the statement text stays cacheable)."""
    return sorted(s.value for s in statuses)


def can_transition(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


def ensure_transition(current: Status, target: Status) -> None:
    if not can_transition(current, target):
        raise DomainError.single(
            ErrorCode.LOCKED,
            f"A {current.value} object cannot move to {target.value}.",
            ("status",),
        )


def ensure_editable(current: Status) -> None:
    """Edits are refused while a profile is under review or approved."""
    if current in LOCKED_STATUSES:
        raise DomainError.single(
            ErrorCode.LOCKED,
            f"The object is {current.value} and cannot be edited.",
            ("status",),
        )


def ensure_profile_editable(current: Status, paths: Iterable[Path], *, is_revision: bool) -> None:
    """An APPROVED profile takes in-place edits of its name and notification targets; its
    reviewed data changes only through a revision (an applied revision is read-only)."""
    if current is not Status.APPROVED:
        ensure_editable(current)
        return
    if is_revision:
        raise DomainError.single(
            ErrorCode.LOCKED,
            "An approved revision is read-only; edit the profile it revised.",
            ("id",),
        )
    errors = [
        FieldError(
            ErrorCode.LOCKED,
            path,
            f"{'.'.join(path)} of an APPROVED profile changes through a revision: call "
            "reviseCustomerProfile, edit the revision and submit it.",
        )
        for path in paths
        if path not in IN_PLACE_PROFILE_FIELDS
    ]
    if errors:
        raise DomainError(errors)


def ensure_deletable(current: Status, *, is_admin: bool) -> None:
    if current in DELETABLE_STATUSES or (is_admin and current is Status.APPROVED):
        return
    raise DomainError.single(
        ErrorCode.LOCKED,
        f"A {current.value} object cannot be deleted; only DRAFT and REJECTED ones can.",
        ("status",),
    )
