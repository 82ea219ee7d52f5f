"""trust products

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trusthub.models.base import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_GENERAL = {"name": "General information", "type": "fields", "fields": [["friendlyName"]]}
_NOTIFY = {"name": "Notification settings", "type": "fields", "fields": [["notificationEmail"]]}


def _profile(kinds: list[str]) -> dict[str, object]:
    return {
        "name": "Customer profile",
        "type": "customer_profile",
        "status": "APPROVED",
        "kinds": kinds,
        "tiers": ["PRIMARY", "SECONDARY"],
    }


def _policy(
    sid: str, code: str, name: str, kind: str, reqs: list[dict[str, object]]
) -> dict[str, object]:
    return {
        "sid": sid,
        "code": code,
        "friendly_name": name,
        "subject_type": "TRUST_PRODUCT",
        "kind": kind,
        "tier": None,
        "requirements": [_GENERAL, *reqs, _NOTIFY],
    }


POLICIES = [
    _policy(
        "RN6680ebb92180cddcc0d8fffd6b49b668",
        "shaken_stir",
        "SHAKEN/STIR Trust Product",
        "SHAKEN_STIR",
        [_profile(["BUSINESS"])],
    ),
    _policy(
        "RNf215e2b7df093e8be8be80138a979fdc",
        "a2p_messaging",
        "A2P Messaging Trust Product",
        "A2P_MESSAGING",
        [
            {
                "name": "A2P messaging information",
                "type": "fields",
                "fields": [
                    ["a2pMessaging", "companyType"],
                    ["a2pMessaging", "brandContactEmail"],
                    ["a2pMessaging", "dailyMessageVolume"],
                ],
            },
            {
                "name": "Stock listing",
                "type": "when",
                "path": ["a2pMessaging", "companyType"],
                "in": ["PUBLIC"],
                "fields": [["a2pMessaging", "stockExchange"], ["a2pMessaging", "stockTicker"]],
            },
            {"name": "ISV end customers", "type": "isv_direct_volume", "limit": 3_000},
            _profile(["BUSINESS"]),
        ],
    ),
    _policy(
        "RNe1d61681d2a9e0233c95a8ad6ccf0c03",
        "cnam",
        "CNAM Trust Product",
        "CNAM",
        [
            {"name": "CNAM information", "type": "fields", "fields": [["cnam", "displayName"]]},
            _profile(["BUSINESS"]),
        ],
    ),
    _policy(
        "RN961065cfd62ad13d7de0d2a63c2a1c33",
        "voice_integrity",
        "Voice Integrity Trust Product",
        "VOICE_INTEGRITY",
        [
            {
                "name": "Voice integrity information",
                "type": "fields",
                "fields": [
                    ["voiceIntegrity", "useCase"],
                    ["voiceIntegrity", "employeeCount"],
                    ["voiceIntegrity", "averageDailyCallVolume"],
                ],
            },
            _profile(["BUSINESS"]),
        ],
    ),
    _policy(
        "RN001e20618c441d1d30fa356c0b93e174",
        "branded_calling",
        "Branded Calling Trust Product",
        "BRANDED_CALLING",
        [
            {
                "name": "Branded calling information",
                "type": "fields",
                "fields": [
                    ["brandedCalling", "displayName"],
                    ["brandedCalling", "longDisplayName"],
                    ["brandedCalling", "callPurpose"],
                    ["brandedCalling", "callReason"],
                ],
            },
            _profile(["BUSINESS"]),
            {
                "name": "Voice integrity",
                "type": "product",
                "kind": "VOICE_INTEGRITY",
                "status": "APPROVED",
            },
        ],
    ),
]


def upgrade() -> None:
    op.create_table(
        "phone_number",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("phone_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "customer_profile_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_profile_sid"],
            ["customer_profile.sid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_sid", "phone_number", name="uq_phone_number"),
    )
    with op.batch_alter_table("phone_number", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phone_number_customer_profile_sid"),
            ["customer_profile_sid"],
            unique=False,
        )

    op.create_table(
        "trust_product",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column(
            "customer_profile_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False
        ),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("policy_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("friendly_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "notification_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False
        ),
        sa.Column("status_callback", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("a2p_company_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("a2p_stock_exchange", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("a2p_stock_ticker", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column(
            "a2p_brand_contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True
        ),
        sa.Column("a2p_daily_message_volume", sa.BigInteger(), nullable=True),
        sa.Column("cnam_display_name", sqlmodel.sql.sqltypes.AutoString(length=15), nullable=True),
        sa.Column("vi_use_case", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("vi_employee_count", sa.Integer(), nullable=True),
        sa.Column("vi_daily_call_volume", sa.BigInteger(), nullable=True),
        sa.Column("bc_display_name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "bc_long_display_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("bc_call_purpose", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("bc_call_reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("terms_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("terms_accepted_at", UTCDateTime(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_profile_sid"],
            ["customer_profile.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["policy_sid"],
            ["policy.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("trust_product", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trust_product_account_created", ["account_sid", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_trust_product_customer_profile_sid"),
            ["customer_profile_sid"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_trust_product_status"), ["status"], unique=False)

    op.create_table(
        "product_phone_number",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("phone_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("trust_product_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("product_kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["trust_product_sid"],
            ["trust_product.sid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "account_sid", "phone_number", "product_kind", name="uq_product_phone_number_kind"
        ),
    )
    with op.batch_alter_table("product_phone_number", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_phone_number_phone_number"), ["phone_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_phone_number_trust_product_sid"),
            ["trust_product_sid"],
            unique=False,
        )

    policy = sa.table(
        "policy",
        sa.column("sid", sa.String),
        sa.column("code", sa.String),
        sa.column("friendly_name", sa.String),
        sa.column("subject_type", sa.String),
        sa.column("kind", sa.String),
        sa.column("tier", sa.String),
        sa.column("requirements", sa.JSON),
    )
    op.bulk_insert(policy, POLICIES)


def downgrade() -> None:
    op.execute(
        "DELETE FROM policy WHERE sid IN (" + ", ".join(f"'{p['sid']}'" for p in POLICIES) + ")"
    )
    with op.batch_alter_table("product_phone_number", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_phone_number_trust_product_sid"))
        batch_op.drop_index(batch_op.f("ix_product_phone_number_phone_number"))

    op.drop_table("product_phone_number")
    with op.batch_alter_table("trust_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trust_product_status"))
        batch_op.drop_index(batch_op.f("ix_trust_product_customer_profile_sid"))
        batch_op.drop_index("ix_trust_product_account_created")

    op.drop_table("trust_product")
    with op.batch_alter_table("phone_number", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_number_customer_profile_sid"))

    op.drop_table("phone_number")
