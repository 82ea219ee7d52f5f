"""Trust product use cases: create, update, delete, evaluate, submit, list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..config import Settings, get_settings
from ..domain import lifecycle
from ..domain.enums import Status, SubjectType
from ..domain.errors import DomainError, ErrorCode, FieldError
from ..domain.evaluation import Outcome, ProfileFacts
from ..domain.fields import Path, apply_changes, with_callback_rules
from ..domain.pagination import PageArgs
from ..domain.products import (
    BLOCK_NAMES,
    TrustProductKind,
    product_fields,
)
from ..domain.sids import SidPrefix, is_sid, new_sid
from ..models import (
    CustomerProfile,
    Evaluation,
    Policy,
    ProductPhoneNumber,
    TrustProduct,
)
from ..models.base import utcnow
from .actor import Actor
from .document_purge import drop_documents
from .documents import document_facts
from .evaluations import evaluate_subject
from .history import audit, record_history
from .pagination import Page, keyset_page
from .profiles import callback_rules, ensure_not_revision, get_profile
from .scoping import get_owned, owned_by
from .submission import ensure_compliant, ensure_submittable, send_for_review


@dataclass(frozen=True)
class NewProduct:
    kind: TrustProductKind
    customer_profile_sid: str
    changes: Mapping[Path, Any]


@dataclass(frozen=True)
class ProductFilter:
    kind: TrustProductKind | None = None
    status: Status | None = None
    customer_profile_sid: str | None = None


async def get_product(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    *,
    field: Path = ("id",),
    for_update: bool = False,
) -> TrustProduct:
    return await get_owned(session, actor, TrustProduct, sid, field=field, for_update=for_update)


def _own_block(kind: TrustProductKind, changes: Mapping[Path, Any]) -> dict[Path, Any]:
    """The changes without other kinds' blocks: refused when they carry a value, ignored when
    null (frontends often send every block, the unused ones as null)."""
    own = BLOCK_NAMES[kind]
    foreign = {p for p in changes if len(p) > 1 and p[0] != own}
    errors = [
        FieldError(
            ErrorCode.INVALID_VALUE, (block,), f"{block} does not apply to a {kind.value} product."
        )
        for block in sorted({p[0] for p in foreign if changes[p] is not None})
    ]
    if errors:
        raise DomainError(errors)
    return {p: v for p, v in changes.items() if p not in foreign}


async def policy_for_product(session: AsyncSession, kind: TrustProductKind) -> Policy:
    query = select(Policy).where(
        Policy.subject_type == SubjectType.TRUST_PRODUCT.value, Policy.kind == kind.value
    )
    policy = (await session.exec(query)).first()
    if policy is None:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE, f"No policy covers {kind.value} products.", ("kind",)
        )
    return policy


async def create_product(
    session: AsyncSession, actor: Actor, data: NewProduct, *, settings: Settings | None = None
) -> TrustProduct:
    profile = await get_profile(
        session, actor, data.customer_profile_sid, field=("customerProfileId",)
    )
    ensure_not_revision(profile, ("customerProfileId",))
    changes = _own_block(data.kind, data.changes)
    specs = with_callback_rules(product_fields(data.kind), callback_rules(settings))
    required = {p: None for p, spec in specs.items() if not spec.clearable}
    values = apply_changes(specs, {**required, **changes}, {})
    policy = await policy_for_product(session, data.kind)
    product = TrustProduct(
        sid=new_sid(SidPrefix.PROFILE),  # trust products share the BU prefix (DESIGN.md)
        account_sid=profile.account_sid,
        customer_profile_sid=profile.sid,
        kind=data.kind.value,
        policy_sid=policy.sid,
        status=Status.DRAFT.value,
        **values,
    )
    session.add(product)
    await record_history(
        session,
        account_sid=product.account_sid,
        subject_sid=product.sid,
        subject_type=SubjectType.TRUST_PRODUCT,
        previous=None,
        status=Status.DRAFT,
        actor=actor.name,
    )
    audit(
        session, actor, account_sid=product.account_sid, subject_sid=product.sid,
        action="create", fields=(".".join(p) for p in changes),
    )  # fmt: skip
    await session.flush()
    return product


async def update_product(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    changes: Mapping[Path, Any],
    *,
    settings: Settings | None = None,
) -> TrustProduct:
    product = await get_product(session, actor, sid)
    lifecycle.ensure_editable(Status(product.status))
    kind = TrustProductKind(product.kind)
    changes = _own_block(kind, changes)
    specs = with_callback_rules(product_fields(kind), callback_rules(settings))
    values = apply_changes(specs, changes, product.model_dump())
    changed = [c for c, v in values.items() if getattr(product, c) != v]
    if changed:
        for column in changed:
            setattr(product, column, values[column])
        product.updated_at = utcnow()
        paths = {s.column: ".".join(s.path) for s in specs.values()}
        audit(
            session, actor, account_sid=product.account_sid, subject_sid=product.sid,
            action="update", fields=(paths[c] for c in changed),
        )  # fmt: skip
        await session.flush()
    return product


async def delete_product(session: AsyncSession, actor: Actor, sid: str) -> str:
    product = await get_product(session, actor, sid)
    lifecycle.ensure_deletable(Status(product.status), is_admin=actor.is_admin)
    await session.exec(
        sa.delete(ProductPhoneNumber).where(col(ProductPhoneNumber.trust_product_sid) == sid)
    )
    await drop_documents(session, actor, product.account_sid, [sid])
    audit(session, actor, account_sid=product.account_sid, subject_sid=sid, action="delete")
    await session.delete(product)
    await session.flush()
    return sid


# -- evaluation and submission ----------------------------------------------------------------


async def _facts(session: AsyncSession, product: TrustProduct) -> ProfileFacts:
    profile = await session.get(CustomerProfile, product.customer_profile_sid)
    siblings = await session.exec(
        select(TrustProduct).where(
            TrustProduct.customer_profile_sid == product.customer_profile_sid,
            TrustProduct.sid != product.sid,
        )
    )
    return ProfileFacts(
        values=product.model_dump(),
        customer_profile=profile.model_dump() if profile else None,
        products=[p.model_dump() for p in siblings.all()],
        fields=product_fields(TrustProductKind(product.kind)),
        documents=await document_facts(session, product.sid),
        now=utcnow(),
    )


async def _evaluate(session: AsyncSession, product: TrustProduct) -> tuple[Outcome, Evaluation]:
    return await evaluate_subject(session, product, await _facts(session, product))


async def evaluate_product(session: AsyncSession, actor: Actor, sid: str) -> Evaluation:
    product = await get_product(session, actor, sid)
    _, row = await _evaluate(session, product)
    await session.flush()
    return row


async def submit_product(
    session: AsyncSession,
    actor: Actor,
    sid: str,
    *,
    accept_terms: bool,
    settings: Settings | None = None,
) -> TrustProduct:
    product = await get_product(session, actor, sid, for_update=True)
    ensure_submittable(product, accept_terms=accept_terms)
    profile = await session.get(CustomerProfile, product.customer_profile_sid)
    assert profile is not None  # foreign key
    if profile.status != Status.APPROVED.value:
        raise DomainError.single(
            ErrorCode.PROFILE_NOT_APPROVED,
            f"The customer profile is {profile.status}; a trust product can be submitted only "
            "once its customer profile is APPROVED.",
            ("customerProfileId",),
        )
    outcome, evaluation = await _evaluate(session, product)
    _ensure_isv_volume_rule(outcome)
    ensure_compliant(outcome)
    await send_for_review(session, actor, product, evaluation, settings or get_settings())
    await session.flush()
    return product


def _ensure_isv_volume_rule(outcome: Outcome) -> None:
    """The A2P policy's ISV rule gets its own code: the fix is a secondary profile, not data."""
    isv = [f for f in outcome.failures if f.code == ErrorCode.SECONDARY_PROFILE_REQUIRED.value]
    if isv:
        raise DomainError(
            [FieldError(ErrorCode.SECONDARY_PROFILE_REQUIRED, f.field, f.message) for f in isv]
        )


# -- listing ------------------------------------------------------------------------------------


def _filters(actor: Actor, flt: ProductFilter) -> list[Any]:
    where: list[Any] = [owned_by(actor, TrustProduct)]
    if flt.kind is not None:
        where.append(col(TrustProduct.kind) == flt.kind.value)
    if flt.status is not None:
        where.append(col(TrustProduct.status) == flt.status.value)
    if flt.customer_profile_sid is not None:
        sid = flt.customer_profile_sid
        where.append(col(TrustProduct.customer_profile_sid) == sid if is_sid(sid) else sa.false())
    return where


async def list_products(
    session: AsyncSession, actor: Actor, flt: ProductFilter, args: PageArgs
) -> Page[TrustProduct]:
    """Keyset pagination in creation order, like the profiles' listing."""
    key = (col(TrustProduct.created_at), col(TrustProduct.sid))
    return await keyset_page(session, TrustProduct, _filters(actor, flt), key, args)
