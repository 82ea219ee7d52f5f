from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow

_profile_version = sa.Column("version", sa.Integer, nullable=False)


class CustomerProfile(SQLModel, table=True):
    """A customer profile. Business, individual and address information are value blocks of the
    profile and stored in its row; representatives have their own table."""

    __tablename__ = "customer_profile"
    # Optimistic concurrency: a stale write raises StaleDataError (CONFLICT to the client).
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _profile_version}
    __table_args__ = (sa.Index("ix_customer_profile_account_created", "account_sid", "created_at"),)

    sid: str = Field(primary_key=True, max_length=34)
    account_sid: str = Field(foreign_key="account.sid", max_length=34)
    kind: str = Field(max_length=16)
    tier: str = Field(max_length=16)
    primary_profile_sid: str | None = Field(
        default=None, foreign_key="customer_profile.sid", max_length=34, index=True
    )
    # Set on a revision: the APPROVED profile whose data it replaces once approved.
    revision_of: str | None = Field(
        default=None, foreign_key="customer_profile.sid", max_length=34, index=True
    )
    policy_sid: str = Field(foreign_key="policy.sid", max_length=34)
    status: str = Field(max_length=16, index=True)
    friendly_name: str = Field(max_length=64)
    notification_email: str = Field(max_length=254)
    status_callback: str | None = Field(default=None, max_length=2048)
    # business information
    legal_name: str | None = Field(default=None, max_length=255)
    business_identity: str | None = Field(default=None, max_length=32)
    business_type: str | None = Field(default=None, max_length=32)
    business_industry: str | None = Field(default=None, max_length=32)
    registration_id_type: str | None = Field(default=None, max_length=16)
    registration_number: str | None = Field(default=None, max_length=64)
    regions_of_operation: list[str] | None = Field(
        default=None, sa_column=json_column(nullable=True)
    )
    website_url: str | None = Field(default=None, max_length=2048)
    social_media_profile_urls: list[str] | None = Field(
        default=None, sa_column=json_column(nullable=True)
    )
    # individual information
    first_name: str | None = Field(default=None, max_length=64)
    last_name: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    phone_number: str | None = Field(default=None, max_length=16)
    # address
    street1: str | None = Field(default=None, max_length=128)
    street2: str | None = Field(default=None, max_length=128)
    city: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=8)
    postal_code: str | None = Field(default=None, max_length=16)
    country: str | None = Field(default=None, max_length=2)
    # terms and review
    terms_version: str | None = Field(default=None, max_length=32)
    terms_accepted_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
    version: int = Field(default=1, sa_column=_profile_version)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # Set when its personal data (and its representatives') was purged, and by which run.
    purged_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    purge_run_id: int | None = None


class AuthorizedRepresentative(SQLModel, table=True):
    __tablename__ = "authorized_representative"
    __table_args__ = (
        sa.UniqueConstraint("profile_sid", "position", name="uq_representative_position"),
    )

    sid: str = Field(primary_key=True, max_length=34)
    account_sid: str = Field(foreign_key="account.sid", max_length=34)
    profile_sid: str = Field(foreign_key="customer_profile.sid", max_length=34, index=True)
    position: int
    first_name: str = Field(max_length=64)
    last_name: str = Field(max_length=64)
    email: str = Field(max_length=254)
    phone_number: str = Field(max_length=16)
    business_title: str = Field(max_length=64)
    job_position: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
