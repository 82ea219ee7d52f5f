"""A subject's status transition as one service: the history row, then the status-changed
event, both in the caller's transaction, so subscribers and webhooks see exactly the history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import Status, SubjectType
from ..messaging.messages import ReasonPayload, StatusChanged
from ..models import StatusChange
from .history import record_history
from .outbox import enqueue


async def transition(
    session: AsyncSession,
    *,
    account_sid: str,
    subject_sid: str,
    subject_type: SubjectType,
    previous: Status | None,
    status: Status,
    actor: str,
    reasons: Sequence[dict[str, Any]] = (),
    revision_sid: str | None = None,
) -> StatusChange:
    """Record the transition and publish it (through the outbox)."""
    change, sequence = await record_history(
        session,
        account_sid=account_sid,
        subject_sid=subject_sid,
        subject_type=subject_type,
        previous=previous,
        status=status,
        actor=actor,
        reasons=reasons,
        revision_sid=revision_sid,
    )
    publish_status_changed(session, change, sequence)
    return change


def publish_status_changed(session: AsyncSession, change: StatusChange, sequence: int) -> None:
    """The outbox row of the event that tells subscribers and webhooks about `change`."""
    enqueue(
        session,
        StatusChanged(
            subject_sid=change.subject_sid,
            subject_type=change.subject_type,
            account_sid=change.account_sid,
            previous_status=change.from_status,
            status=change.to_status,
            sequence=sequence,
            reasons=[ReasonPayload.model_validate(r) for r in change.reasons],
            occurred_at=change.at,
        ),
    )
