"""retention indexes: pruning finds old inbox rows and delivery attempts through an index

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

(The outbox needs none: `ix_outbox_unsent (sent_at, id)` already orders sent rows by age.)
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_inbox_message_processed_at", "inbox_message", "processed_at"),
    ("ix_delivery_attempt_attempted_at", "delivery_attempt", "attempted_at"),
)


def upgrade() -> None:
    # CONCURRENTLY on PostgreSQL (outside a transaction): both tables take a row per message,
    # and a plain CREATE INDEX would hold their writes back for as long as the build takes.
    with op.get_context().autocommit_block():
        for name, table, column in INDEXES:
            op.create_index(name, table, [column], unique=False, postgresql_concurrently=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for name, table, _ in reversed(INDEXES):
            op.drop_index(name, table_name=table, postgresql_concurrently=True)
