from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class Account(SQLModel, table=True):
    """A tenant. The API key is stored as a SHA-256 digest; the auth token and webhook secret are
    kept readable because outgoing callbacks are signed with them (rotation replaces them)."""

    __tablename__ = "account"

    sid: str = Field(primary_key=True, max_length=34)
    name: str = Field(max_length=128)
    role: str = Field(max_length=16)
    sandbox: bool = Field(default=False)
    api_key_hash: str = Field(max_length=64, unique=True, index=True)
    api_key_prefix: str = Field(max_length=16)
    auth_token: str = Field(max_length=64)
    webhook_secret: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # Set by `trusthub accounts close`: the account no longer authenticates, and its profiles'
    # personal data is purged RETENTION_DAYS_CLOSED later.
    closed_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
