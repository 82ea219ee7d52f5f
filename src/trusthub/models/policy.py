from __future__ import annotations

from typing import Any

from sqlmodel import Field, SQLModel

from .base import json_column


class Policy(SQLModel, table=True):
    """A policy is data: the requirements an object must meet (seeded by migrations)."""

    __tablename__ = "policy"

    sid: str = Field(primary_key=True, max_length=34)
    code: str = Field(max_length=64, unique=True)
    friendly_name: str = Field(max_length=128)
    subject_type: str = Field(max_length=32)
    kind: str | None = Field(default=None, max_length=32)
    tier: str | None = Field(default=None, max_length=16)
    requirements: list[dict[str, Any]] = Field(sa_column=json_column())
