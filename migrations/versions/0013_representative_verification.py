"""representative verification: one row per authorized representative asked to confirm

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trusthub.models.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "representative_verification",
        sa.Column("sid", _text(34), nullable=False),
        sa.Column("account_sid", _text(34), nullable=False),
        sa.Column("profile_sid", _text(34), nullable=False),
        sa.Column("representative_sid", _text(34), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("email", _text(254), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("token_hash", _text(64), nullable=True),
        sa.Column("review_sid", _text(34), nullable=True),
        sa.Column("requested_by", _text(64), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("emailed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_sid"], ["account.sid"]),
        sa.PrimaryKeyConstraint("sid"),
        sa.UniqueConstraint("representative_sid"),
    )
    with op.batch_alter_table("representative_verification") as batch_op:
        batch_op.create_index(
            "ix_representative_verification_account_sid", ["account_sid"], unique=False
        )
        batch_op.create_index(
            "ix_representative_verification_profile_sid", ["profile_sid"], unique=False
        )
        batch_op.create_index(
            "ix_representative_verification_expires_at", ["expires_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("representative_verification")
