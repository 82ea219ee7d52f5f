"""Shared steps for the trust product, phone number and withdrawal service tests (no tests here).

Each step runs in its own session and commits, like a request. Approvals are set straight in
the database: reviews are tested elsewhere."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import BusinessIdentity, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.fields import Path
from trusthub.domain.products import TrustProductKind
from trusthub.models import Evaluation, OutboxMessage, StatusChange, TrustProduct
from trusthub.services import phone_numbers, products
from trusthub.services.products import NewProduct

from ..conftest import Acct
from ..factories import business_profile
from .helpers import codes, create_complete, force, refused, secondary

ALL_KINDS = list(TrustProductKind)
NUMBER = "+14155550123"
OTHER_NUMBER = "+14155550124"

# What a customer fills in for each kind to make a product complete.
COMPLETE: dict[TrustProductKind, dict[Path, Any]] = {
    TrustProductKind.SHAKEN_STIR: {},
    TrustProductKind.A2P_MESSAGING: {
        ("a2pMessaging", "companyType"): "PRIVATE",
        ("a2pMessaging", "brandContactEmail"): "brand@acme.example.com",
        ("a2pMessaging", "dailyMessageVolume"): 1_000,
    },
    TrustProductKind.CNAM: {("cnam", "displayName"): "ACME CORP"},
    TrustProductKind.VOICE_INTEGRITY: {
        ("voiceIntegrity", "useCase"): "CUSTOMER_SERVICE",
        ("voiceIntegrity", "employeeCount"): 120,
        ("voiceIntegrity", "averageDailyCallVolume"): 2_500,
    },
    TrustProductKind.BRANDED_CALLING: {
        ("brandedCalling", "displayName"): "Acme",
        ("brandedCalling", "longDisplayName"): "Acme Communications",
        ("brandedCalling", "callPurpose"): "DELIVERY_NOTIFICATIONS",
        ("brandedCalling", "callReason"): "Your parcel is on its way",
    },
}

COMMON: dict[Path, Any] = {
    ("friendlyName",): "Acme product",
    ("notificationEmail",): "trust@acme.example.com",
}


def new_product(
    kind: TrustProductKind, profile_sid: str, changes: dict[Path, Any] | None = None
) -> NewProduct:
    """A product of `kind` with its common fields and, unless replaced, its complete block."""
    block = COMPLETE[kind] if changes is None else changes
    return NewProduct(kind, profile_sid, {**COMMON, **block})


async def make_product(
    sessions: SessionFactory,
    owner: Acct,
    kind: TrustProductKind,
    profile_sid: str,
    changes: dict[Path, Any] | None = None,
) -> str:
    async with sessions() as s:
        row = await products.create_product(s, owner.actor, new_product(kind, profile_sid, changes))
        await s.commit()
    return row.sid


async def approved_profile(
    sessions: SessionFactory,
    owner: Acct,
    identity: BusinessIdentity = BusinessIdentity.DIRECT_CUSTOMER,
) -> str:
    """A complete primary business profile, APPROVED."""
    data = business_profile(changes={("business", "identity"): identity.value})
    sid = await create_complete(sessions, owner, data)
    await force(sessions, sid, Status.APPROVED)
    return sid


async def approved_secondary(sessions: SessionFactory, owner: Acct, primary_sid: str) -> str:
    sid = await create_complete(sessions, owner, secondary(primary_sid))
    await force(sessions, sid, Status.APPROVED)
    return sid


async def force_product(sessions: SessionFactory, sid: str, status: Status) -> None:
    """Set a product's status the way a review would, straight in the database."""
    async with sessions() as s:
        row = await s.get(TrustProduct, sid)
        assert row is not None
        row.status = status.value
        s.add(row)
        await s.commit()


async def product_with_status(
    sessions: SessionFactory,
    owner: Acct,
    kind: TrustProductKind,
    profile_sid: str,
    status: Status,
) -> str:
    sid = await make_product(sessions, owner, kind, profile_sid)
    if status is not Status.DRAFT:
        await force_product(sessions, sid, status)
    return sid


async def stored_product(sessions: SessionFactory, sid: str) -> TrustProduct | None:
    async with sessions() as s:
        return await s.get(TrustProduct, sid)


async def product_status(sessions: SessionFactory, sid: str) -> str:
    row = await stored_product(sessions, sid)
    assert row is not None, f"product {sid} is gone"
    return row.status


async def evaluate(sessions: SessionFactory, owner: Acct, sid: str) -> Evaluation:
    async with sessions() as s:
        row = await products.evaluate_product(s, owner.actor, sid)
        await s.commit()
    return row


def failures(evaluation: Evaluation) -> set[tuple[tuple[str, ...], str]]:
    """(field path, code) of every failure."""
    return {(tuple(f["field"]), f["code"]) for r in evaluation.results for f in r["failures"]}


async def submit(sessions: SessionFactory, owner: Acct, sid: str) -> TrustProduct:
    async with sessions() as s:
        row = await products.submit_product(s, owner.actor, sid, accept_terms=True)
        await s.commit()
    return row


async def submit_refused(
    sessions: SessionFactory, owner: Acct, sid: str, *, accept: bool = True
) -> set[tuple[ErrorCode, tuple[str, ...] | None]]:
    async with sessions() as s:
        error = await refused(products.submit_product(s, owner.actor, sid, accept_terms=accept))
    return codes(error)


async def assign(
    sessions: SessionFactory,
    owner: Acct,
    number: str,
    *,
    profile: str | None = None,
    product: str | None = None,
) -> phone_numbers.Assignment:
    async with sessions() as s:
        result = await phone_numbers.assign(
            s, owner.actor, number, customer_profile_sid=profile, trust_product_sid=product
        )
        await s.commit()
    return result


async def history(sessions: SessionFactory, sid: str) -> list[tuple[str | None, str, str]]:
    """(from, to, actor) of every transition of a subject, in order."""
    async with sessions() as s:
        rows = await s.exec(
            select(StatusChange)
            .where(StatusChange.subject_sid == sid)
            .order_by(col(StatusChange.id))
        )
        return [(r.from_status, r.to_status, r.actor) for r in rows.all()]


async def outbox(sessions: SessionFactory, subject_sid: str) -> list[tuple[str, str]]:
    """(message type, routing key) of every message about a subject, in order."""
    async with sessions() as s:
        rows = (await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [
        (r.message_type, r.routing_key) for r in rows if r.payload.get("subject_sid") == subject_sid
    ]
