from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class DeadLetter(SQLModel, table=True):
    """A message that left its queue for `<ns>.dead`, kept so that an operator can see why and
    replay it. `queue` is where it died; `exchange` and `routing_key` are how it got there."""

    __tablename__ = "dead_letter"
    __table_args__ = (sa.Index("ix_dead_letter_death", "message_id", "queue", "dead_at"),)

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(max_length=255, index=True)
    reason: str = Field(max_length=32)  # delivery_limit | rejected | expired | …
    exchange: str = Field(max_length=255)
    routing_key: str = Field(max_length=255)
    message_id: str = Field(max_length=128)
    message_type: str = Field(max_length=64)  # "undecodable" when the body is not a message
    subject_sid: str | None = Field(default=None, max_length=34)
    body: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    deliveries: int
    first_error: str | None = Field(default=None, max_length=1000)
    dead_at: datetime = Field(sa_column=ts_column())
    collected_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    replayed_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    replays: int = Field(default=0)


class ConsumerFailure(SQLModel, table=True):
    """The first error a consumer met handling a message (RabbitMQ does not carry it): copied
    into the message's dead letter if it dies, and removed then."""

    __tablename__ = "consumer_failure"

    queue: str = Field(primary_key=True, max_length=255)
    message_id: str = Field(primary_key=True, max_length=128)
    error: str = Field(max_length=1000)
    delivery_count: int
    failed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
