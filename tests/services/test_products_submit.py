"""Evaluating and submitting trust products on SQLite and PostgreSQL: each kind's policy, the
customer profile it needs, the ISV volume rule, and what a submit leaves behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from trusthub.config import get_settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import BusinessIdentity, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.fields import Path
from trusthub.domain.products import TrustProductKind
from trusthub.models import Review
from trusthub.services import products

from ..conftest import Acct
from .helpers import codes, create, create_complete, force, individual_profile, refused
from .test_products_helpers import (
    ALL_KINDS,
    COMPLETE,
    approved_profile,
    approved_secondary,
    evaluate,
    failures,
    history,
    make_product,
    outbox,
    product_status,
    product_with_status,
    stored_product,
    submit,
    submit_refused,
)

REQUIREMENTS: dict[TrustProductKind, list[str]] = {
    TrustProductKind.SHAKEN_STIR: [],
    TrustProductKind.A2P_MESSAGING: ["A2P messaging information", "Stock listing"],
    TrustProductKind.CNAM: ["CNAM information"],
    TrustProductKind.VOICE_INTEGRITY: ["Voice integrity information"],
    TrustProductKind.BRANDED_CALLING: ["Branded calling information"],
}
PUBLIC_COMPANY: dict[Path, Any] = {
    **COMPLETE[TrustProductKind.A2P_MESSAGING],
    ("a2pMessaging", "companyType"): "PUBLIC",
}
NOT_APPROVED = ("customerProfileId",), "PROFILE_NOT_APPROVED"


async def ready(sessions: SessionFactory, owner: Acct, kind: TrustProductKind, profile: str) -> str:
    """A complete product of `kind` (branded calling gets its approved voice integrity first)."""
    if kind is TrustProductKind.BRANDED_CALLING:
        vi = TrustProductKind.VOICE_INTEGRITY
        await product_with_status(sessions, owner, vi, profile, Status.APPROVED)
    return await make_product(sessions, owner, kind, profile)


# -- evaluate -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
async def test_an_incomplete_product_of_a_draft_profile_lists_what_is_missing(
    sessions: SessionFactory, alice: Acct, kind: TrustProductKind
) -> None:
    # given a product with only its common fields, of a profile that is still a DRAFT
    profile = await create(sessions, alice)
    sid = await make_product(sessions, alice, kind, profile, {})
    # when alice evaluates it
    evaluation = await evaluate(sessions, alice, sid)
    # then it is NONCOMPLIANT: every field of its block is REQUIRED, and the profile unapproved
    assert evaluation.status == "NONCOMPLIANT"
    assert evaluation.subject_sid == sid
    names = [r["requirement"] for r in evaluation.results]
    assert names[0] == "General information"
    assert names[-1] == "Notification settings"
    assert set(REQUIREMENTS[kind]) <= set(names)
    expected = {(path, "REQUIRED") for path in COMPLETE[kind]} | {NOT_APPROVED}
    if kind is TrustProductKind.BRANDED_CALLING:
        expected.add((("customerProfileId",), "PRODUCT_REQUIRED"))
    assert failures(evaluation) == expected


@pytest.mark.parametrize("kind", ALL_KINDS)
async def test_a_complete_product_of_an_approved_profile_is_compliant(
    sessions: SessionFactory, alice: Acct, kind: TrustProductKind
) -> None:
    # given a complete product of an APPROVED business profile
    profile = await approved_profile(sessions, alice)
    sid = await ready(sessions, alice, kind, profile)
    # when alice evaluates it
    evaluation = await evaluate(sessions, alice, sid)
    # then every requirement passes
    assert evaluation.status == "COMPLIANT"
    assert all(r["passed"] for r in evaluation.results)
    assert failures(evaluation) == set()


async def test_a_public_company_needs_its_stock_exchange_and_ticker(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an A2P product of a PUBLIC company without a listing, of an approved profile
    profile = await approved_profile(sessions, alice)
    a2p = TrustProductKind.A2P_MESSAGING
    sid = await make_product(sessions, alice, a2p, profile, PUBLIC_COMPANY)
    # when alice evaluates it, then after adding the listing
    without = await evaluate(sessions, alice, sid)
    async with sessions() as s:
        listing = {
            ("a2pMessaging", "stockExchange"): "NYSE",
            ("a2pMessaging", "stockTicker"): "ACM",
        }
        await products.update_product(s, alice.actor, sid, listing)
        await s.commit()
    with_listing = await evaluate(sessions, alice, sid)
    # then the stock listing requirement fails on both fields until they are given
    assert without.status == "NONCOMPLIANT"
    assert failures(without) == {
        (("a2pMessaging", "stockExchange"), "REQUIRED"),
        (("a2pMessaging", "stockTicker"), "REQUIRED"),
    }
    assert with_listing.status == "COMPLIANT"


async def test_a_private_company_needs_no_stock_listing(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an A2P product of a PRIVATE company without a listing
    profile = await approved_profile(sessions, alice)
    sid = await make_product(sessions, alice, TrustProductKind.A2P_MESSAGING, profile)
    # when alice evaluates it
    evaluation = await evaluate(sessions, alice, sid)
    # then the listing requirement passes
    passed = {r["requirement"]: r["passed"] for r in evaluation.results}
    assert passed["Stock listing"] is True
    assert evaluation.status == "COMPLIANT"


@pytest.mark.parametrize(
    "voice_integrity", [None, Status.DRAFT, Status.PENDING_REVIEW, Status.REJECTED, "elsewhere"]
)
async def test_branded_calling_needs_an_approved_voice_integrity_product_on_its_profile(
    sessions: SessionFactory, alice: Acct, voice_integrity: Status | str | None
) -> None:
    # given a complete branded calling product whose profile has no approved voice integrity
    # product (none, one not approved, or an approved one on another profile)
    profile = await approved_profile(sessions, alice)
    vi = TrustProductKind.VOICE_INTEGRITY
    if isinstance(voice_integrity, Status):
        await product_with_status(sessions, alice, vi, profile, voice_integrity)
    elif voice_integrity == "elsewhere":
        other = await approved_profile(sessions, alice)
        await product_with_status(sessions, alice, vi, other, Status.APPROVED)
    sid = await make_product(sessions, alice, TrustProductKind.BRANDED_CALLING, profile)
    # when alice evaluates and submits it
    evaluation = await evaluate(sessions, alice, sid)
    refusal = await submit_refused(sessions, alice, sid)
    # then the voice integrity requirement fails, and the submit is refused
    assert failures(evaluation) == {(("customerProfileId",), "PRODUCT_REQUIRED")}
    results = {r["requirement"]: r["passed"] for r in evaluation.results}
    assert results["Voice integrity"] is False
    assert refusal == {(ErrorCode.NONCOMPLIANT, ("customerProfileId",))}
    assert await product_status(sessions, sid) == "DRAFT"


async def test_trust_products_need_a_business_profile(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a SHAKEN/STIR product of an APPROVED individual profile
    profile = await create(sessions, alice, individual_profile())
    await force(sessions, profile, Status.APPROVED)
    sid = await make_product(sessions, alice, TrustProductKind.SHAKEN_STIR, profile)
    # when alice evaluates it
    evaluation = await evaluate(sessions, alice, sid)
    # then the customer profile's kind fails
    assert failures(evaluation) == {(("customerProfileId",), "INVALID_VALUE")}


# -- submit -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PENDING_REVIEW, Status.REJECTED])
async def test_submit_is_refused_until_the_customer_profile_is_approved(
    sessions: SessionFactory, alice: Acct, status: Status
) -> None:
    # given complete products of every kind, of a profile that is not APPROVED
    profile = await create_complete(sessions, alice)
    await force(sessions, profile, status)
    for kind in ALL_KINDS:
        sid = await make_product(sessions, alice, kind, profile)
        # when alice submits one
        refusal = await submit_refused(sessions, alice, sid)
        # then it is refused with PROFILE_NOT_APPROVED and stays a DRAFT
        assert refusal == {(ErrorCode.PROFILE_NOT_APPROVED, ("customerProfileId",))}, kind
        assert await product_status(sessions, sid) == "DRAFT"


@pytest.mark.parametrize("kind", ALL_KINDS)
async def test_submit_sends_a_complete_product_for_review(
    sessions: SessionFactory, alice: Acct, kind: TrustProductKind
) -> None:
    # given a complete product of an approved profile
    profile = await approved_profile(sessions, alice)
    sid = await ready(sessions, alice, kind, profile)
    # when alice submits it accepting the terms
    await submit(sessions, alice, sid)
    # then it is PENDING_REVIEW with the terms recorded
    row = await stored_product(sessions, sid)
    assert row is not None
    assert row.status == "PENDING_REVIEW"
    assert row.terms_accepted_at is not None
    assert row.terms_version == get_settings().terms_version
    # and the transition is in its history
    assert await history(sessions, sid) == [
        (None, "DRAFT", alice.sid),
        ("DRAFT", "PENDING_REVIEW", alice.sid),
    ]
    # and a pending review of the product is open
    async with sessions() as s:
        reviews = (await s.exec(select(Review).where(Review.subject_sid == sid))).all()
    assert [(r.subject_type, r.status, r.account_sid) for r in reviews] == [
        ("TRUST_PRODUCT", "PENDING", alice.sid)
    ]
    # and the review request and the status change are in the outbox
    assert await outbox(sessions, sid) == [
        ("status.changed", "status.trust_product.pending_review"),
        ("review.requested", "review.requested"),
    ]


async def test_submit_requires_accepting_the_terms(sessions: SessionFactory, alice: Acct) -> None:
    # given a complete CNAM product of an approved profile
    profile = await approved_profile(sessions, alice)
    sid = await make_product(sessions, alice, TrustProductKind.CNAM, profile)
    # when alice submits it without accepting the terms
    refusal = await submit_refused(sessions, alice, sid, accept=False)
    # then it is refused and nothing was sent
    assert refusal == {(ErrorCode.TERMS_NOT_ACCEPTED, ("acceptTerms",))}
    assert await product_status(sessions, sid) == "DRAFT"
    assert await outbox(sessions, sid) == []


async def test_submit_refuses_a_noncompliant_product_with_its_failures(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a voice integrity product without its use case, of an approved profile
    profile = await approved_profile(sessions, alice)
    block = dict(COMPLETE[TrustProductKind.VOICE_INTEGRITY])
    del block[("voiceIntegrity", "useCase")]
    sid = await make_product(sessions, alice, TrustProductKind.VOICE_INTEGRITY, profile, block)
    # when alice submits it
    refusal = await submit_refused(sessions, alice, sid)
    # then it is NONCOMPLIANT on that field and nothing was sent
    assert refusal == {(ErrorCode.NONCOMPLIANT, ("voiceIntegrity", "useCase"))}
    assert await product_status(sessions, sid) == "DRAFT"
    assert await outbox(sessions, sid) == []


async def test_a_submitted_product_is_locked(sessions: SessionFactory, alice: Acct) -> None:
    # given a submitted CNAM product
    profile = await approved_profile(sessions, alice)
    sid = await make_product(sessions, alice, TrustProductKind.CNAM, profile)
    await submit(sessions, alice, sid)
    # when alice edits it, submits it again, or deletes it
    async with sessions() as s:
        edit = await refused(
            products.update_product(s, alice.actor, sid, {("cnam", "displayName"): "OTHER"})
        )
    again = await submit_refused(sessions, alice, sid)
    async with sessions() as s:
        delete = await refused(products.delete_product(s, alice.actor, sid))
    # then each is LOCKED and the product is as submitted
    assert {c for c, _ in codes(edit)} == {ErrorCode.LOCKED}
    assert {c for c, _ in again} == {ErrorCode.LOCKED}
    assert {c for c, _ in codes(delete)} == {ErrorCode.LOCKED}
    row = await stored_product(sessions, sid)
    assert row is not None
    assert (row.status, row.cnam_display_name) == (
        "PENDING_REVIEW",
        "ACME CORP",
    )


async def test_a_rejected_product_can_be_fixed_and_resubmitted(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a rejected CNAM product
    profile = await approved_profile(sessions, alice)
    sid = await product_with_status(
        sessions, alice, TrustProductKind.CNAM, profile, Status.REJECTED
    )
    # when alice fixes the display name and resubmits
    async with sessions() as s:
        await products.update_product(s, alice.actor, sid, {("cnam", "displayName"): "ACME INC"})
        await s.commit()
    await submit(sessions, alice, sid)
    # then it is under review again with the new name
    row = await stored_product(sessions, sid)
    assert row is not None
    assert (row.status, row.cnam_display_name) == ("PENDING_REVIEW", "ACME INC")


# -- the ISV volume rule ------------------------------------------------------------------------


def volume(messages: int) -> dict[Path, Any]:
    return {
        **COMPLETE[TrustProductKind.A2P_MESSAGING],
        ("a2pMessaging", "dailyMessageVolume"): messages,
    }


async def test_an_isv_cannot_declare_over_3000_messages_a_day_on_its_primary_profile(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an ISV's approved primary profile and an A2P product declaring 3,001 a day
    isv = await approved_profile(sessions, alice, BusinessIdentity.ISV_RESELLER_OR_PARTNER)
    sid = await make_product(sessions, alice, TrustProductKind.A2P_MESSAGING, isv, volume(3_001))
    # when alice submits it
    refusal = await submit_refused(sessions, alice, sid)
    # then she is told to register a secondary profile, on the volume field
    assert refusal == {
        (ErrorCode.SECONDARY_PROFILE_REQUIRED, ("a2pMessaging", "dailyMessageVolume"))
    }
    assert await product_status(sessions, sid) == "DRAFT"


@pytest.mark.parametrize("where", ["isv-at-limit", "direct-customer", "secondary"])
async def test_the_isv_volume_rule_allows_the_limit_direct_customers_and_secondaries(
    sessions: SessionFactory, alice: Acct, where: str
) -> None:
    # given an A2P product on an ISV primary at exactly 3,000 a day, or over it on a direct
    # customer's primary, or over it on an ISV's approved secondary profile
    identity = (
        BusinessIdentity.DIRECT_CUSTOMER
        if where == "direct-customer"
        else BusinessIdentity.ISV_RESELLER_OR_PARTNER
    )
    profile = await approved_profile(sessions, alice, identity)
    if where == "secondary":
        profile = await approved_secondary(sessions, alice, profile)
    messages = 3_000 if where == "isv-at-limit" else 50_000
    a2p = TrustProductKind.A2P_MESSAGING
    sid = await make_product(sessions, alice, a2p, profile, volume(messages))
    # when alice submits it
    await submit(sessions, alice, sid)
    # then it goes to review
    assert await product_status(sessions, sid) == "PENDING_REVIEW"


async def test_evaluation_reports_the_isv_volume_rule_before_submit(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an A2P product declaring 3,001 a day on an ISV's approved primary profile
    isv = await approved_profile(sessions, alice, BusinessIdentity.ISV_RESELLER_OR_PARTNER)
    sid = await make_product(sessions, alice, TrustProductKind.A2P_MESSAGING, isv, volume(3_001))
    # when it is evaluated
    evaluation = await evaluate(sessions, alice, sid)
    # then the evaluation already says what submit would refuse
    assert evaluation.status == "NONCOMPLIANT"
    assert failures(evaluation) == {
        (("a2pMessaging", "dailyMessageVolume"), "SECONDARY_PROFILE_REQUIRED")
    }


async def test_other_kinds_blocks_sent_as_null_are_ignored(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile
    profile = await approved_profile(sessions, alice, BusinessIdentity.DIRECT_CUSTOMER)
    # when a SHAKEN/STIR product is created with every other block sent as null
    nulls: dict[Path, Any] = {
        ("cnam", "displayName"): None,
        ("a2pMessaging", "companyType"): None,
        ("brandedCalling", "callReason"): None,
    }
    sid = await make_product(sessions, alice, TrustProductKind.SHAKEN_STIR, profile, nulls)
    # then it is created as any SHAKEN/STIR draft
    assert await product_status(sessions, sid) == "DRAFT"
