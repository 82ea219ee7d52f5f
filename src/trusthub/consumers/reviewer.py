"""The automated reviewer's consumer: review requests in batches (`runner.Batcher`), one
transaction per batch; the review itself is `services/automated_review.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..config import Settings
from ..db import SessionFactory
from ..domain.vetting import EscalationRules
from ..messaging.messages import Message, ReviewRequested
from ..services.automated_review import INBOX, AutomatedReviewer
from ..services.verifications import LinkKeys, link_keys
from ..transient import DependencyGate
from .runner import Batcher

CONSUMER = INBOX


@dataclass
class ReviewerDeps:
    sessions: SessionFactory
    rules: EscalationRules
    # AUTO_VERIFY_REPRESENTATIVES: how to sign the links it asks for; None: the rule is off.
    verify: LinkKeys | None = None
    after_commit: Callable[[], None] = field(default=lambda: None)  # e.g. wake the relay
    reviewer: AutomatedReviewer = field(init=False)

    def __post_init__(self) -> None:
        self.reviewer = AutomatedReviewer(self.rules, self.verify)

    @classmethod
    def from_settings(
        cls, sessions: SessionFactory, s: Settings, after_commit: Callable[[], None]
    ) -> ReviewerDeps:
        rules = EscalationRules(
            escalate_isv_primary=s.escalate_isv_primary,
            escalate_industries=frozenset(s.escalate_industries),
            escalate_regions=frozenset(s.escalate_regions),
        )
        verify = link_keys(s) if s.auto_verify_representatives else None
        return cls(sessions, rules, verify, after_commit)


async def handle_review_batch(messages: list[ReviewRequested], deps: ReviewerDeps) -> None:
    async with deps.sessions() as session:
        await deps.reviewer.review_requests(session, messages)
        await session.commit()
    deps.after_commit()


def review_batcher(
    deps: ReviewerDeps, *, size: int = 64, gate: DependencyGate | None = None
) -> Batcher:
    """The reviewer's batcher; anything but a review request on its queue is ignored."""

    async def batch(messages: list[Message]) -> None:
        await handle_review_batch([m for m in messages if isinstance(m, ReviewRequested)], deps)

    async def one(message: Message) -> None:
        await batch([message])

    return Batcher(batch, one, name="reviewer", size=size, gate=gate)
