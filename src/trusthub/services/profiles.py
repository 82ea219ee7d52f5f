"""Customer profile use cases: create, update, delete, read, list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..config import Settings, get_settings
from ..domain import lifecycle
from ..domain import validators as v
from ..domain.callback_urls import CallbackRules
from ..domain.enums import ProfileKind, ProfileTier, Status, SubjectType
from ..domain.errors import DomainError, ErrorCode, FieldError
from ..domain.fields import (
    BLOCK_FOR_KIND,
    PROFILE_FIELDS,
    FieldSpec,
    Path,
    apply_changes,
    check_value,
    with_callback_rules,
)
from ..domain.pagination import PageArgs
from ..domain.sids import SidPrefix, new_sid
from ..models import (
    AuthorizedRepresentative,
    CustomerProfile,
    PhoneNumber,
    Policy,
    ProductPhoneNumber,
    TrustProduct,
)
from ..models.base import utcnow
from .actor import Actor
from .document_purge import drop_documents
from .history import audit, record_history
from .pagination import Page, keyset_page
from .scoping import get_owned, owned_by

FILTER_NAME: Path = ("filter", "friendlyName")
_FILTER_NAME_CHECK = v.text(64, min_length=0)  # a longer substring is in no name


@dataclass(frozen=True)
class NewProfile:
    kind: ProfileKind
    tier: ProfileTier
    primary_profile_sid: str | None
    changes: Mapping[Path, Any]


@dataclass(frozen=True)
class ProfileFilter:
    status: Status | None = None
    kind: ProfileKind | None = None
    tier: ProfileTier | None = None
    friendly_name: str | None = None


async def get_profile(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    *,
    field: Path = ("id",),
    for_update: bool = False,
) -> CustomerProfile:
    """The actor's profile, or NOT_FOUND (another account's profile reads as not found)."""
    return await get_owned(session, actor, CustomerProfile, sid, field=field, for_update=for_update)


async def policy_for(session: AsyncSession, kind: ProfileKind, tier: ProfileTier) -> Policy:
    query = select(Policy).where(
        Policy.subject_type == SubjectType.CUSTOMER_PROFILE.value,
        Policy.kind == kind.value,
        Policy.tier == tier.value,
    )
    policy = (await session.exec(query)).first()
    if policy is None:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"No policy covers {tier.value} {kind.value} profiles.",
            ("tier",),
        )
    return policy


def _check_blocks(kind: ProfileKind, changes: Mapping[Path, Any]) -> None:
    """Business information belongs to BUSINESS profiles, individual information to INDIVIDUAL."""
    errors = [
        FieldError(
            ErrorCode.INVALID_VALUE,
            (block,),
            f"{block} information cannot be set on a {kind.value} profile.",
        )
        for block, owner in BLOCK_FOR_KIND.items()
        if owner != kind.value and any(path[0] == block for path in changes)
    ]
    if errors:
        raise DomainError(errors)


async def _check_primary(
    session: AsyncSession, actor: Actor, data: NewProfile
) -> CustomerProfile | None:
    field = ("primaryProfileId",)
    if data.tier is ProfileTier.PRIMARY:
        if data.primary_profile_sid is not None:
            raise DomainError.single(
                ErrorCode.INVALID_VALUE, "Only a SECONDARY profile names a primary profile.", field
            )
        return None
    if data.kind is not ProfileKind.BUSINESS:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE, "Only BUSINESS profiles can be SECONDARY.", ("tier",)
        )
    if data.primary_profile_sid is None:
        raise DomainError.single(
            ErrorCode.REQUIRED, "A SECONDARY profile must name its primary profile.", field
        )
    primary = await get_profile(session, actor, data.primary_profile_sid, field=field)
    ensure_not_revision(primary, field)
    if primary.tier != ProfileTier.PRIMARY.value or primary.kind != ProfileKind.BUSINESS.value:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            "The primary profile must be a PRIMARY BUSINESS profile.",
            field,
        )
    return primary


def ensure_not_revision(profile: CustomerProfile, field: Path) -> None:
    """Products, numbers and secondary profiles belong to the profile in force, never to a
    revision of it (which would take them with it when discarded)."""
    if profile.revision_of is not None:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"{profile.sid} is a revision of {profile.revision_of}; use that profile instead.",
            field,
        )


def callback_rules(settings: Settings | None) -> CallbackRules:
    """How strictly status callback URLs are checked in this deployment."""
    s = settings or get_settings()
    return CallbackRules(s.webhook_allow_private_networks, s.webhook_require_https)


def profile_fields(settings: Settings | None) -> dict[Path, FieldSpec]:
    return with_callback_rules(PROFILE_FIELDS, callback_rules(settings))


async def create_profile(
    session: AsyncSession, actor: Actor, data: NewProfile, *, settings: Settings | None = None
) -> CustomerProfile:
    _check_blocks(data.kind, data.changes)
    primary = await _check_primary(session, actor, data)
    # A profile cannot exist without its non-clearable fields: a left-out one reads as null.
    required = {p: None for p, spec in PROFILE_FIELDS.items() if not spec.clearable}
    values = apply_changes(profile_fields(settings), {**required, **data.changes}, {})
    policy = await policy_for(session, data.kind, data.tier)
    profile = CustomerProfile(
        sid=new_sid(SidPrefix.PROFILE),
        account_sid=primary.account_sid if primary else actor.account_sid,
        kind=data.kind.value,
        tier=data.tier.value,
        primary_profile_sid=primary.sid if primary else None,
        policy_sid=policy.sid,
        status=Status.DRAFT.value,
        **values,
    )
    session.add(profile)
    await record_history(
        session,
        account_sid=profile.account_sid,
        subject_sid=profile.sid,
        subject_type=SubjectType.CUSTOMER_PROFILE,
        previous=None,
        status=Status.DRAFT,
        actor=actor.name,
    )
    audit(
        session,
        actor,
        account_sid=profile.account_sid,
        subject_sid=profile.sid,
        action="create",
        fields=(".".join(p) for p in data.changes),
    )
    await session.flush()
    return profile


async def update_profile(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    changes: Mapping[Path, Any],
    *,
    settings: Settings | None = None,
) -> CustomerProfile:
    profile = await get_profile(session, actor, sid)
    if profile.status == Status.APPROVED.value:
        # In-place edits of an approved profile wait for a revision being applied to it (the
        # decision consumer holds this lock) and then write on top of it: neither is lost.
        await session.refresh(profile, with_for_update=True)
    lifecycle.ensure_profile_editable(
        Status(profile.status), changes, is_revision=profile.revision_of is not None
    )
    _check_blocks(ProfileKind(profile.kind), changes)
    values = apply_changes(profile_fields(settings), changes, profile.model_dump())
    changed = [c for c, v in values.items() if getattr(profile, c) != v]
    if changed:
        for column in changed:
            setattr(profile, column, values[column])
        touch(profile)
        audit(
            session,
            actor,
            account_sid=profile.account_sid,
            subject_sid=profile.sid,
            action="update",
            fields=(_path_of(c) for c in changed),
        )
        await session.flush()
    return profile


def touch(profile: CustomerProfile) -> None:
    profile.updated_at = utcnow()


_COLUMN_PATHS = {spec.column: ".".join(spec.path) for spec in PROFILE_FIELDS.values()}


def _path_of(column: str) -> str:
    return _COLUMN_PATHS.get(column, column)


async def delete_profile(session: AsyncSession, actor: Actor, sid: str) -> str:
    profile = await get_profile(session, actor, sid)
    lifecycle.ensure_deletable(Status(profile.status), is_admin=actor.is_admin)
    dependents = await session.exec(
        select(func.count()).where(CustomerProfile.primary_profile_sid == profile.sid)
    )
    if dependents.one():
        raise DomainError.single(
            ErrorCode.LOCKED,
            "Secondary profiles depend on this profile; delete them first.",
            ("id",),
        )
    await _delete_revisions(session, actor, profile)
    await _delete_dependents(session, actor, profile)
    audit(session, actor, account_sid=profile.account_sid, subject_sid=sid, action="delete")
    await session.delete(profile)
    await session.flush()
    return sid


async def _delete_revisions(session: AsyncSession, actor: Actor, profile: CustomerProfile) -> None:
    """An approved profile deleted by an admin takes its revisions along, unless one is under
    review (its decision would have nothing to apply to)."""
    rows = await session.exec(
        select(CustomerProfile).where(CustomerProfile.revision_of == profile.sid)
    )
    revisions = list(rows.all())
    if any(r.status in lifecycle.UNDER_REVIEW_STATUSES for r in revisions):
        raise DomainError.single(
            ErrorCode.LOCKED, "A revision of this profile is under review.", ("id",)
        )
    for revision in revisions:
        await _delete_dependents(session, actor, revision)
        audit(session, actor, account_sid=revision.account_sid, subject_sid=revision.sid,
              action="delete")  # fmt: skip
        await session.delete(revision)
    if revisions:
        await session.flush()


async def _delete_dependents(session: AsyncSession, actor: Actor, profile: CustomerProfile) -> None:
    """A profile goes with its representatives, numbers and DRAFT/REJECTED trust products (each
    deletion audited: reviews of them show when it went); one with a product under review or
    approved stays (that product depends on it)."""
    products = select(TrustProduct.sid).where(TrustProduct.customer_profile_sid == profile.sid)
    blocking = await session.exec(
        products.where(
            col(TrustProduct.status).in_(lifecycle.status_values(lifecycle.LOCKED_STATUSES))
        )
    )
    if blocking.first() is not None:
        raise DomainError.single(
            ErrorCode.LOCKED,
            "A trust product under review or approved depends on this profile.",
            ("id",),
        )
    for product_sid in (await session.exec(products)).all():
        audit(
            session,
            actor,
            account_sid=profile.account_sid,
            subject_sid=product_sid,
            action="delete",
        )
    # Their blobs stay until the purge (README, Retention): the audit trail names them.
    owned = [profile.sid, *(await session.exec(products)).all()]
    await drop_documents(session, actor, profile.account_sid, owned)
    for statement in (
        sa.delete(ProductPhoneNumber).where(
            col(ProductPhoneNumber.trust_product_sid).in_(products)
        ),
        sa.delete(TrustProduct).where(col(TrustProduct.customer_profile_sid) == profile.sid),
        sa.delete(PhoneNumber).where(col(PhoneNumber.customer_profile_sid) == profile.sid),
        sa.delete(AuthorizedRepresentative).where(
            col(AuthorizedRepresentative.profile_sid) == profile.sid
        ),
    ):
        await session.exec(statement)


# -- listing ---------------------------------------------------------------------------------


def _filters(actor: Actor, flt: ProfileFilter) -> list[Any]:
    where: list[Any] = [owned_by(actor, CustomerProfile)]
    if flt.status is not None:
        where.append(col(CustomerProfile.status) == flt.status.value)
    if flt.kind is not None:
        where.append(col(CustomerProfile.kind) == flt.kind.value)
    if flt.tier is not None:
        where.append(col(CustomerProfile.tier) == flt.tier.value)
    # Checked like the stored names, so that no value reaches the database that a name can't hold.
    name = check_value(FILTER_NAME, _FILTER_NAME_CHECK, flt.friendly_name or "")
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(
            func.lower(CustomerProfile.friendly_name).like(f"%{escaped.lower()}%", escape="\\")
        )
    return where


async def list_profiles(
    session: AsyncSession, actor: Actor, flt: ProfileFilter, args: PageArgs
) -> Page[CustomerProfile]:
    """Keyset pagination in creation order (stable under inserts, no OFFSET scans)."""
    key = (col(CustomerProfile.created_at), col(CustomerProfile.sid))
    return await keyset_page(session, CustomerProfile, _filters(actor, flt), key, args)
