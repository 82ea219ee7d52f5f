"""The decision consumer: the only place a review's outcome reaches its subject. Idempotent
through the inbox (keyed by decision id); history and events in the same transaction.

Messages are applied in batches (`runner.Batcher`: those that arrived while the previous batch
was being applied), one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import SessionFactory
from ..messaging.messages import (
    ApprovalWithdrawn,
    DecisionMade,
    Message,
    ReviewEscalated,
    ReviewStarted,
)
from ..metrics import observe_decision
from ..models.review import Review
from ..services import bulk_writes, reviews
from ..transient import DependencyGate
from .runner import Batcher

CONSUMER = reviews.DECISIONS_INBOX


@dataclass
class DecisionDeps:
    sessions: SessionFactory
    after_commit: Callable[[], None] = field(default=lambda: None)  # e.g. wake the relay


def _key(message: Message) -> str:
    return message.decision_id if isinstance(message, DecisionMade) else message.message_id


def _subject(message: Message) -> str:
    return str(getattr(message, "subject_sid", ""))


async def handle_decision_message(message: Message, deps: DecisionDeps) -> None:
    await handle_decision_batch([message], deps)


async def handle_decision_batch(messages: list[Message], deps: DecisionDeps) -> None:
    """Apply messages in one transaction. A subject's messages keep their order; reviews, then
    subjects, are locked (SELECT … FOR UPDATE) in SID order, so that two gateways' batches take
    their locks in the same order."""
    ordered = sorted(messages, key=_subject)  # stable
    async with deps.sessions() as session:
        applied = await reviews.processed_of(session, CONSUMER, [_key(m) for m in ordered])
        await reviews.lock_for_batch(
            session,
            [str(m.review_sid) for m in ordered if hasattr(m, "review_sid")],
            [(m.subject_type, m.subject_sid) for m in ordered if isinstance(m, ApprovalWithdrawn)],
        )
        # Every row this batch writes goes out at commit: the locked reviews and subjects it
        # changed in one UPDATE per table (`bulk_writes`, version checked), the rest in one
        # flush (multi-row INSERTs). The reads below never need them: `applied` stands in for
        # the inbox, the rows and history counts are in the session already.
        decided: list[Review] = []
        with session.no_autoflush:
            for message in ordered:
                await _apply(session, message, applied, decided)
            await bulk_writes.write_locked_rows(session)
        await session.commit()
    for review in decided:  # counted once committed: a failed batch is applied again
        if review.outcome and review.decided_at:
            observe_decision(review.outcome, review.submitted_at, review.decided_at)
    deps.after_commit()


async def _apply(
    session: AsyncSession, message: Message, applied: set[str], decided: list[Review]
) -> None:
    key = _key(message)
    if key in applied:
        return
    applied.add(key)
    if isinstance(message, DecisionMade):
        outcome = await reviews.apply_decision(session, message)
        review = await session.get(Review, message.review_sid)  # locked above: no query
        if outcome == "applied" and review is not None:
            decided.append(review)
    elif isinstance(message, ReviewStarted):
        outcome = await reviews.start_review(session, message)
    elif isinstance(message, ReviewEscalated):
        outcome = await reviews.escalate(session, message)
    elif isinstance(message, ApprovalWithdrawn):
        outcome = await reviews.apply_withdrawal(session, message)
    else:
        outcome = "ignored"
    reviews.mark_processed(session, CONSUMER, key, outcome)


def decision_batcher(
    deps: DecisionDeps, *, size: int = 64, gate: DependencyGate | None = None
) -> Batcher:
    """One batcher for both queues the consumer reads (automated and human decisions)."""

    async def batch(messages: list[Message]) -> None:
        await handle_decision_batch(messages, deps)

    async def one(message: Message) -> None:
        await handle_decision_message(message, deps)

    return Batcher(batch, one, name=CONSUMER, size=size, gate=gate)
