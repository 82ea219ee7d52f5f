from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow


class Evaluation(SQLModel, table=True):
    """A stored evaluation result, so that `node(id: "EL…")` can read it back."""

    __tablename__ = "evaluation"

    sid: str = Field(primary_key=True, max_length=34)
    account_sid: str = Field(foreign_key="account.sid", max_length=34, index=True)
    subject_sid: str = Field(max_length=34, index=True)
    policy_sid: str = Field(foreign_key="policy.sid", max_length=34)
    status: str = Field(max_length=16)
    results: list[dict[str, Any]] = Field(sa_column=json_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
