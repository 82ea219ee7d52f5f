"""Message contracts: versioned pydantic models, the only shapes that cross the broker."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models.base import utcnow

EVENTS_EXCHANGE = "trusthub.events"
REVIEWS_EXCHANGE = "trusthub.reviews"


class Message(BaseModel, ABC):
    model_config = ConfigDict(frozen=True)

    exchange: ClassVar[str]
    version: int = 1
    message_id: str = Field(default_factory=lambda: uuid.uuid4().hex)

    @abstractmethod
    def routing_key(self) -> str: ...


class ReasonPayload(BaseModel):
    code: str
    field: list[str] | None = None
    message: str


class ReviewRequested(Message):
    """A subject was submitted; a reviewer worker should vet it."""

    exchange: ClassVar[str] = REVIEWS_EXCHANGE
    type: Literal["review.requested"] = "review.requested"
    subject_sid: str
    subject_type: str
    account_sid: str
    policy_sid: str
    evaluation_sid: str
    submitted_at: datetime = Field(default_factory=utcnow)

    def routing_key(self) -> str:
        return f"review.requested.{self.subject_type.lower()}"


class StatusChanged(Message):
    """A subject changed status: feeds subscriptions, webhooks and email."""

    exchange: ClassVar[str] = EVENTS_EXCHANGE
    type: Literal["status.changed"] = "status.changed"
    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    subject_sid: str
    subject_type: str
    account_sid: str
    previous_status: str | None
    status: str
    reasons: list[ReasonPayload] = Field(default_factory=list)
    occurred_at: datetime = Field(default_factory=utcnow)

    def routing_key(self) -> str:
        return f"status.{self.subject_type.lower()}.{self.status.lower()}"


def dump(message: Message) -> dict[str, Any]:
    return message.model_dump(mode="json")
