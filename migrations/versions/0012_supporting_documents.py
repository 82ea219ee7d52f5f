"""supporting documents: document types (policy data), documents, and the policies' optional
document requirements

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trusthub.models.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MIB = 1024 * 1024
_ANY = ["application/pdf", "image/png", "image/jpeg"]


def _attr(name: str, kind: str = "text", required: bool = True) -> dict[str, Any]:
    return {"name": name, "kind": kind, "required": required}


DOCUMENT_TYPES: list[dict[str, Any]] = [
    {
        "code": "BUSINESS_REGISTRATION_CERTIFICATE",
        "friendly_name": "Business registration certificate",
        "content_types": _ANY,
        "max_bytes": 10 * _MIB,
        "attributes": [
            _attr("business_name"),
            _attr("registration_number"),
            _attr("issuing_country", "country"),
            _attr("expiry_date", "date", required=False),
        ],
        "subject_kinds": ["BUSINESS"],
    },
    {
        "code": "PROOF_OF_ADDRESS",
        "friendly_name": "Proof of address",
        "content_types": _ANY,
        "max_bytes": 10 * _MIB,
        "attributes": [_attr("address"), _attr("issue_date", "date", required=False)],
        "subject_kinds": ["BUSINESS", "INDIVIDUAL"],
    },
    {
        "code": "GOVERNMENT_ID",
        "friendly_name": "Government-issued ID",
        "content_types": _ANY,
        "max_bytes": 5 * _MIB,
        "attributes": [
            _attr("first_name"),
            _attr("last_name"),
            _attr("document_number"),
            _attr("issuing_country", "country"),
            _attr("expiry_date", "date"),
        ],
        "subject_kinds": ["INDIVIDUAL"],
    },
    {
        "code": "LETTER_OF_AUTHORIZATION",
        "friendly_name": "Letter of authorization for a representative",
        "content_types": ["application/pdf"],
        "max_bytes": 10 * _MIB,
        "attributes": [_attr("representative_name"), _attr("signed_date", "date", required=False)],
        "subject_kinds": ["BUSINESS"],
    },
]

# Shipped policies accept documents without requiring them (existing integrations keep
# submitting); an operator makes one required by setting "required": true in a policy row.
POLICY_DOCUMENTS: dict[str, list[str]] = {
    "primary_business": ["BUSINESS_REGISTRATION_CERTIFICATE", "PROOF_OF_ADDRESS"],
    "secondary_business": ["BUSINESS_REGISTRATION_CERTIFICATE", "PROOF_OF_ADDRESS"],
    "individual": ["GOVERNMENT_ID", "PROOF_OF_ADDRESS"],
}
_NAMES = {t["code"]: t["friendly_name"] for t in DOCUMENT_TYPES}


def _requirement(code: str) -> dict[str, Any]:
    return {"name": _NAMES[code], "type": "document", "documentType": code, "required": False}


def upgrade() -> None:
    document_type = op.create_table(
        "document_type",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("friendly_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_types", sa.JSON(), nullable=False),
        sa.Column("max_bytes", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("subject_kinds", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.bulk_insert(document_type, DOCUMENT_TYPES)
    op.create_table(
        "supporting_document",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("profile_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("trust_product_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("blob_key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(profile_sid IS NULL) <> (trust_product_sid IS NULL)", name="ck_document_one_owner"
        ),
        sa.ForeignKeyConstraint(["account_sid"], ["account.sid"]),
        sa.ForeignKeyConstraint(["profile_sid"], ["customer_profile.sid"]),
        sa.ForeignKeyConstraint(["trust_product_sid"], ["trust_product.sid"]),
        sa.ForeignKeyConstraint(["type"], ["document_type.code"]),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("supporting_document", schema=None) as batch_op:
        for column in ("account_sid", "profile_sid", "trust_product_sid", "blob_key"):
            batch_op.create_index(f"ix_supporting_document_{column}", [column], unique=False)
    _edit_policies(add=True)


def downgrade() -> None:
    _edit_policies(add=False)
    op.drop_table("supporting_document")
    op.drop_table("document_type")


def _edit_policies(*, add: bool) -> None:
    bind = op.get_bind()
    policy = sa.table("policy", sa.column("code", sa.String), sa.column("requirements", sa.JSON))
    for code, documents in POLICY_DOCUMENTS.items():
        row = bind.execute(sa.select(policy.c.requirements).where(policy.c.code == code)).first()
        if row is None:
            continue
        raw = row[0]
        requirements = json.loads(raw) if isinstance(raw, str) else list(raw)
        kept = [r for r in requirements if r.get("type") != "document"]
        if add:
            kept += [_requirement(d) for d in documents]
        bind.execute(sa.update(policy).where(policy.c.code == code).values(requirements=kept))
