"""Revisions of an APPROVED profile: a DRAFT copy (its own row and SID, `revision_of` set) that
goes through the usual pipeline while the approved profile stays in force. Approval applies the
revision's reviewed data and representatives to the profile it revises, in the decision's
transaction; rejection leaves that profile as it is.

A revision carries the reviewed data only (`REVISED_PROFILE_COLUMNS`, representatives, terms):
the name and notification targets are edited in place on the approved profile, so a revision
approved while its owner renames the profile never writes an older name back."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import Status, SubjectType
from ..domain.errors import DomainError, ErrorCode
from ..domain.fields import PROFILE_FIELDS, REPRESENTATIVE_COLUMNS, REVISED_PROFILE_COLUMNS
from ..domain.sids import SidPrefix, new_sid
from ..models import AuditEntry, AuthorizedRepresentative, CustomerProfile
from ..models.base import utcnow
from .actor import Actor
from .history import audit, record_history
from .profiles import get_profile, touch
from .transitions import transition

# Columns a revision copies from the profile it revises without applying them back.
_IDENTITY_COLUMNS = ("kind", "tier", "primary_profile_sid", "policy_sid")
_OWN_COLUMNS = ("friendly_name", "notification_email", "status_callback")
_PATHS = {spec.column: ".".join(spec.path) for spec in PROFILE_FIELDS.values()}


async def open_revision(session: AsyncSession, original_sid: str) -> CustomerProfile | None:
    """The profile's revision not yet approved (DRAFT, under review or REJECTED), if any."""
    rows = await session.exec(
        select(CustomerProfile).where(
            CustomerProfile.revision_of == original_sid,
            col(CustomerProfile.status) != Status.APPROVED.value,
        )
    )
    return rows.first()


async def _representatives(session: AsyncSession, sid: str) -> list[AuthorizedRepresentative]:
    rows = await session.exec(
        select(AuthorizedRepresentative)
        .where(AuthorizedRepresentative.profile_sid == sid)
        .order_by(col(AuthorizedRepresentative.position))
    )
    return list(rows.all())


async def revise_profile(session: AsyncSession, actor: Actor, sid: str) -> CustomerProfile:
    """Open the revision of an APPROVED profile: a DRAFT copy of its data and representatives."""
    original = await get_profile(session, actor, sid, for_update=True)
    if original.revision_of is not None:
        raise DomainError.single(
            ErrorCode.LOCKED,
            f"{sid} is a revision; revise the profile it revised ({original.revision_of}).",
            ("id",),
        )
    if original.status != Status.APPROVED.value:
        raise DomainError.single(
            ErrorCode.LOCKED,
            f"Only an APPROVED profile can be revised; this one is {original.status} "
            "(edit it directly while DRAFT or REJECTED).",
            ("id",),
        )
    existing = await open_revision(session, original.sid)
    if existing is not None:
        raise DomainError.single(
            ErrorCode.REVISION_EXISTS,
            f"Revision {existing.sid} is open already; edit, submit or delete it.",
            ("id",),
        )
    copied = {c: getattr(original, c) for c in (*_IDENTITY_COLUMNS, *_OWN_COLUMNS)}
    revised = {c: getattr(original, c) for c in REVISED_PROFILE_COLUMNS}
    revision = CustomerProfile(
        sid=new_sid(SidPrefix.PROFILE),
        account_sid=original.account_sid,
        revision_of=original.sid,
        status=Status.DRAFT.value,
        **copied,
        **revised,
    )
    session.add(revision)
    # The original's version moves too: two concurrent revise calls cannot both succeed.
    touch(original)
    await session.flush()
    for rep in await _representatives(session, original.sid):
        session.add(
            AuthorizedRepresentative(
                sid=new_sid(SidPrefix.REPRESENTATIVE),
                account_sid=rep.account_sid,
                profile_sid=revision.sid,
                position=rep.position,
                **{c: getattr(rep, c) for c in REPRESENTATIVE_COLUMNS},
            )
        )
    await record_history(
        session,
        account_sid=revision.account_sid,
        subject_sid=revision.sid,
        subject_type=SubjectType.CUSTOMER_PROFILE,
        previous=None,
        status=Status.DRAFT,
        actor=actor.name,
    )
    audit(session, actor, account_sid=original.account_sid, subject_sid=original.sid,
          action="revise", fields=[revision.sid])  # fmt: skip
    audit(session, actor, account_sid=revision.account_sid, subject_sid=revision.sid,
          action="create", fields=[f"revisionOf.{original.sid}"])  # fmt: skip
    await session.flush()
    return revision


async def apply_revision(session: AsyncSession, revision: CustomerProfile, decided_by: str) -> None:
    """The just-approved revision's data and representatives replace those of the profile it
    revises (which keeps its SID, status, name and notification targets), in the caller's
    transaction; the profile's history names the revision and the reviewer."""
    assert revision.revision_of is not None
    rows = await session.exec(
        select(CustomerProfile).where(CustomerProfile.sid == revision.revision_of).with_for_update()
    )
    original = rows.one()  # foreign key
    changed = [
        _PATHS[c] for c in REVISED_PROFILE_COLUMNS if getattr(original, c) != getattr(revision, c)
    ]
    for column in REVISED_PROFILE_COLUMNS:
        setattr(original, column, getattr(revision, column))
    original.terms_accepted_at = revision.terms_accepted_at
    original.terms_version = revision.terms_version
    original.updated_at = utcnow()
    changed += await _replace_representatives(session, original, revision)
    status = Status(original.status)
    await transition(
        session,
        account_sid=original.account_sid,
        subject_sid=original.sid,
        subject_type=SubjectType.CUSTOMER_PROFILE,
        previous=status,
        status=status,
        actor=decided_by,
        revision_sid=revision.sid,
    )
    session.add(
        AuditEntry(
            account_sid=original.account_sid,
            subject_sid=original.sid,
            action="apply_revision",
            # The audit's actor column holds one account; the history row names both of a
            # four-eyes decision.
            actor=decided_by.split("+", 1)[0],
            changed_fields=sorted({*changed, f"revision.{revision.sid}"}),
        )
    )


async def _replace_representatives(
    session: AsyncSession, original: CustomerProfile, revision: CustomerProfile
) -> list[str]:
    """Position by position: an existing representative keeps its SID and takes the revision's
    values, a new position is added, a position the revision dropped is removed."""
    theirs = {r.position: r for r in await _representatives(session, revision.sid)}
    ours = {r.position: r for r in await _representatives(session, original.sid)}
    changed: list[str] = []
    for position in sorted(ours.keys() - theirs.keys()):
        await session.delete(ours[position])
        changed.append(f"authorizedRepresentatives.{position}")
    if changed:
        await session.flush()  # the position is free before anything takes it again
    for position, source in sorted(theirs.items()):
        values = {c: getattr(source, c) for c in REPRESENTATIVE_COLUMNS}
        target = ours.get(position)
        if target is None:
            session.add(
                AuthorizedRepresentative(
                    sid=new_sid(SidPrefix.REPRESENTATIVE),
                    account_sid=original.account_sid,
                    profile_sid=original.sid,
                    position=position,
                    **values,
                )
            )
            changed.append(f"authorizedRepresentatives.{position}")
        elif any(getattr(target, c) != v for c, v in values.items()):
            for column, value in values.items():
                setattr(target, column, value)
            target.updated_at = utcnow()
            changed.append(f"authorizedRepresentatives.{position}")
    return changed
