from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow


class PurgeRun(SQLModel, table=True):
    """One purge of personal data (scheduled, `trusthub purge`, or one profile's redaction on
    request): rows it purged carry its id, so history and reviews say which run emptied them.
    `finished_at` stays null when a run was interrupted; the next one carries on."""

    __tablename__ = "purge_run"

    id: int | None = Field(default=None, primary_key=True)
    trigger: str = Field(max_length=64)  # "schedule" | "cli" | "request:<profile SID>"
    dry_run: bool = Field(default=False)
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    started_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    finished_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
