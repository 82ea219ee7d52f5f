"""The decision consumer: the only place a review's outcome reaches its subject. Idempotent
through the inbox (keyed by decision id); history and events in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..db import SessionFactory
from ..messaging.messages import DecisionMade, Message, ReviewEscalated, ReviewStarted
from ..services import reviews

CONSUMER = "decisions"


@dataclass
class DecisionDeps:
    sessions: SessionFactory
    after_commit: Callable[[], None] = field(default=lambda: None)  # e.g. wake the relay


def _key(message: Message) -> str:
    return message.decision_id if isinstance(message, DecisionMade) else message.message_id


async def handle_decision_message(message: Message, deps: DecisionDeps) -> None:
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
        else:
            outcome = "ignored"
        reviews.mark_processed(session, CONSUMER, key, outcome)
        await session.commit()
    deps.after_commit()
