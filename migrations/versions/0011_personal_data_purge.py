"""personal data purge: closed accounts, purge runs, purge marks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trusthub.models.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARKED = ("customer_profile", "status_change", "review")


def upgrade() -> None:
    op.create_table(
        "purge_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
    for table in _MARKED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("purge_run_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("customer_profile") as batch:
        batch.add_column(sa.Column("purged_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customer_profile") as batch:
        batch.drop_column("purged_at")
    for table in _MARKED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("purge_run_id")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("closed_at")
    op.drop_table("purge_run")
