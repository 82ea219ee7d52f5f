"""The automated reviewer's use case: vet the subjects of review requests and answer each with
a decision or an escalation through the outbox, in the caller's transaction. Either message
takes the subject through IN_REVIEW when the decision consumer applies it, so no separate
`review.started` is sent: it would cost the consumer a transaction of its own for every review."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain import lifecycle
from ..domain.vetting import EscalationRules, Verdict, VettingInput, VettingResult, vet_profile
from ..domain.vetting.products import vet_product
from ..logs import bind
from ..messaging.messages import (
    DecisionMade,
    ReasonPayload,
    ReviewEscalated,
    ReviewRequested,
    ReviewStarted,
)
from ..models import Account, AuthorizedRepresentative, CustomerProfile, TrustProduct
from ..models.base import utcnow
from .documents import profiles_document_facts
from .outbox import enqueue
from .reviewer_verification import ask_representatives
from .reviews import AUTOMATED_REVIEWER, REVIEWER_INBOX, mark_processed, processed_of
from .subjects import Subject, subject_model
from .verifications import LinkKeys

INBOX = REVIEWER_INBOX
_IDS = uuid.UUID("5f1c8e36-6a3c-4d5e-9a57-7b0f3c2d9e10")
SANDBOX_CACHE_SIZE = 10_000

log = logging.getLogger(__name__)


def derived_id(review_sid: str, what: str) -> str:
    """Deterministic message ids: a review redelivered to another worker yields the same
    messages, which the decision consumer's inbox then applies once."""
    return uuid.uuid5(_IDS, f"{review_sid}:{what}").hex


@dataclass
class AutomatedReviewer:
    """The reviewer's settings and what it remembers between batches."""

    rules: EscalationRules
    # AUTO_VERIFY_REPRESENTATIVES: how to sign the links it asks for; None: the rule is off.
    verify: LinkKeys | None = None
    # An account's sandbox flag is set when it is created and never changes: ask once.
    sandbox: dict[str, bool] = field(default_factory=dict)

    async def is_sandbox(self, session: AsyncSession, account_sid: str) -> bool:
        if account_sid not in self.sandbox:
            if len(self.sandbox) >= SANDBOX_CACHE_SIZE:
                self.sandbox.clear()
            account = await session.get(Account, account_sid)
            self.sandbox[account_sid] = bool(account and account.sandbox)
        return self.sandbox[account_sid]

    async def review_requests(self, session: AsyncSession, messages: list[ReviewRequested]) -> None:
        """Review several requests, reading what they need one statement per table (the inbox,
        the subjects, the profiles' representatives and documents)."""
        done = await processed_of(session, INBOX, [m.message_id for m in messages])
        subjects = await _subjects(session, messages)
        profiles = [s.sid for s in subjects.values() if isinstance(s, CustomerProfile)]
        reps = await _representatives(session, profiles)
        documents = await profiles_document_facts(session, profiles)
        # The outbox and inbox rows go out in one flush at commit; no read needs them (`done`
        # stands in for the inbox).
        with session.no_autoflush:
            for message in messages:
                if message.message_id not in done:
                    done.add(message.message_id)
                    await self._review(
                        session,
                        message,
                        subjects.get(message.subject_sid),
                        reps.get(message.subject_sid, []),
                        documents.get(message.subject_sid, []),
                    )

    async def _review(
        self,
        session: AsyncSession,
        message: ReviewRequested,
        subject: Subject | None,
        reps: list[AuthorizedRepresentative],
        documents: list[dict[str, Any]],
    ) -> None:
        if subject is None or subject.status not in lifecycle.UNDER_REVIEW_STATUSES:
            mark_processed(session, INBOX, message.message_id, "dropped")
            return
        sandbox = await self.is_sandbox(session, subject.account_sid)
        ask = self.verify is not None
        result = await _vet(session, subject, sandbox, self.rules, reps, documents, ask)
        review = message.review_sid
        if (
            self.verify is not None
            and isinstance(subject, CustomerProfile)
            and result.verdict is Verdict.APPROVED
            and await ask_representatives(session, self.verify, subject, reps, review, sandbox)
        ):
            enqueue(session, ReviewStarted(message_id=derived_id(review, "verify"),
                                           review_sid=review, subject_sid=subject.sid,
                                           actor=AUTOMATED_REVIEWER))  # fmt: skip
            mark_processed(session, INBOX, message.message_id, "VERIFY")
            return
        enqueue(session, _answer(review, subject.sid, result))
        mark_processed(session, INBOX, message.message_id, result.verdict.value)
        # SIDs and codes only: the reasons' messages may quote what the customer entered.
        with bind(account_sid=subject.account_sid, subject_sid=subject.sid):
            log.info(
                "review %s of %s: %s (reasons: %s)",
                review,
                subject.sid,
                result.verdict.value,
                ",".join(r.code.value for r in result.reasons) or "none",
            )


def _answer(review: str, subject_sid: str, result: VettingResult) -> ReviewEscalated | DecisionMade:
    if result.verdict is Verdict.ESCALATED:
        return ReviewEscalated(
            message_id=derived_id(review, "escalated"),
            review_sid=review,
            subject_sid=subject_sid,
            reason=result.escalation_reason or "escalated by rule",
        )
    return DecisionMade(
        message_id=derived_id(review, "decision"),
        decision_id=derived_id(review, "decision"),
        review_sid=review,
        subject_sid=subject_sid,
        outcome="APPROVED" if result.verdict is Verdict.APPROVED else "REJECTED",
        reasons=[
            ReasonPayload(code=r.code.value, field=list(r.field), message=r.message)
            for r in result.reasons
        ],
        decided_by=AUTOMATED_REVIEWER,
    )


async def _vet(
    session: AsyncSession,
    subject: Subject,
    sandbox: bool,
    rules: EscalationRules,
    representatives: list[AuthorizedRepresentative],
    documents: list[dict[str, Any]],
    ask: bool = False,
) -> VettingResult:
    if isinstance(subject, TrustProduct):
        profile = await session.get(CustomerProfile, subject.customer_profile_sid)
        siblings = await session.exec(
            select(TrustProduct).where(
                TrustProduct.customer_profile_sid == subject.customer_profile_sid,
                TrustProduct.sid != subject.sid,
            )
        )
        return vet_product(
            subject.model_dump(),
            profile.model_dump() if profile else {},
            [p.model_dump() for p in siblings.all()],
            sandbox=sandbox,
        )
    return vet_profile(
        VettingInput(
            profile=subject.model_dump(),
            representatives={r.position: r.model_dump() for r in representatives},
            sandbox=sandbox,
            documents=documents,
            now=utcnow(),
            ask_representatives=ask,
        ),
        rules,
    )


async def _subjects(session: AsyncSession, messages: list[ReviewRequested]) -> dict[str, Subject]:
    wanted: dict[str, set[str]] = {}
    for message in messages:
        wanted.setdefault(message.subject_type, set()).add(message.subject_sid)
    found: dict[str, Subject] = {}
    for subject_type, sids in wanted.items():
        model = subject_model(subject_type)
        rows = await session.exec(select(model).where(col(model.sid).in_(sids)))
        for row in rows.all():
            subject: Subject = row  # type: ignore[assignment]  # select(model) of a union
            found[subject.sid] = subject
    return found


async def _representatives(
    session: AsyncSession, profiles: list[str]
) -> dict[str, list[AuthorizedRepresentative]]:
    reps: dict[str, list[AuthorizedRepresentative]] = {sid: [] for sid in profiles}
    if profiles:
        rows = await session.exec(
            select(AuthorizedRepresentative).where(
                col(AuthorizedRepresentative.profile_sid).in_(profiles)
            )
        )
        for rep in rows.all():
            reps[rep.profile_sid].append(rep)
    return reps
