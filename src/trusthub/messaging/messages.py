"""Message contracts: versioned pydantic models, the only shapes that cross the broker.

`exchange` is the logical exchange (see `topology.py` for the real names); `routing_key()` says
which queue a message goes to."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ..models.base import utcnow

EVENTS = "events"
REVIEWS = "reviews"
DECISIONS = "decisions"
RETRY = "retry"


def _id() -> str:
    return uuid.uuid4().hex


class Message(BaseModel, ABC):
    model_config = ConfigDict(frozen=True)

    exchange: ClassVar[str]
    version: int = 1
    message_id: str = Field(default_factory=_id)

    @abstractmethod
    def routing_key(self) -> str: ...


class ReasonPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    field: list[str] | None = None
    message: str


class ReviewRequested(Message):
    """A subject was submitted; a reviewer worker vets it."""

    exchange: ClassVar[str] = REVIEWS
    type: Literal["review.requested"] = "review.requested"
    review_sid: str
    subject_sid: str
    subject_type: str
    account_sid: str
    policy_sid: str
    evaluation_sid: str
    submitted_at: datetime = Field(default_factory=utcnow)

    def routing_key(self) -> str:
        return "review.requested"


class ReviewEscalated(Message):
    """Automated vetting could not decide: a human must (the manual-review queue)."""

    exchange: ClassVar[str] = REVIEWS
    type: Literal["review.escalated"] = "review.escalated"
    review_sid: str
    subject_sid: str
    reason: str

    def routing_key(self) -> str:
        return "review.escalated"


class ReviewStarted(Message):
    """A reviewer picked the review up: the subject moves to IN_REVIEW."""

    exchange: ClassVar[str] = DECISIONS
    type: Literal["review.started"] = "review.started"
    review_sid: str
    subject_sid: str
    actor: str

    def routing_key(self) -> str:
        return "review.started"


class DecisionMade(Message):
    """APPROVED or REJECTED, by the automated reviewer or a human; applied once per decision_id."""

    exchange: ClassVar[str] = DECISIONS
    type: Literal["decision.made"] = "decision.made"
    decision_id: str = Field(default_factory=_id)
    review_sid: str
    subject_sid: str
    outcome: Literal["APPROVED", "REJECTED"]
    reasons: list[ReasonPayload] = Field(default_factory=list)
    decided_by: str
    decided_at: datetime = Field(default_factory=utcnow)

    def routing_key(self) -> str:
        return "decision.made"


class ApprovalWithdrawn(Message):
    """A reviewer withdraws an APPROVED subject's approval: it becomes REJECTED with the reasons,
    and a profile's trust products under review or approved follow it."""

    exchange: ClassVar[str] = DECISIONS
    type: Literal["approval.withdrawn"] = "approval.withdrawn"
    subject_sid: str
    subject_type: str
    reasons: list[ReasonPayload]
    decided_by: str
    decided_at: datetime = Field(default_factory=utcnow)

    def routing_key(self) -> str:
        return "approval.withdrawn"


class StatusChanged(Message):
    """A subject changed status: feeds subscriptions, webhooks and email. `sequence` numbers a
    subject's transitions so that consumers can restore their order."""

    exchange: ClassVar[str] = EVENTS
    type: Literal["status.changed"] = "status.changed"
    event_id: str = Field(default_factory=_id)
    subject_sid: str
    subject_type: str
    account_sid: str
    previous_status: str | None
    status: str
    sequence: int = 0
    reasons: list[ReasonPayload] = Field(default_factory=list)
    occurred_at: datetime = Field(default_factory=utcnow)

    def routing_key(self) -> str:
        return f"status.{self.subject_type.lower()}.{self.status.lower()}"


class RepresentativeVerificationChanged(Message):
    """A representative verification was requested (PENDING), answered or expired: feeds the
    reviewers' `representativeVerificationChanged` subscription, and a PENDING one is also the
    notifier's cue to email the link (the token is signed again there, never stored)."""

    exchange: ClassVar[str] = EVENTS
    type: Literal["verification.changed"] = "verification.changed"
    event_id: str = Field(default_factory=_id)
    verification_sid: str
    representative_sid: str
    profile_sid: str
    account_sid: str
    position: int
    previous_status: str
    status: str
    requested_at: datetime
    expires_at: datetime
    responded_at: datetime | None = None
    occurred_at: datetime = Field(default_factory=utcnow)

    @property
    def subject_sid(self) -> str:
        """The profile: what the delivery log files the verification email under."""
        return self.profile_sid

    def routing_key(self) -> str:
        return f"verification.{self.status.lower()}"


class WebhookRetry(Message):
    """A status callback to try again after `delay_ms` (through a delay queue). `attempt` counts
    every attempt of the event; `first_attempt` is where this series began (a replay of a
    given-up callback starts a new series, with `max attempts` of its own)."""

    exchange: ClassVar[str] = RETRY
    type: Literal["webhook.retry"] = "webhook.retry"
    event: StatusChanged
    attempt: int
    delay_ms: int
    first_attempt: int = 1

    def routing_key(self) -> str:
        return f"delay.{self.delay_ms}"


class EmailRetry(Message):
    """An email to try again after `delay_ms`, through the emails' own delay queues: a decision
    email (`StatusChanged`) or a representative's verification link."""

    exchange: ClassVar[str] = RETRY
    type: Literal["email.retry"] = "email.retry"
    event: Annotated[StatusChanged | RepresentativeVerificationChanged, Field(discriminator="type")]
    attempt: int
    delay_ms: int
    first_attempt: int = 1

    def routing_key(self) -> str:
        return f"email.delay.{self.delay_ms}"


RetryMessage = WebhookRetry | EmailRetry


AnyMessage = Annotated[
    ReviewRequested
    | ReviewEscalated
    | ReviewStarted
    | DecisionMade
    | ApprovalWithdrawn
    | StatusChanged
    | RepresentativeVerificationChanged
    | WebhookRetry
    | EmailRetry,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyMessage)


def dump(message: Message) -> dict[str, Any]:
    return message.model_dump(mode="json")


def encode(message: Message) -> bytes:
    return message.model_dump_json().encode()


def decode(body: bytes) -> Message:
    """Parse any message; raises pydantic.ValidationError (poison) on anything else."""
    message: Message = _ADAPTER.validate_json(body)
    return message
