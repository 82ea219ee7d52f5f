"""Representative verification: a reviewer (or the automated reviewer's rule) asks an
authorized representative to confirm that they act for the business; the representative
answers through the signed link emailed to them; an unanswered request expires. Every change
is an audit entry on the profile and a `RepresentativeVerificationChanged` event (through the
outbox); a PENDING event is also what makes the notifier email the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..config import Settings
from ..domain.enums import Role
from ..domain.errors import not_found
from ..domain.reviews import ensure_independent, ensure_reviewer
from ..domain.sids import SidPrefix, new_sid
from ..domain.verification import (
    ANSWERED,
    Answer,
    LinkProblem,
    VerificationStatus,
    read_token,
    sandbox_answer,
    sign_token,
    token_hash,
)
from ..messaging.messages import RepresentativeVerificationChanged
from ..models import Account, AuthorizedRepresentative, CustomerProfile, RepresentativeVerification
from ..models.base import utcnow
from .actor import Actor
from .history import audit
from .outbox import enqueue
from .verification_reviews import follow_review


@dataclass(frozen=True)
class LinkKeys:
    """How links are signed and how long they last (from settings)."""

    secret: str
    ttl: timedelta


def link_keys(settings: Settings) -> LinkKeys:
    return LinkKeys(
        settings.verification_secret(), timedelta(hours=settings.rep_verification_ttl_hours)
    )


@dataclass(frozen=True)
class LinkView:
    """What the verification page shows."""

    verification: RepresentativeVerification
    representative: AuthorizedRepresentative
    profile: CustomerProfile


async def request_verification(
    session: AsyncSession, actor: Actor, representative_sid: str, keys: LinkKeys
) -> RepresentativeVerification:
    """A reviewer asks the representative (never of the reviewer's own account)."""
    ensure_reviewer(actor.role)
    rep = await session.get(AuthorizedRepresentative, representative_sid)
    if rep is None:
        raise not_found(representative_sid, ("id",))
    ensure_independent(rep.account_sid, actor.account_sid, ("id",))
    profile = await session.get(CustomerProfile, rep.profile_sid)
    if profile is None:
        raise not_found(representative_sid, ("id",))
    account = await session.get(Account, rep.account_sid)
    sandbox = bool(account and account.sandbox)
    return await ask(session, rep, actor.name, keys, sandbox=sandbox)


async def ask(
    session: AsyncSession,
    rep: AuthorizedRepresentative,
    asked_by: str,
    keys: LinkKeys,
    *,
    sandbox: bool,
    review_sid: str | None = None,
) -> RepresentativeVerification:
    """Start (or restart) the representative's verification: a new link voids the previous
    one. On a sandbox account a magic address answers at once."""
    now = utcnow()
    expires_at = now + keys.ttl
    row = (
        await session.exec(
            select(RepresentativeVerification)
            .where(RepresentativeVerification.representative_sid == rep.sid)
            .with_for_update()
        )
    ).first()
    previous = VerificationStatus.NOT_REQUESTED.value
    if row is None:
        row = RepresentativeVerification(
            sid=new_sid(SidPrefix.VERIFICATION),
            account_sid=rep.account_sid,
            profile_sid=rep.profile_sid,
            representative_sid=rep.sid,
            position=rep.position,
            email=rep.email,
            status=VerificationStatus.PENDING.value,
            requested_by=asked_by,
            requested_at=now,
            expires_at=expires_at,
        )
        session.add(row)
    else:
        previous = row.status
        row.position, row.email, row.requested_by = rep.position, rep.email, asked_by
        row.status = VerificationStatus.PENDING.value
        row.requested_at, row.expires_at = now, expires_at
        row.responded_at = row.emailed_at = None
    # A person re-sending a link the reviewer's rule waits on: its review still follows the answer.
    if review_sid is not None or previous != VerificationStatus.PENDING.value:
        row.review_sid = review_sid
    row.token_hash = token_hash(sign_token(keys.secret, row.sid, expires_at))
    _changed(session, row, previous, asked_by, "request_verification")
    if sandbox:
        await answer_as_sandbox(session, row)
    return row


# What the representative confirmed: a change to any of these voids the confirmation.
CONFIRMED_FIELDS = frozenset({"email", "first_name", "last_name", "business_title"})


async def forget(session: AsyncSession, rep: AuthorizedRepresentative, actor: Actor) -> None:
    """The representative's details changed: what was asked or confirmed was about someone
    else's email or name, so the verification starts over (NOT_REQUESTED, its link void)."""
    row = (
        await session.exec(
            select(RepresentativeVerification)
            .where(RepresentativeVerification.representative_sid == rep.sid)
            .with_for_update()
        )
    ).first()
    if row is None:
        return
    previous = row.status
    row.status, row.token_hash = VerificationStatus.NOT_REQUESTED.value, None
    _changed(session, row, previous, actor.name, "reset_verification")
    await session.delete(row)


async def answer_as_sandbox(session: AsyncSession, row: RepresentativeVerification) -> None:
    """A sandbox account's magic address answers its own request at once."""
    answer = sandbox_answer(row.email)
    if answer is not None and row.status == VerificationStatus.PENDING.value:
        await _answer(session, row, answer, utcnow())


async def open_link(
    session: AsyncSession, secret: str, token: str, *, lock: bool = False
) -> LinkView | LinkProblem:
    """The verification a link stands for, while it can still be answered."""
    read = read_token(secret, token)
    if read is None:
        return LinkProblem.INVALID
    sid, expires_at = read
    query = select(RepresentativeVerification).where(RepresentativeVerification.sid == sid)
    row = (await session.exec(query.with_for_update() if lock else query)).first()
    if row is None:
        return LinkProblem.INVALID
    if row.token_hash != token_hash(token) or row.status != VerificationStatus.PENDING.value:
        expired = row.status == VerificationStatus.EXPIRED.value and row.token_hash == token_hash(
            token
        )
        return LinkProblem.EXPIRED if expired else LinkProblem.USED
    if expires_at <= utcnow():
        return LinkProblem.EXPIRED
    rep = await session.get(AuthorizedRepresentative, row.representative_sid)
    profile = await session.get(CustomerProfile, row.profile_sid)
    if rep is None or profile is None:
        return LinkProblem.INVALID
    return LinkView(row, rep, profile)


async def answer_link(
    session: AsyncSession, secret: str, token: str, answer: Answer
) -> LinkView | LinkProblem:
    """The representative's answer, once: the link stops working."""
    view = await open_link(session, secret, token, lock=True)
    if isinstance(view, LinkProblem):
        return view
    await _answer(session, view.verification, answer, utcnow())
    return view


async def expire_due(session: AsyncSession, *, now: datetime, limit: int = 500) -> int:
    """Expire requests nobody answered in time (the decision consumer's process runs this)."""
    rows = await session.exec(
        select(RepresentativeVerification)
        .where(
            RepresentativeVerification.status == VerificationStatus.PENDING.value,
            col(RepresentativeVerification.expires_at) <= now,
        )
        .order_by(col(RepresentativeVerification.sid))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = list(rows.all())
    for row in found:
        row.status, row.token_hash = VerificationStatus.EXPIRED.value, None
        _changed(session, row, VerificationStatus.PENDING.value, "system:expiry", "expire")
        await follow_review(session, row)
    return len(found)


async def _answer(
    session: AsyncSession, row: RepresentativeVerification, answer: Answer, now: datetime
) -> None:
    row.status, row.responded_at, row.token_hash = ANSWERED[answer].value, now, None
    actor = f"representative:{row.representative_sid}"
    _changed(session, row, VerificationStatus.PENDING.value, actor, f"{answer.value}_verification")
    await follow_review(session, row)


def _changed(
    session: AsyncSession,
    row: RepresentativeVerification,
    previous: str,
    actor: str,
    action: str,
) -> None:
    audit(
        session,
        Actor(actor, Role.REVIEWER),  # only its name is recorded
        account_sid=row.account_sid,
        subject_sid=row.profile_sid,
        action=action[:32],
        fields=[f"authorizedRepresentatives.{row.position}.verification"],
    )
    enqueue(
        session,
        RepresentativeVerificationChanged(
            verification_sid=row.sid,
            representative_sid=row.representative_sid,
            profile_sid=row.profile_sid,
            account_sid=row.account_sid,
            position=row.position,
            previous_status=previous,
            status=row.status,
            requested_at=row.requested_at,
            expires_at=row.expires_at,
            responded_at=row.responded_at,
        ),
    )
