from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import json_column, ts_column, utcnow


class DocumentType(SQLModel, table=True):
    """A supporting-document type is policy data (seeded by migrations): what it accepts."""

    __tablename__ = "document_type"

    code: str = Field(primary_key=True, max_length=64)
    friendly_name: str = Field(max_length=128)
    content_types: list[str] = Field(sa_column=json_column())
    max_bytes: int
    # [{"name", "kind": text|date|country, "required"}]
    attributes: list[dict[str, Any]] = Field(sa_column=json_column())
    subject_kinds: list[str] = Field(sa_column=json_column())


class SupportingDocument(SQLModel, table=True):
    """An uploaded file with its typed attributes, attached to one customer profile or trust
    product. The bytes live in the blob store under `blob_key` (the account and the SHA-256)."""

    __tablename__ = "supporting_document"
    __table_args__ = (
        sa.CheckConstraint(
            "(profile_sid IS NULL) <> (trust_product_sid IS NULL)", name="ck_document_one_owner"
        ),
    )

    sid: str = Field(primary_key=True, max_length=34)
    account_sid: str = Field(foreign_key="account.sid", max_length=34, index=True)
    profile_sid: str | None = Field(
        default=None, foreign_key="customer_profile.sid", max_length=34, index=True
    )
    trust_product_sid: str | None = Field(
        default=None, foreign_key="trust_product.sid", max_length=34, index=True
    )
    type: str = Field(foreign_key="document_type.code", max_length=64)
    attributes: dict[str, str] = Field(default_factory=dict, sa_column=json_column())
    file_name: str = Field(max_length=255)
    size: int
    content_type: str = Field(max_length=64)
    sha256: str = Field(max_length=64)
    blob_key: str = Field(max_length=128, index=True)
    expires_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
