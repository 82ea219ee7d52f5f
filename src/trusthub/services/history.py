"""History (status transitions) and audit (every edit), written beside the change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import Status, SubjectType
from ..models import AuditEntry, StatusChange
from ..models.base import utcnow
from . import txcache
from .actor import Actor


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


async def _next_sequence(session: AsyncSession, subject_sid: str) -> int:
    """The subject's next history sequence: its transitions are counted once per transaction
    and then followed in memory, so a transaction that moves a subject twice (IN_REVIEW, then
    the decision) counts once and needs no flush in between. Callers hold the subject's row
    lock (SELECT … FOR UPDATE), as every status change does."""
    counts = txcache.sequences(session)
    if subject_sid not in counts:
        # No flush first: pending rows of other tables do not change the count, and this
        # subject's own pending transitions are already in `counts`.
        with session.no_autoflush:
            earlier = await session.exec(
                select(func.count()).where(col(StatusChange.subject_sid) == subject_sid)
            )
        counts[subject_sid] = earlier.one()
    counts[subject_sid] += 1
    return counts[subject_sid]


async def record_history(
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
) -> tuple[StatusChange, int]:
    """Write the history row in the caller's transaction; returns it with the subject's history
    sequence, which a status-changed event carries (`transitions.transition`). Creation records
    only this: a new subject's DRAFT is no event."""
    sequence = await _next_sequence(session, subject_sid)
    change = StatusChange(
        account_sid=account_sid,
        subject_sid=subject_sid,
        subject_type=subject_type.value,
        from_status=previous.value if previous else None,
        to_status=status.value,
        actor=actor,
        reasons=list(reasons),
        revision_sid=revision_sid,
        at=utcnow(),
    )
    session.add(change)
    return change, sequence
