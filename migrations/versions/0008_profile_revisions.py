"""profile revisions: a revision is a profile row pointing back at the approved profile it
revises; the approved profile's history names the revision that changed it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SID = sqlmodel.sql.sqltypes.AutoString(length=34)


def upgrade() -> None:
    with op.batch_alter_table("customer_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_of", _SID, nullable=True))
        batch_op.create_foreign_key(
            "fk_customer_profile_revision_of", "customer_profile", ["revision_of"], ["sid"]
        )
        batch_op.create_index(
            batch_op.f("ix_customer_profile_revision_of"), ["revision_of"], unique=False
        )
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_sid", _SID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.drop_column("revision_sid")
    with op.batch_alter_table("customer_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_profile_revision_of"))
        batch_op.drop_constraint("fk_customer_profile_revision_of", type_="foreignkey")
        batch_op.drop_column("revision_of")
