from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow

_product_version = sa.Column("version", sa.Integer, nullable=False)


class TrustProduct(SQLModel, table=True):
    """A trust product (SHAKEN/STIR, A2P messaging, CNAM, voice integrity, branded calling) for
    one customer profile. Each kind's typed fields are columns (null for the other kinds)."""

    __tablename__ = "trust_product"
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _product_version}
    __table_args__ = (sa.Index("ix_trust_product_account_created", "account_sid", "created_at"),)

    sid: str = Field(primary_key=True, max_length=34)
    account_sid: str = Field(foreign_key="account.sid", max_length=34)
    customer_profile_sid: str = Field(foreign_key="customer_profile.sid", max_length=34, index=True)
    kind: str = Field(max_length=32)
    policy_sid: str = Field(foreign_key="policy.sid", max_length=34)
    status: str = Field(max_length=16, index=True)
    friendly_name: str = Field(max_length=64)
    notification_email: str = Field(max_length=254)
    status_callback: str | None = Field(default=None, max_length=2048)
    # A2P messaging
    a2p_company_type: str | None = Field(default=None, max_length=16)
    a2p_stock_exchange: str | None = Field(default=None, max_length=16)
    a2p_stock_ticker: str | None = Field(default=None, max_length=10)
    a2p_brand_contact_email: str | None = Field(default=None, max_length=254)
    a2p_daily_message_volume: int | None = Field(default=None, sa_type=sa.BigInteger)
    # CNAM
    cnam_display_name: str | None = Field(default=None, max_length=15)
    # voice integrity
    vi_use_case: str | None = Field(default=None, max_length=32)
    vi_employee_count: int | None = None
    vi_daily_call_volume: int | None = Field(default=None, sa_type=sa.BigInteger)
    # branded calling
    bc_display_name: str | None = Field(default=None, max_length=32)
    bc_long_display_name: str | None = Field(default=None, max_length=64)
    bc_call_purpose: str | None = Field(default=None, max_length=32)
    bc_call_reason: str | None = Field(default=None, max_length=64)
    # terms and review
    terms_version: str | None = Field(default=None, max_length=32)
    terms_accepted_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
    version: int = Field(default=1, sa_column=_product_version)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class PhoneNumber(SQLModel, table=True):
    """An E.164 number assigned to a customer profile (one profile per number per account)."""

    __tablename__ = "phone_number"
    __table_args__ = (sa.UniqueConstraint("account_sid", "phone_number", name="uq_phone_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_sid: str = Field(foreign_key="account.sid", max_length=34)
    phone_number: str = Field(max_length=16)
    customer_profile_sid: str = Field(foreign_key="customer_profile.sid", max_length=34, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class ProductPhoneNumber(SQLModel, table=True):
    """A number assigned to a trust product; at most one product of each kind per number."""

    __tablename__ = "product_phone_number"
    __table_args__ = (
        sa.UniqueConstraint(
            "account_sid", "phone_number", "product_kind", name="uq_product_phone_number_kind"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_sid: str = Field(foreign_key="account.sid", max_length=34)
    phone_number: str = Field(max_length=16, index=True)
    trust_product_sid: str = Field(foreign_key="trust_product.sid", max_length=34, index=True)
    product_kind: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
