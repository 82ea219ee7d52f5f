from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow


class OutboxMessage(SQLModel, table=True):
    """A message to publish, written in the same transaction as the change that caused it.
    The relay publishes unsent rows with publisher confirms and stamps `sent_at` afterwards."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_unsent", "sent_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(default_factory=lambda: uuid.uuid4().hex, max_length=32, unique=True)
    exchange: str = Field(max_length=64)
    routing_key: str = Field(max_length=128)
    message_type: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=json_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    sent_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    attempts: int = Field(default=0)
    # The W3C trace context of the transaction that wrote the row (None when not traced): the
    # relay sends it on as the message's `traceparent` header.
    traceparent: str | None = Field(default=None, max_length=55)
