from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow

_review_version = sa.Column("version", sa.Integer, nullable=False)


class Review(SQLModel, table=True):
    """One review of one submission (a resubmission opens a new review)."""

    __tablename__ = "review"
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _review_version}
    __table_args__ = (sa.Index("ix_review_queue", "status", "due_at"),)

    sid: str = Field(primary_key=True, max_length=34)
    account_sid: str = Field(foreign_key="account.sid", max_length=34, index=True)
    subject_sid: str = Field(max_length=34, index=True)
    subject_type: str = Field(max_length=32)
    status: str = Field(max_length=16)
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    due_at: datetime = Field(sa_column=ts_column())
    escalation_reason: str | None = Field(default=None, max_length=255)
    claimed_by: str | None = Field(default=None, max_length=34)
    claim_expires_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    outcome: str | None = Field(default=None, max_length=16)
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
    # "AC…" for one reviewer, "AC…+AC…" for a four-eyes approval (first approver + confirmer).
    decided_by: str | None = Field(default=None, max_length=128)
    decided_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    version: int = Field(default=1, sa_column=_review_version)
    # Human approvals given, in order: [{"reviewer": "AC…", "at": ISO 8601}].
    approvals: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
    # A first approval waits for a second, different reviewer (FOUR_EYES_REVIEW).
    awaiting_confirmation: bool = Field(default=False)
    # The purge run that replaced the reasons' messages (they may quote personal data).
    purge_run_id: int | None = None


class InboxMessage(SQLModel, table=True):
    """Messages a consumer has applied: the primary key makes a redelivery a no-op."""

    __tablename__ = "inbox_message"
    # Pruning picks the oldest rows through it (services/retention.py).
    __table_args__ = (sa.Index("ix_inbox_message_processed_at", "processed_at"),)

    consumer: str = Field(primary_key=True, max_length=32)
    message_id: str = Field(primary_key=True, max_length=64)
    processed_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    outcome: str = Field(default="applied", max_length=32)


class DeliveryAttempt(SQLModel, table=True):
    """Every attempt to deliver a notification (webhook or email): the delivery log."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        sa.Index("ix_delivery_attempt_subject", "subject_sid", "id"),
        sa.Index("ix_delivery_attempt_attempted_at", "attempted_at"),  # pruning
    )

    id: int | None = Field(default=None, primary_key=True)
    account_sid: str = Field(foreign_key="account.sid", max_length=34, index=True)
    subject_sid: str = Field(max_length=34)
    event_id: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=16)  # WEBHOOK | EMAIL
    target: str = Field(max_length=2048)
    attempt: int
    succeeded: bool
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=1024)
    duration_ms: int | None = None
    next_attempt_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
