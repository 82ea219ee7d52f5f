"""four-eyes review: a review's approvals, and room for two reviewers in the actor columns

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHORT = sqlmodel.sql.sqltypes.AutoString(length=64)
_LONG = sqlmodel.sql.sqltypes.AutoString(length=128)


def upgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        # Server defaults fill the rows that exist; the models set both columns on insert.
        batch_op.add_column(
            sa.Column("approvals", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column(
                "awaiting_confirmation", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.alter_column("decided_by", existing_type=_SHORT, type_=_LONG)
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.alter_column("approvals", server_default=None)
        batch_op.alter_column("awaiting_confirmation", server_default=None)
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.alter_column("actor", existing_type=_SHORT, type_=_LONG)


def downgrade() -> None:
    # Four-eyes actors ("AC…+AC…", 69 characters) do not fit the old width: keep the first.
    op.execute(
        sa.text("UPDATE status_change SET actor = substr(actor, 1, 34) WHERE length(actor) > 64")
    )
    op.execute(
        sa.text(
            "UPDATE review SET decided_by = substr(decided_by, 1, 34) WHERE length(decided_by) > 64"
        )
    )
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.alter_column("actor", existing_type=_LONG, type_=_SHORT)
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.alter_column("decided_by", existing_type=_LONG, type_=_SHORT)
        batch_op.drop_column("awaiting_confirmation")
        batch_op.drop_column("approvals")
