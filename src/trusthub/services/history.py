"""History (status transitions) and audit (every edit), written beside the change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import Status, SubjectType
from ..messaging.messages import ReasonPayload, StatusChanged
from ..models import AuditEntry, StatusChange
from ..models.base import utcnow
from .actor import Actor
from .outbox import enqueue


def audit(
    session: AsyncSession,
    actor: Actor,
    *,
    account_sid: str,
    subject_sid: str,
    action: str,
    fields: Iterable[str] = (),
) -> None:
    session.add(
        AuditEntry(
            account_sid=account_sid,
            subject_sid=subject_sid,
            action=action,
            actor=actor.name,
            changed_fields=sorted(set(fields)),
        )
    )


async def record_transition(
    session: AsyncSession,
    *,
    account_sid: str,
    subject_sid: str,
    subject_type: SubjectType,
    previous: Status | None,
    status: Status,
    actor: str,
    reasons: Sequence[dict[str, Any]] = (),
    publish: bool = True,
) -> StatusChange:
    """Write the history row and (unless `publish` is off, as for creation) the status-changed
    event in the caller's transaction."""
    now = utcnow()
    earlier = await session.exec(
        select(func.count()).where(col(StatusChange.subject_sid) == subject_sid)
    )
    change = StatusChange(
        account_sid=account_sid,
        subject_sid=subject_sid,
        subject_type=subject_type.value,
        from_status=previous.value if previous else None,
        to_status=status.value,
        actor=actor,
        reasons=list(reasons),
        at=now,
    )
    session.add(change)
    if not publish:
        return change
    enqueue(
        session,
        StatusChanged(
            subject_sid=subject_sid,
            subject_type=subject_type.value,
            account_sid=account_sid,
            previous_status=previous.value if previous else None,
            status=status.value,
            sequence=earlier.one() + 1,
            reasons=[ReasonPayload.model_validate(r) for r in reasons],
            occurred_at=now,
        ),
    )
    return change
