"""The decision consumer: the only place a review's outcome reaches its subject. Idempotent
through the inbox (keyed by decision id); history and events in the same transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from ..db import SessionFactory
from ..messaging.messages import (
    ApprovalWithdrawn,
    DecisionMade,
    Message,
    ReviewEscalated,
    ReviewStarted,
)
from ..services import reviews

CONSUMER = "decisions"


@dataclass
class DecisionDeps:
    sessions: SessionFactory
    after_commit: Callable[[], None] = field(default=lambda: None)  # e.g. wake the relay
    # Messages about one subject are applied one at a time in this process (striped locks):
    # a review's start and its decision often arrive together. Across processes the row locks
    # (SELECT … FOR UPDATE) and the version counter do the same job.
    locks: tuple[asyncio.Lock, ...] = field(
        default_factory=lambda: tuple(asyncio.Lock() for _ in range(64))
    )

    def lock_for(self, subject_sid: str) -> asyncio.Lock:
        return self.locks[hash(subject_sid) % len(self.locks)]


def _key(message: Message) -> str:
    return message.decision_id if isinstance(message, DecisionMade) else message.message_id


async def handle_decision_message(message: Message, deps: DecisionDeps) -> None:
    subject = getattr(message, "subject_sid", "")
    async with deps.lock_for(subject):
        await _apply(message, deps)
    deps.after_commit()


async def _apply(message: Message, deps: DecisionDeps) -> None:
    async with deps.sessions() as session:
        key = _key(message)
        if await reviews.already_processed(session, CONSUMER, key):
            return
        if isinstance(message, DecisionMade):
            outcome = await reviews.apply_decision(session, message)
        elif isinstance(message, ReviewStarted):
            outcome = await reviews.start_review(session, message)
        elif isinstance(message, ReviewEscalated):
            outcome = await reviews.escalate(session, message)
        elif isinstance(message, ApprovalWithdrawn):
            outcome = await reviews.apply_withdrawal(session, message)
        else:
            outcome = "ignored"
        reviews.mark_processed(session, CONSUMER, key, outcome)
        await session.commit()
