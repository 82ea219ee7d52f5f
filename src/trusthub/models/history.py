from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow


class StatusChange(SQLModel, table=True):
    """One transition of a profile or trust product: its history."""

    __tablename__ = "status_change"
    __table_args__ = (sa.Index("ix_status_change_subject", "subject_sid", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_sid: str = Field(foreign_key="account.sid", max_length=34)
    subject_sid: str = Field(max_length=34)
    subject_type: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor: str = Field(max_length=128)  # room for a four-eyes "AC…+AC…"
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
    # The approved revision whose data this entry applied (APPROVED → APPROVED), else None.
    revision_sid: str | None = Field(default=None, max_length=34)
    # The purge run that replaced the reasons' messages (they may quote personal data).
    purge_run_id: int | None = None
    at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class AuditEntry(SQLModel, table=True):
    """Who changed which fields of which object, and when (every edit, not only transitions)."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_subject", "subject_sid", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_sid: str = Field(foreign_key="account.sid", max_length=34)
    subject_sid: str = Field(max_length=34)
    action: str = Field(max_length=32)
    actor: str = Field(max_length=64)
    changed_fields: list[str] = Field(default_factory=list, sa_column=json_column())
    at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
