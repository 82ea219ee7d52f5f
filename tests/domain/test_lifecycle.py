"""The status lifecycle: transitions, locked and deletable statuses. Pure, no database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from trusthub.domain import lifecycle
from trusthub.domain.enums import Status
from trusthub.domain.errors import DomainError, ErrorCode

ALLOWED = {
    (Status.DRAFT, Status.PENDING_REVIEW),
    (Status.PENDING_REVIEW, Status.IN_REVIEW),
    (Status.IN_REVIEW, Status.APPROVED),
    (Status.IN_REVIEW, Status.REJECTED),
    (Status.REJECTED, Status.PENDING_REVIEW),
    (Status.APPROVED, Status.REJECTED),  # a reviewer withdraws an approval
}


def refusal(check: Callable[[], None]) -> list[ErrorCode]:
    """The codes a check raises, or [] when it passes."""
    try:
        check()
    except DomainError as exc:
        return [e.code for e in exc.errors]
    return []


def test_only_the_drawn_transitions_exist() -> None:
    # given every pair of statuses
    pairs = {(a, b) for a in Status for b in Status}
    # when each is asked about
    allowed = {(a, b) for a, b in pairs if lifecycle.can_transition(a, b)}
    # then exactly the lifecycle's arrows are allowed
    assert allowed == ALLOWED


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.DRAFT, Status.APPROVED),
        (Status.PENDING_REVIEW, Status.APPROVED),
        (Status.APPROVED, Status.DRAFT),
        (Status.APPROVED, Status.PENDING_REVIEW),
        (Status.DRAFT, Status.DRAFT),
    ],
)
def test_other_transitions_are_refused_as_locked(current: Status, target: Status) -> None:
    # given a move the lifecycle does not draw
    # when it is attempted
    with pytest.raises(DomainError) as caught:
        lifecycle.ensure_transition(current, target)
    # then it is refused as LOCKED at the status, naming both statuses
    [error] = caught.value.errors
    assert (error.code, error.field) == (ErrorCode.LOCKED, ("status",))
    assert current.value in error.message
    assert target.value in error.message


def test_drawn_transitions_pass() -> None:
    # given each allowed move, when it is checked, then nothing is raised
    for current, target in ALLOWED:
        lifecycle.ensure_transition(current, target)


def test_profiles_in_review_or_approved_are_locked_against_edits() -> None:
    # given every status
    # when an edit is checked
    found = {status: refusal(lambda s=status: lifecycle.ensure_editable(s)) for status in Status}
    # then exactly PENDING_REVIEW, IN_REVIEW and APPROVED refuse it as LOCKED
    assert {status for status, codes in found.items() if codes} == {
        Status.PENDING_REVIEW,
        Status.IN_REVIEW,
        Status.APPROVED,
    }
    assert all(codes in ([], [ErrorCode.LOCKED]) for codes in found.values())


@pytest.mark.parametrize(
    ("is_admin", "deletable"),
    [
        (False, {Status.DRAFT, Status.REJECTED}),
        (True, {Status.DRAFT, Status.REJECTED, Status.APPROVED}),
    ],
)
def test_who_may_delete_what(is_admin: bool, deletable: set[Status]) -> None:
    # given every status
    # when a delete is checked
    found = {
        status: refusal(lambda s=status: lifecycle.ensure_deletable(s, is_admin=is_admin))
        for status in Status
    }
    # then customers delete drafts and rejected profiles; admins approved ones too
    assert {status for status, codes in found.items() if not codes} == deletable
    assert all(codes in ([], [ErrorCode.LOCKED]) for codes in found.values())


def test_only_drafts_and_rejected_profiles_can_be_submitted() -> None:
    # given the submittable statuses, then they are exactly those with an arrow to PENDING_REVIEW
    assert {
        s for s in Status if lifecycle.can_transition(s, Status.PENDING_REVIEW)
    } == lifecycle.SUBMITTABLE_STATUSES
    assert {Status.DRAFT, Status.REJECTED} == lifecycle.SUBMITTABLE_STATUSES
