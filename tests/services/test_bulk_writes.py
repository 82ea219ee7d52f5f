"""Versioned rows written one UPDATE per table (services/bulk_writes.py), on both databases:
each row gets its own values and its counter bumped, and a row whose version another
transaction changed fails the write as the ORM's own check would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.models import Review
from trusthub.services import bulk_writes, reviews

from ..conftest import Acct
from ..consumers.test_pipeline import submitted_profile


async def three_reviews(sessions: SessionFactory, alice: Acct) -> list[str]:
    sids = [await submitted_profile(sessions, alice) for _ in range(3)]
    async with sessions() as s:
        rows = await s.exec(select(Review).where(col(Review.subject_sid).in_(sids)))
        return sorted(r.sid for r in rows.all())


async def versions_and_outcomes(sessions: SessionFactory, sids: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    async with sessions() as s:
        rows = await s.exec(select(Review).where(col(Review.sid).in_(sids)))
        return sorted((r.sid, r.version, r.outcome, r.reasons) for r in rows.all())


async def test_each_row_gets_its_own_values_and_a_new_version(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given three locked reviews, two of them changed differently
    sids = await three_reviews(sessions, alice)
    before = await versions_and_outcomes(sessions, sids)
    decided_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with sessions() as s:
        await reviews.lock_for_batch(s, sids, [])
        first, second = await s.get(Review, sids[0]), await s.get(Review, sids[1])
        assert first is not None
        assert second is not None
        first.outcome, first.reasons = "APPROVED", []
        second.outcome, second.reasons = "REJECTED", [{"code": "OTHER", "message": "no"}]
        second.decided_at = decided_at
        # when they are written in bulk, then committed
        await bulk_writes.write_locked_rows(s)
        assert not s.is_modified(first)  # nothing left for the flush
        assert not s.is_modified(second)
        await s.commit()
    # then each has its values and one more version; the unchanged one is as it was
    after = await versions_and_outcomes(sessions, sids)
    assert after == [
        (sids[0], before[0][1] + 1, "APPROVED", []),
        (sids[1], before[1][1] + 1, "REJECTED", [{"code": "OTHER", "message": "no"}]),
        before[2],
    ]
    async with sessions() as s:
        assert (await s.get(Review, sids[1])).decided_at == decided_at  # type: ignore[union-attr]
        assert (await s.get(Review, sids[0])).decided_at is None  # type: ignore[union-attr]


async def test_a_row_changed_by_another_transaction_fails_the_write(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given two locked reviews, changed, one of whose versions moved on behind the ORM's back
    sids = await three_reviews(sessions, alice)
    before = await versions_and_outcomes(sessions, sids)
    async with sessions() as s:
        await reviews.lock_for_batch(s, sids[:2], [])
        for sid in sids[:2]:
            review = await s.get(Review, sid)
            assert review is not None
            review.outcome = "APPROVED"
        table = Review.__table__  # type: ignore[attr-defined]
        await (await s.connection()).execute(
            sa.update(table).where(table.c.sid == sids[1]).values(version=table.c.version + 1)
        )
        # when they are written in bulk, then it fails, and nothing is kept
        with pytest.raises(StaleDataError):
            await bulk_writes.write_locked_rows(s)
        await s.rollback()
    assert await versions_and_outcomes(sessions, sids) == before
