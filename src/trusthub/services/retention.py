"""Pruning the bookkeeping tables, one bounded batch at a time.

Each batch is one DELETE of at most `limit` rows chosen by primary key through an index on
the row's age, so a batch is cheap whatever the table's size, and the caller commits it at
once: no transaction holds locks for long, and the relay and consumers keep writing between
batches. On PostgreSQL the chosen rows are locked `SKIP LOCKED`, so pruners running at the same
time on several replicas take different rows instead of waiting for each other. Unsent outbox
rows are never chosen, whatever their age: the relay still has to publish them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import models  # noqa: F401  (registers the tables looked up by name below)


class Prunable(StrEnum):
    """The tables that are pruned, by table name."""

    OUTBOX = "outbox_message"
    INBOX = "inbox_message"
    DELIVERY_ATTEMPTS = "delivery_attempt"
    IDEMPOTENCY_KEYS = "idempotency_key"


@dataclass(frozen=True)
class PruneCounts:
    """Rows deleted (or, for a dry run, that would be) per table."""

    outbox: int = 0
    inbox: int = 0
    delivery_attempts: int = 0
    idempotency_keys: int = 0

    @property
    def total(self) -> int:
        return self.outbox + self.inbox + self.delivery_attempts + self.idempotency_keys

    def by_table(self) -> dict[Prunable, int]:
        return {
            Prunable.OUTBOX: self.outbox,
            Prunable.INBOX: self.inbox,
            Prunable.DELIVERY_ATTEMPTS: self.delivery_attempts,
            Prunable.IDEMPOTENCY_KEYS: self.idempotency_keys,
        }


# The column that says how old a row is; NULL (an unsent outbox row) is never old.
_AGE = {
    Prunable.OUTBOX: "sent_at",
    Prunable.INBOX: "processed_at",
    Prunable.DELIVERY_ATTEMPTS: "attempted_at",
    Prunable.IDEMPOTENCY_KEYS: "expires_at",  # its retention is its own expiry
}


def _old(
    which: Prunable, before: datetime
) -> tuple[sa.Table, sa.ColumnElement[bool], sa.Column[Any]]:
    """The table, its "older than `before`" predicate and the (indexed) age column."""
    table = SQLModel.metadata.tables[which.value]
    age = table.c[_AGE[which]]
    return table, sa.and_(age.is_not(None), age < before), age


async def delete_batch(session: AsyncSession, which: Prunable, before: datetime, limit: int) -> int:
    """Delete at most `limit` of the table's rows older than `before`, oldest first; returns how
    many went. The caller commits."""
    table, old, age = _old(which, before)
    keys = list(table.primary_key.columns)
    chosen = (
        sa.select(*keys).where(old).order_by(age).limit(limit).with_for_update(skip_locked=True)
    )
    key = keys[0] if len(keys) == 1 else sa.tuple_(*keys)
    result = await session.exec(sa.delete(table).where(key.in_(chosen)))
    return int(result.rowcount)


async def count_old(session: AsyncSession, which: Prunable, before: datetime) -> int:
    """How many of the table's rows are older than `before` (what a dry run reports)."""
    table, old, _ = _old(which, before)
    total = await session.exec(select(func.count()).select_from(table).where(old))
    return total.one()
