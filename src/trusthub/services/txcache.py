"""What one transaction has already read or locked, kept on its session and forgotten when the
transaction ends: history sequences counted once, rows a batch locked in one statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

_KEY = "trusthub.transaction_cache"


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction itself, not a savepoint inside it
        session.info.pop(_KEY, None)


def cache(session: AsyncSession, name: str, factory: type[Any]) -> Any:
    """This transaction's `name` entry (a new `factory()` the first time)."""
    entries: dict[str, Any] = session.info.setdefault(_KEY, {})
    if name not in entries:
        entries[name] = factory()
    return entries[name]


def locked(session: AsyncSession) -> dict[str, Any]:
    """SID → row, for the rows this transaction holds locked (SELECT … FOR UPDATE) and has
    loaded. Kept here, not only in the session's identity map, which holds rows weakly."""
    rows: dict[str, Any] = cache(session, "locked", dict)
    return rows


def sequences(session: AsyncSession) -> dict[str, int]:
    """Subject SID → status changes it has, this transaction's included."""
    counts: dict[str, int] = cache(session, "sequences", dict)
    return counts
