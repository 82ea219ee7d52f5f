"""profiles foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trusthub.models.base import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Policies are data. Their SIDs are the ones Twilio uses for the same policies, so that
# integrations written against Twilio's Trust Hub can keep their constants.
_ADDRESS = [
    ["address", "street1"],
    ["address", "city"],
    ["address", "region"],
    ["address", "postalCode"],
    ["address", "country"],
]
_BUSINESS = [
    ["business", "legalName"],
    ["business", "identity"],
    ["business", "type"],
    ["business", "industry"],
    ["business", "registrationIdType"],
    ["business", "registrationNumber"],
    ["business", "regionsOfOperation"],
    ["business", "websiteUrl"],
]
_GENERAL = {"name": "General information", "type": "fields", "fields": [["friendlyName"]]}
_NOTIFY = {"name": "Notification settings", "type": "fields", "fields": [["notificationEmail"]]}
_REPS = [
    {
        "name": "Authorized representative 1",
        "type": "representative",
        "position": 1,
        "required": True,
    },
    {
        "name": "Authorized representative 2",
        "type": "representative",
        "position": 2,
        "required": False,
    },
]
POLICIES = [
    {
        "sid": "RNdfbf3fae0e1107f8aded0e7cead80bf5",
        "code": "primary_business",
        "friendly_name": "Primary Customer Profile of type Business",
        "subject_type": "CUSTOMER_PROFILE",
        "kind": "BUSINESS",
        "tier": "PRIMARY",
        "requirements": [
            _GENERAL,
            {"name": "Business information", "type": "fields", "fields": _BUSINESS},
            {"name": "Address", "type": "fields", "fields": _ADDRESS},
            *_REPS,
            _NOTIFY,
        ],
    },
    {
        "sid": "RN806dd6cd175f314e1f96a9727ee271f4",
        "code": "secondary_business",
        "friendly_name": "Secondary Customer Profile of type Business",
        "subject_type": "CUSTOMER_PROFILE",
        "kind": "BUSINESS",
        "tier": "SECONDARY",
        "requirements": [
            _GENERAL,
            {"name": "Business information", "type": "fields", "fields": _BUSINESS},
            {"name": "Address", "type": "fields", "fields": _ADDRESS},
            *_REPS,
            _NOTIFY,
            {
                "name": "Primary customer profile",
                "type": "primary_profile",
                "status": "APPROVED",
                "businessIdentity": "ISV_RESELLER_OR_PARTNER",
            },
        ],
    },
    {
        "sid": "RN7a97559effdf62d00f4298208492a5ea",
        "code": "individual",
        "friendly_name": "Starter Customer Profile of type Individual",
        "subject_type": "CUSTOMER_PROFILE",
        "kind": "INDIVIDUAL",
        "tier": "PRIMARY",
        "requirements": [
            _GENERAL,
            {
                "name": "Individual information",
                "type": "fields",
                "fields": [
                    ["individual", "firstName"],
                    ["individual", "lastName"],
                    ["individual", "email"],
                    ["individual", "phoneNumber"],
                ],
            },
            {"name": "Address", "type": "fields", "fields": _ADDRESS},
            _NOTIFY,
        ],
    },
]


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sandbox", sa.Boolean(), nullable=False),
        sa.Column("api_key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("api_key_prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("auth_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("webhook_secret", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_api_key_hash"), ["api_key_hash"], unique=True)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exchange", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("routing_key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("message_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unsent", ["sent_at", "id"], unique=False)

    op.create_table(
        "policy",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("friendly_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("subject_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_subject", ["subject_sid", "id"], unique=False)

    op.create_table(
        "customer_profile",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "primary_profile_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True
        ),
        sa.Column("policy_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("friendly_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "notification_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False
        ),
        sa.Column("status_callback", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("legal_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("business_identity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("business_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("business_industry", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "registration_id_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
        ),
        sa.Column(
            "registration_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("regions_of_operation", sa.JSON(), nullable=True),
        sa.Column("website_url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("social_media_profile_urls", sa.JSON(), nullable=True),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("phone_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("street1", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("street2", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
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
            ["policy_sid"],
            ["policy.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["primary_profile_sid"],
            ["customer_profile.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("customer_profile", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_profile_account_created", ["account_sid", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_profile_primary_profile_sid"),
            ["primary_profile_sid"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_customer_profile_status"), ["status"], unique=False)

    op.create_table(
        "evaluation",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("subject_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("policy_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["policy_sid"],
            ["policy.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_account_sid"), ["account_sid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evaluation_subject_sid"), ["subject_sid"], unique=False
        )

    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("subject_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.create_index("ix_status_change_subject", ["subject_sid", "id"], unique=False)

    op.create_table(
        "authorized_representative",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("profile_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("phone_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("business_title", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("job_position", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.ForeignKeyConstraint(
            ["profile_sid"],
            ["customer_profile.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("profile_sid", "position", name="uq_representative_position"),
    )
    with op.batch_alter_table("authorized_representative", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorized_representative_profile_sid"), ["profile_sid"], unique=False
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
    with op.batch_alter_table("authorized_representative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorized_representative_profile_sid"))

    op.drop_table("authorized_representative")
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_status_change_subject")

    op.drop_table("status_change")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_subject_sid"))
        batch_op.drop_index(batch_op.f("ix_evaluation_account_sid"))

    op.drop_table("evaluation")
    with op.batch_alter_table("customer_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_profile_status"))
        batch_op.drop_index(batch_op.f("ix_customer_profile_primary_profile_sid"))
        batch_op.drop_index("ix_customer_profile_account_created")

    op.drop_table("customer_profile")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_subject")

    op.drop_table("audit_entry")
    op.drop_table("policy")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent")

    op.drop_table("outbox_message")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_api_key_hash"))

    op.drop_table("account")
