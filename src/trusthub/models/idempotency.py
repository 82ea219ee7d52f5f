from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow

IN_PROGRESS = "IN_PROGRESS"
DONE = "DONE"


class IdempotencyKey(SQLModel, table=True):
    """A client's `Idempotency-Key` on a mutation: claimed by inserting this row (the unique
    account + key makes a second claim fail on both databases), then holding the first
    response so that a retry replays it instead of executing again."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        sa.UniqueConstraint("account_sid", "key", name="uq_idempotency_key_account_key"),
    )

    # Random, not a sequence: SQLite hands a deleted row's integer id to the next insert, and a
    # claim taken over must not be mistaken for the one it replaced.
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True, max_length=32)
    account_sid: str = Field(foreign_key="account.sid", ondelete="CASCADE", max_length=34)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)  # sha256 of the canonical request, hex
    state: str = Field(default=IN_PROGRESS, max_length=16)
    response_status: int | None = None
    response_content_type: str | None = Field(default=None, max_length=255)
    response_body: bytes | None = Field(
        default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column(index=True))
