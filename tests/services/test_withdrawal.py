"""Withdrawing an approval on SQLite and PostgreSQL: a reviewer queues it (through the outbox),
the decision consumer's use case applies it once, and a profile's live products follow it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.products import TrustProductKind
from trusthub.messaging.messages import ApprovalWithdrawn, ReasonPayload
from trusthub.models import OutboxMessage, Review
from trusthub.services import reviews
from trusthub.services.attestation import attestation_for

from ..conftest import Acct, MakeAccount
from .helpers import codes, create, force, refused, stored
from .test_products_helpers import (
    NUMBER,
    approved_profile,
    assign,
    history,
    make_product,
    outbox,
    product_status,
    product_with_status,
    stored_product,
    submit,
    submit_refused,
)

REASONS = [
    ReasonPayload(
        code="BUSINESS_REGISTRATION_ID",
        field=["business", "registrationNumber"],
        message="The EIN no longer matches the registered business.",
    )
]
WITHDRAWN = {
    "code": "OTHER",
    "field": ["customerProfileId"],
    "message": reviews.WITHDRAWN_PROFILE,
}


@pytest.fixture
async def rita(make_account: MakeAccount) -> Acct:
    return await make_account("rita", Role.REVIEWER)


async def withdraw(
    sessions: SessionFactory, reviewer: Acct, sid: str, reasons: list[ReasonPayload] = REASONS
) -> ApprovalWithdrawn:
    """Queue a withdrawal; return the message as the decision consumer will receive it."""
    async with sessions() as s:
        await reviews.withdraw_approval(s, reviewer.actor, sid, reasons)
        await s.commit()
        rows = await s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.message_type == "approval.withdrawn")
            .order_by(col(OutboxMessage.id).desc())
        )
        row = rows.first()
    assert row is not None
    return ApprovalWithdrawn.model_validate(row.payload)


async def apply(sessions: SessionFactory, message: ApprovalWithdrawn) -> str:
    async with sessions() as s:
        outcome = await reviews.apply_withdrawal(s, message)
        await s.commit()
    return outcome


# -- queuing ------------------------------------------------------------------------------------


async def test_only_reviewers_can_withdraw_an_approval(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given alice's approved profile
    profile = await approved_profile(sessions, alice)
    # when alice, a customer, withdraws its approval
    async with sessions() as s:
        error = await refused(reviews.withdraw_approval(s, alice.actor, profile, REASONS))
    # then it is FORBIDDEN, nothing is queued and the profile stays APPROVED
    assert {c for c, _ in codes(error)} == {ErrorCode.FORBIDDEN}
    assert await outbox(sessions, profile) == []
    assert (await stored(sessions, profile)).status == "APPROVED"


@pytest.mark.parametrize(
    ("status", "reasons", "refusal"),
    [
        (Status.DRAFT, REASONS, (ErrorCode.LOCKED, ("subjectId",))),
        (Status.PENDING_REVIEW, REASONS, (ErrorCode.LOCKED, ("subjectId",))),
        (Status.REJECTED, REASONS, (ErrorCode.LOCKED, ("subjectId",))),
        (Status.APPROVED, [], (ErrorCode.REQUIRED, ("reasons",))),
    ],
)
async def test_a_withdrawal_needs_an_approved_subject_and_a_reason(
    sessions: SessionFactory,
    alice: Acct,
    rita: Acct,
    status: Status,
    reasons: list[ReasonPayload],
    refusal: tuple[ErrorCode, tuple[str, ...]],
) -> None:
    # given a profile and a product with that status
    profile = await create(sessions, alice)
    await force(sessions, profile, status)
    product = await product_with_status(sessions, alice, TrustProductKind.CNAM, profile, status)
    for sid in (profile, product):
        # when rita withdraws its approval (without a reason, for the approved ones)
        async with sessions() as s:
            error = await refused(reviews.withdraw_approval(s, rita.actor, sid, reasons))
        # then it is refused and nothing is queued
        assert codes(error) == {refusal}
        assert await outbox(sessions, sid) == []


async def test_an_unknown_subject_is_not_found(sessions: SessionFactory, rita: Acct) -> None:
    # when rita withdraws the approval of a SID that does not exist
    async with sessions() as s:
        error = await refused(reviews.withdraw_approval(s, rita.actor, "BU" + "0" * 32, REASONS))
    # then it is NOT_FOUND
    assert codes(error) == {(ErrorCode.NOT_FOUND, ("subjectId",))}


async def test_a_withdrawal_is_queued_and_changes_nothing_until_applied(
    sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given alice's approved profile and approved SHAKEN/STIR product
    profile = await approved_profile(sessions, alice)
    shaken = TrustProductKind.SHAKEN_STIR
    product = await product_with_status(sessions, alice, shaken, profile, Status.APPROVED)
    # when rita (another account) withdraws both approvals
    for_profile = await withdraw(sessions, rita, profile)
    for_product = await withdraw(sessions, rita, product)
    # then each message names its subject, its type, the reasons and the reviewer
    assert (for_profile.subject_sid, for_profile.subject_type) == (profile, "CUSTOMER_PROFILE")
    assert (for_product.subject_sid, for_product.subject_type) == (product, "TRUST_PRODUCT")
    assert for_profile.reasons == for_product.reasons == REASONS
    assert for_profile.decided_by == rita.sid
    assert await outbox(sessions, profile) == [("approval.withdrawn", "approval.withdrawn")]
    # and both are still APPROVED until the decision consumer applies the messages
    assert (await stored(sessions, profile)).status == "APPROVED"
    assert await product_status(sessions, product) == "APPROVED"


# -- applying -----------------------------------------------------------------------------------


async def live_and_dead_products(
    sessions: SessionFactory, owner: Acct, profile: str
) -> dict[str, str]:
    """Products of `profile` in every status, by status (the PENDING_REVIEW one truly submitted)."""
    kinds = {
        Status.DRAFT: TrustProductKind.VOICE_INTEGRITY,
        Status.IN_REVIEW: TrustProductKind.A2P_MESSAGING,
        Status.APPROVED: TrustProductKind.SHAKEN_STIR,
        Status.REJECTED: TrustProductKind.CNAM,
    }
    made = {
        status.value: await product_with_status(sessions, owner, kind, profile, status)
        for status, kind in kinds.items()
    }
    pending = await make_product(sessions, owner, TrustProductKind.CNAM, profile)
    await submit(sessions, owner, pending)
    made["PENDING_REVIEW"] = pending
    return made


async def test_withdrawing_a_profiles_approval_rejects_it_and_its_live_products(
    sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given an approved profile with products in every status
    profile = await approved_profile(sessions, alice)
    made = await live_and_dead_products(sessions, alice, profile)
    message = await withdraw(sessions, rita, profile)
    # when the withdrawal is applied
    outcome = await apply(sessions, message)
    # then the profile is REJECTED with rita's reasons, in its history and the outbox
    assert outcome == "applied"
    row = await stored(sessions, profile)
    assert row.status == "REJECTED"
    assert row.reasons == [r.model_dump() for r in REASONS]
    assert (await history(sessions, profile))[-1] == ("APPROVED", "REJECTED", rita.sid)
    assert ("status.changed", "status.customer_profile.rejected") in await outbox(sessions, profile)
    # and its products under review or approved are REJECTED, saying why
    # (one still PENDING_REVIEW is taken IN_REVIEW first: the lifecycle has no shortcut)
    last_step = {"PENDING_REVIEW": "IN_REVIEW", "IN_REVIEW": "IN_REVIEW", "APPROVED": "APPROVED"}
    for status, previous in last_step.items():
        product = await stored_product(sessions, made[status])
        assert product is not None
        assert (product.status, product.reasons) == ("REJECTED", [WITHDRAWN]), status
        assert (await history(sessions, made[status]))[-1] == (previous, "REJECTED", rita.sid)
        events = await outbox(sessions, made[status])
        assert events[-1] == ("status.changed", "status.trust_product.rejected"), status
    # and the submitted product went through IN_REVIEW, its open review closed as rejected
    assert [h[1] for h in await history(sessions, made["PENDING_REVIEW"])] == [
        "DRAFT",
        "PENDING_REVIEW",
        "IN_REVIEW",
        "REJECTED",
    ]
    async with sessions() as s:
        review = (
            await s.exec(select(Review).where(Review.subject_sid == made["PENDING_REVIEW"]))
        ).one()
    assert (review.status, review.outcome, review.reasons) == ("DECIDED", "REJECTED", [WITHDRAWN])
    # and the DRAFT and REJECTED products are left alone
    for status in ("DRAFT", "REJECTED"):
        assert await product_status(sessions, made[status]) == status
        assert len(await history(sessions, made[status])) == 1
        assert await outbox(sessions, made[status]) == []


async def test_applying_a_withdrawal_twice_is_a_no_op(
    sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given an applied withdrawal of a profile with an approved product
    profile = await approved_profile(sessions, alice)
    shaken = TrustProductKind.SHAKEN_STIR
    product = await product_with_status(sessions, alice, shaken, profile, Status.APPROVED)
    message = await withdraw(sessions, rita, profile)
    assert await apply(sessions, message) == "applied"
    before: list[Any] = [
        await history(sessions, profile),
        await history(sessions, product),
        await outbox(sessions, profile),
        await outbox(sessions, product),
    ]
    # when the same message is applied again (a redelivery)
    outcome = await apply(sessions, message)
    # then it is dropped: no new transition, no new event
    assert outcome == "dropped"
    after = [
        await history(sessions, profile),
        await history(sessions, product),
        await outbox(sessions, profile),
        await outbox(sessions, product),
    ]
    assert after == before


async def test_withdrawing_a_products_approval_leaves_the_profile_and_siblings(
    sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given an approved profile with two approved products
    profile = await approved_profile(sessions, alice)
    shaken = await product_with_status(
        sessions, alice, TrustProductKind.SHAKEN_STIR, profile, Status.APPROVED
    )
    cnam = await product_with_status(
        sessions, alice, TrustProductKind.CNAM, profile, Status.APPROVED
    )
    # when the CNAM product's approval is withdrawn and applied
    assert await apply(sessions, await withdraw(sessions, rita, cnam)) == "applied"
    # then it alone is REJECTED, with rita's reasons
    row = await stored_product(sessions, cnam)
    assert row is not None
    assert (row.status, row.reasons) == ("REJECTED", [r.model_dump() for r in REASONS])
    assert (await stored(sessions, profile)).status == "APPROVED"
    assert await product_status(sessions, shaken) == "APPROVED"


async def test_after_a_withdrawal_calls_lose_a_and_products_wait_for_a_new_approval(
    sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given a number attested A through an approved profile and SHAKEN/STIR product
    profile = await approved_profile(sessions, alice)
    shaken = TrustProductKind.SHAKEN_STIR
    product = await product_with_status(sessions, alice, shaken, profile, Status.APPROVED)
    await assign(sessions, alice, NUMBER, profile=profile)
    await assign(sessions, alice, NUMBER, product=product)
    async with sessions() as s:
        _, before = await attestation_for(s, alice.actor, NUMBER)
    # when the profile's approval is withdrawn and applied
    await apply(sessions, await withdraw(sessions, rita, profile))
    # then calls from the number drop to C
    async with sessions() as s:
        _, after = await attestation_for(s, alice.actor, NUMBER)
    assert (before.level, after.level) == ("A", "C")
    # and the rejected product cannot be resubmitted until the profile is approved again
    assert await submit_refused(sessions, alice, product) == {
        (ErrorCode.PROFILE_NOT_APPROVED, ("customerProfileId",))
    }
    await force(sessions, profile, Status.APPROVED)
    await submit(sessions, alice, product)
    assert await product_status(sessions, product) == "PENDING_REVIEW"
