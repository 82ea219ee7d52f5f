"""Authorized representatives of a business profile (#1 required to submit, #2 optional)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain import lifecycle
from ..domain.enums import ProfileKind, Status
from ..domain.errors import DomainError, ErrorCode
from ..domain.fields import REPRESENTATIVE_FIELDS, Path, apply_changes
from ..domain.sids import SidPrefix, new_sid
from ..models import AuthorizedRepresentative, CustomerProfile, RepresentativeVerification
from .actor import Actor
from .history import audit
from .profiles import get_profile, touch
from .scoping import get_owned
from .verifications import CONFIRMED_FIELDS, forget

MAX_REPRESENTATIVES = 2


async def _editable_business_profile(
    session: AsyncSession, actor: Actor, sid: str, field: Path
) -> CustomerProfile:
    profile = await get_profile(session, actor, sid, field=field)
    lifecycle.ensure_editable(Status(profile.status))
    if profile.kind != ProfileKind.BUSINESS.value:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            "Only BUSINESS profiles have authorized representatives.",
            field,
        )
    return profile


async def _get_representative(
    session: AsyncSession, actor: Actor, sid: str
) -> AuthorizedRepresentative:
    return await get_owned(session, actor, AuthorizedRepresentative, sid)


def _rep_fields(position: int, paths: Any) -> list[str]:
    return [".".join(("authorizedRepresentatives", str(position), *p)) for p in paths]


async def add_representative(
    session: AsyncSession,
    actor: Actor,
    profile_sid: str,
    position: int,
    changes: Mapping[Path, Any],
) -> CustomerProfile:
    profile = await _editable_business_profile(session, actor, profile_sid, ("profileId",))
    if position not in range(1, MAX_REPRESENTATIVES + 1):
        raise DomainError.single(
            ErrorCode.LIMIT_EXCEEDED,
            f"position must be 1 or 2: at most {MAX_REPRESENTATIVES} representatives per profile.",
            ("position",),
        )
    missing = [p for p in REPRESENTATIVE_FIELDS if p not in changes]
    values = apply_changes(REPRESENTATIVE_FIELDS, {**dict.fromkeys(missing), **changes}, {})
    taken = await session.exec(
        select(AuthorizedRepresentative.sid).where(
            AuthorizedRepresentative.profile_sid == profile.sid,
            AuthorizedRepresentative.position == position,
        )
    )
    if taken.first() is not None:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"Representative #{position} exists already; update or remove it.",
            ("position",),
        )
    session.add(
        AuthorizedRepresentative(
            sid=new_sid(SidPrefix.REPRESENTATIVE),
            account_sid=profile.account_sid,
            profile_sid=profile.sid,
            position=position,
            **values,
        )
    )
    touch(profile)
    audit(
        session,
        actor,
        account_sid=profile.account_sid,
        subject_sid=profile.sid,
        action="add_representative",
        fields=_rep_fields(position, REPRESENTATIVE_FIELDS),
    )
    await session.flush()
    return profile


async def update_representative(
    session: AsyncSession, actor: Actor, sid: str, changes: Mapping[Path, Any]
) -> CustomerProfile:
    rep = await _get_representative(session, actor, sid)
    profile = await _editable_business_profile(session, actor, rep.profile_sid, ("id",))
    values = apply_changes(REPRESENTATIVE_FIELDS, changes, rep.model_dump())
    changed = [c for c, v in values.items() if getattr(rep, c) != v]
    if changed:
        for column in changed:
            setattr(rep, column, values[column])
        touch(profile)
        rep.updated_at = profile.updated_at
        paths = [s.path for s in REPRESENTATIVE_FIELDS.values() if s.column in changed]
        audit(
            session,
            actor,
            account_sid=profile.account_sid,
            subject_sid=profile.sid,
            action="update_representative",
            fields=_rep_fields(rep.position, paths),
        )
        if CONFIRMED_FIELDS.intersection(changed):
            await forget(session, rep, actor)
        await session.flush()
    return profile


async def remove_representative(session: AsyncSession, actor: Actor, sid: str) -> CustomerProfile:
    rep = await _get_representative(session, actor, sid)
    profile = await _editable_business_profile(session, actor, rep.profile_sid, ("id",))
    await session.delete(rep)
    verification = await session.exec(
        select(RepresentativeVerification).where(
            RepresentativeVerification.representative_sid == rep.sid
        )
    )
    for row in verification.all():
        await session.delete(row)
    touch(profile)
    audit(
        session,
        actor,
        account_sid=profile.account_sid,
        subject_sid=profile.sid,
        action="remove_representative",
        fields=_rep_fields(rep.position, REPRESENTATIVE_FIELDS),
    )
    await session.flush()
    return profile
