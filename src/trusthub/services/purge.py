"""Purging personal data whose retention is over, and redacting one profile's on request.

A run finds its targets (profiles rejected and not resubmitted, profiles of closed accounts,
subjects deleted earlier) and walks the personal data holders over them, one batch of targets
per transaction: an interrupted run leaves whole batches purged and the rest for the next run,
and every holder changes nothing the second time. A dry run walks the same code over every
target in one transaction and rolls it back, so its counts are exactly what a run would do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..blobs import BlobStore
from ..db import SessionFactory
from ..domain import lifecycle
from ..domain.enums import Status
from ..domain.errors import DomainError, ErrorCode
from ..domain.privacy import PersonalDataRetention
from ..domain.reviews import ReviewStatus
from ..models import Account, AuditEntry, CustomerProfile, PurgeRun, Review, StatusChange
from ..models.base import utcnow
from .actor import Actor
from .personal_data import HOLDERS, PurgeTarget
from .scoping import get_owned


@dataclass(frozen=True)
class Candidates:
    live: list[str]
    gone: list[str]
    accounts: frozenset[str]


def tables() -> list[str]:
    """The tables a purge reports on, in the order it walks them."""
    return [holder.table for holder in HOLDERS]


async def purge_target(session: AsyncSession, target: PurgeTarget) -> dict[str, int]:
    """Walk every holder over one target in the caller's transaction."""
    counts: dict[str, int] = {}
    for holder in HOLDERS:
        counts[holder.table] = counts.get(holder.table, 0) + await holder.purge(session, target)
    await session.flush()
    return counts


async def find_candidates(
    session: AsyncSession,
    retention: PersonalDataRetention,
    now: datetime,
    *,
    limit: int,
    skip: frozenset[str] = frozenset(),
) -> Candidates:
    """Up to `limit` profiles and `limit` deleted subjects whose personal data is due."""
    rejected_before = retention.rejected_before(now)
    recent_change = select(StatusChange.id).where(
        col(StatusChange.subject_sid) == CustomerProfile.sid,
        col(StatusChange.at) >= rejected_before,
    )
    rejected = select(CustomerProfile.sid, CustomerProfile.account_sid).where(
        col(CustomerProfile.status) == Status.REJECTED.value,
        col(CustomerProfile.purged_at).is_(None),
        ~recent_change.exists(),
        col(CustomerProfile.sid).not_in(skip),
    )
    closed = (
        select(CustomerProfile.sid, CustomerProfile.account_sid)
        .join(Account, col(Account.sid) == CustomerProfile.account_sid)
        .where(
            col(Account.closed_at) < retention.closed_before(now),
            col(CustomerProfile.purged_at).is_(None),
            col(CustomerProfile.sid).not_in(skip),
        )
    )
    live: dict[str, str] = {}
    for query in (rejected, closed):
        if len(live) < limit:
            rows = await session.exec(query.order_by(col(CustomerProfile.sid)).limit(limit))
            live.update(dict(rows.all()))
    gone = await _gone(session, rejected_before, limit=limit, skip=skip)
    accounts = frozenset(live.values()) | frozenset(a for _, a in gone)
    return Candidates(list(live)[:limit], [s for s, _ in gone], accounts)


async def _gone(
    session: AsyncSession, before: datetime, *, limit: int, skip: frozenset[str]
) -> Sequence[tuple[str, str]]:
    """Subjects deleted before `before` (their audit trail says when) not purged since."""
    deleted = SQLModel.metadata.tables["audit_entry"].alias("deleted")
    purged = (
        select(AuditEntry.id)
        .where(
            col(AuditEntry.subject_sid) == deleted.c.subject_sid,
            col(AuditEntry.action) == "purge",
        )
        .exists()
    )
    still_there = (
        select(CustomerProfile.sid)
        .where(col(CustomerProfile.sid) == deleted.c.subject_sid)
        .exists()
    )
    query = (
        select(deleted.c.subject_sid, deleted.c.account_sid)
        .where(
            deleted.c.action == "delete",
            deleted.c.at < before,
            ~purged,
            ~still_there,
            deleted.c.subject_sid.not_in(skip),
        )
        .distinct()
        .order_by(deleted.c.subject_sid)
        .limit(limit)
    )
    rows = await session.exec(query)
    return [(str(s), str(a)) for s, a in rows.all()]


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for table, count in counts.items():
        total[table] = total.get(table, 0) + count


async def start_run(sessions: SessionFactory, trigger: str, *, dry_run: bool) -> int:
    async with sessions() as session:
        run = PurgeRun(trigger=trigger, dry_run=dry_run, counts={})
        session.add(run)
        await session.commit()
        assert run.id is not None
        return run.id


async def finish_run(sessions: SessionFactory, run_id: int, counts: dict[str, int]) -> None:
    async with sessions() as session:
        run = await session.get(PurgeRun, run_id)
        assert run is not None
        run.counts, run.finished_at = dict(counts), utcnow()
        session.add(run)
        await session.commit()


async def purge(
    sessions: SessionFactory,
    retention: PersonalDataRetention,
    *,
    trigger: str,
    blobs: BlobStore | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> tuple[int, dict[str, int]]:
    """Purge everything due as of `now`, deleting documents' blobs from `blobs` (never in a
    dry run; None: rows only); returns the run's id and rows changed per table."""
    now = now or utcnow()
    run_id = await start_run(sessions, trigger, dry_run=dry_run)
    total = dict.fromkeys(tables(), 0)
    seen: set[str] = set()  # a target that somehow stays due is not taken twice in one run
    async with sessions() as session:
        while True:
            found = await find_candidates(
                session, retention, now, limit=retention.batch, skip=frozenset(seen)
            )
            if not found.live and not found.gone:
                break
            seen.update(found.live, found.gone)
            target = PurgeTarget(
                run_id, now, found.live, found.gone, found.accounts, None if dry_run else blobs
            )
            _add(total, await purge_target(session, target))
            if not dry_run:
                await session.commit()  # one batch, one transaction
        if dry_run:
            await session.rollback()
    await finish_run(sessions, run_id, total)
    return run_id, total


async def redact_profile(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    *,
    blobs: BlobStore | None,
    now: datetime | None = None,
) -> CustomerProfile:
    """Purge one profile's personal data now (a data subject's request), revisions included,
    with a run of its own recorded in the same transaction. Admins only; refused while the
    profile or a revision of it is under review, as its reviewer is reading that data."""
    if not actor.is_admin:
        raise DomainError.single(
            ErrorCode.FORBIDDEN, "Only an admin can redact a profile.", ("id",)
        )
    profile = await get_owned(session, actor, CustomerProfile, sid, for_update=True)
    revisions = (
        await session.exec(select(CustomerProfile).where(col(CustomerProfile.revision_of) == sid))
    ).all()
    subjects = [profile, *revisions]
    sids = [p.sid for p in subjects]
    open_review = await session.exec(
        select(Review.sid).where(
            col(Review.subject_sid).in_(sids), col(Review.status) != ReviewStatus.DECIDED.value
        )
    )
    if (
        any(p.status in lifecycle.UNDER_REVIEW_STATUSES for p in subjects)
        or open_review.first() is not None
    ):
        raise DomainError.single(
            ErrorCode.LOCKED, f"{sid} is under review; redact it once it is decided.", ("id",)
        )
    now = now or utcnow()
    run = PurgeRun(trigger=f"request:{sid}", dry_run=False, counts={}, started_at=now)
    session.add(run)
    await session.flush()
    assert run.id is not None
    target = PurgeTarget(run.id, now, sids, [], frozenset({profile.account_sid}), blobs)
    run.counts, run.finished_at = await purge_target(session, target), utcnow()
    session.add(run)
    await session.flush()
    await session.refresh(profile)
    return profile
