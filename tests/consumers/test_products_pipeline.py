"""Trust products of every kind through the real review pipeline (in-process broker and
RabbitMQ, SQLite and PostgreSQL): submit → automated reviewer → decision consumer; and an
approval withdrawn through the queue taking the profile's products along."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role as AccountRole
from trusthub.domain.enums import Status
from trusthub.domain.products import TrustProductKind
from trusthub.messaging.messages import ReasonPayload
from trusthub.models import CustomerProfile, StatusChange, TrustProduct
from trusthub.runtime import ProcessRole, Runtime
from trusthub.services import products, reviews

from ..conftest import Acct, MakeAccount, delete_namespace
from .test_pipeline import submitted_profile, wait_for_status

PIPELINE = frozenset({ProcessRole.RELAY, ProcessRole.REVIEWER, ProcessRole.DECISIONS})
COMMON = {("notificationEmail",): "compliance@acmetelecom.com"}
GOOD: dict[TrustProductKind, dict[tuple[str, ...], Any]] = {
    TrustProductKind.SHAKEN_STIR: {},
    TrustProductKind.A2P_MESSAGING: {
        ("a2pMessaging", "companyType"): "PRIVATE",
        ("a2pMessaging", "brandContactEmail"): "brand@acmetelecom.com",
        ("a2pMessaging", "dailyMessageVolume"): 2_000,
    },
    TrustProductKind.CNAM: {("cnam", "displayName"): "ACME TELECOM"},
    TrustProductKind.VOICE_INTEGRITY: {
        ("voiceIntegrity", "useCase"): "CUSTOMER_SERVICE",
        ("voiceIntegrity", "employeeCount"): 40,
        ("voiceIntegrity", "averageDailyCallVolume"): 800,
    },
    TrustProductKind.BRANDED_CALLING: {
        ("brandedCalling", "displayName"): "Acme Telecom",
        ("brandedCalling", "longDisplayName"): "Acme Telecom Customer Care",
        ("brandedCalling", "callPurpose"): "CUSTOMER_SERVICE",
        ("brandedCalling", "callReason"): "Your support ticket",
    },
}


@pytest.fixture
async def runtime(
    settings: Settings, sessions: SessionFactory, broker_url: str, namespace: str
) -> AsyncIterator[Runtime]:
    cfg = settings.model_copy(update={"broker_url": broker_url, "broker_namespace": namespace})
    rt = Runtime(cfg, sessions, PIPELINE)
    await rt.start()
    yield rt
    await rt.stop()
    await delete_namespace(broker_url, namespace)


async def approved_profile(runtime: Runtime, sessions: SessionFactory, owner: Acct) -> str:
    sid = await submitted_profile(sessions, owner)
    runtime.relay.wake()
    await wait_for_status(sessions, sid, Status.APPROVED)
    return sid


async def submit_product(
    sessions: SessionFactory, owner: Acct, profile: str, kind: TrustProductKind,
    block: dict[tuple[str, ...], Any],
) -> str:  # fmt: skip
    changes = {("friendlyName",): f"Acme {kind.value}", **COMMON, **block}
    async with sessions() as s:
        row = await products.create_product(
            s, owner.actor, products.NewProduct(kind, profile, changes)
        )
        await products.submit_product(s, owner.actor, row.sid, accept_terms=True)
        await s.commit()
        return row.sid


async def product_status(sessions: SessionFactory, sid: str, wanted: Status) -> TrustProduct:
    async with asyncio.timeout(15):
        while True:
            async with sessions() as s:
                row = await s.get(TrustProduct, sid)
            assert row is not None
            if row.status == wanted.value:
                return row
            await asyncio.sleep(0.05)


async def test_every_kind_is_reviewed_and_approved(
    runtime: Runtime, sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved business profile
    profile = await approved_profile(runtime, sessions, alice)
    # when a sound product of every kind is submitted (branded calling after voice integrity)
    approved = {}
    for kind in TrustProductKind:
        sid = await submit_product(sessions, alice, profile, kind, GOOD[kind])
        runtime.relay.wake()
        approved[kind] = await product_status(sessions, sid, Status.APPROVED)
    # then each went through review to APPROVED by the automated reviewer
    async with sessions() as s:
        for kind, row in approved.items():
            rows = await s.exec(
                select(StatusChange)
                .where(StatusChange.subject_sid == row.sid)
                .order_by(col(StatusChange.id))
            )
            assert [(h.to_status, h.actor) for h in rows.all()][-2:] == [
                ("IN_REVIEW", reviews.AUTOMATED_REVIEWER),
                ("APPROVED", reviews.AUTOMATED_REVIEWER),
            ], kind


async def test_a_misleading_cnam_is_rejected_with_a_reason(
    runtime: Runtime, sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile and a CNAM posing as the tax authority
    profile = await approved_profile(runtime, sessions, alice)
    sid = await submit_product(
        sessions, alice, profile, TrustProductKind.CNAM, {("cnam", "displayName"): "IRS"}
    )
    runtime.relay.wake()
    # when it is reviewed
    row = await product_status(sessions, sid, Status.REJECTED)
    # then the reason names the display name
    assert [(r["code"], r["field"]) for r in row.reasons] == [
        ("BUSINESS_NAME_WEBSITE", ["cnam", "displayName"])
    ]


async def test_withdrawing_a_profile_approval_rejects_its_products(
    runtime: Runtime, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an approved profile with an approved SHAKEN/STIR product and a draft CNAM
    profile = await approved_profile(runtime, sessions, alice)
    shaken = await submit_product(sessions, alice, profile, TrustProductKind.SHAKEN_STIR, {})
    runtime.relay.wake()
    await product_status(sessions, shaken, Status.APPROVED)
    async with sessions() as s:
        draft = await products.create_product(
            s, alice.actor, products.NewProduct(
                TrustProductKind.CNAM, profile, {("friendlyName",): "CNAM", **COMMON}
            ),
        )  # fmt: skip
        await s.commit()
    reviewer = await make_account("rita", AccountRole.REVIEWER)
    # when a reviewer withdraws the profile's approval
    async with sessions() as s:
        await reviews.withdraw_approval(
            s, reviewer.actor, profile,
            [ReasonPayload(code="BUSINESS_REGISTRATION_ID", message="Registration revoked.")],
        )  # fmt: skip
        await s.commit()
    runtime.relay.wake()
    # then the profile and its approved product are REJECTED, the draft untouched
    await wait_for_status(sessions, profile, Status.REJECTED)
    product = await product_status(sessions, shaken, Status.REJECTED)
    assert [r["code"] for r in product.reasons] == ["OTHER"]
    async with sessions() as s:
        row = await s.get(CustomerProfile, profile)
        still = await s.get(TrustProduct, draft.sid)
    assert row is not None
    assert [r["code"] for r in row.reasons] == ["BUSINESS_REGISTRATION_ID"]
    assert still is not None
    assert still.status == Status.DRAFT.value
