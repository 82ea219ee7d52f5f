from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class RepresentativeVerification(SQLModel, table=True):
    """The latest request to an authorized representative to confirm that they act for the
    business: one row per representative, replaced by a new request. Only the SHA-256 of the
    link's token is kept (cleared once answered, so that a link works once)."""

    __tablename__ = "representative_verification"

    sid: str = Field(primary_key=True, max_length=34)
    account_sid: str = Field(foreign_key="account.sid", max_length=34, index=True)
    profile_sid: str = Field(max_length=34, index=True)
    # No foreign key: removing a representative removes its row in the same transaction.
    representative_sid: str = Field(max_length=34, unique=True)
    position: int
    email: str = Field(max_length=254)  # the address the link was sent to
    status: str = Field(max_length=16)
    token_hash: str | None = Field(default=None, max_length=64)
    review_sid: str | None = Field(default=None, max_length=34)  # asked by the reviewer rule
    requested_by: str = Field(max_length=64)
    requested_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column(index=True))
    responded_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    emailed_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
