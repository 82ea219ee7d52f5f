"""Trust products on SQLite and PostgreSQL: create, edit and delete for every kind, write-time
validation (nothing saved on a refusal), and access isolation between accounts."""

from __future__ import annotations

from typing import Any

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.fields import Path
from trusthub.domain.pagination import PageArgs
from trusthub.domain.products import BLOCK_NAMES, TrustProductKind
from trusthub.models import PhoneNumber, ProductPhoneNumber, TrustProduct
from trusthub.services import products
from trusthub.services.products import ProductFilter

from ..conftest import Acct
from .helpers import codes, count, create, create_complete, refused
from .test_products_helpers import (
    ALL_KINDS,
    COMPLETE,
    NUMBER,
    approved_profile,
    assign,
    force_product,
    history,
    make_product,
    new_product,
    product_with_status,
    stored_product,
)

# The columns each kind's complete block is stored in, and the value stored.
STORED: dict[TrustProductKind, dict[str, Any]] = {
    TrustProductKind.SHAKEN_STIR: {},
    TrustProductKind.A2P_MESSAGING: {
        "a2p_company_type": "PRIVATE",
        "a2p_brand_contact_email": "brand@acme.example.com",
        "a2p_daily_message_volume": 1_000,
    },
    TrustProductKind.CNAM: {"cnam_display_name": "ACME CORP"},
    TrustProductKind.VOICE_INTEGRITY: {
        "vi_use_case": "CUSTOMER_SERVICE",
        "vi_employee_count": 120,
        "vi_daily_call_volume": 2_500,
    },
    TrustProductKind.BRANDED_CALLING: {
        "bc_display_name": "Acme",
        "bc_long_display_name": "Acme Communications",
        "bc_call_purpose": "DELIVERY_NOTIFICATIONS",
        "bc_call_reason": "Your parcel is on its way",
    },
}

# Malformed values of each kind, refused at write time with the field's path.
MALFORMED: list[tuple[TrustProductKind, Path, Any]] = [
    (TrustProductKind.CNAM, ("cnam", "displayName"), "ACME COMMUNICATIONS"),  # 19 characters
    (TrustProductKind.CNAM, ("cnam", "displayName"), "ACME <CORP>"),
    (TrustProductKind.CNAM, ("cnam", "displayName"), "Acmé"),
    (TrustProductKind.CNAM, ("cnam", "displayName"), "   "),
    (TrustProductKind.A2P_MESSAGING, ("a2pMessaging", "stockTicker"), "AC ME"),
    (TrustProductKind.A2P_MESSAGING, ("a2pMessaging", "stockTicker"), "TOOLONGTICKER"),
    (TrustProductKind.A2P_MESSAGING, ("a2pMessaging", "dailyMessageVolume"), -1),
    (TrustProductKind.A2P_MESSAGING, ("a2pMessaging", "dailyMessageVolume"), "many"),
    (TrustProductKind.A2P_MESSAGING, ("a2pMessaging", "brandContactEmail"), "brand@"),
    (TrustProductKind.A2P_MESSAGING, ("a2pMessaging", "companyType"), "LISTED"),
    (TrustProductKind.A2P_MESSAGING, ("a2pMessaging", "stockExchange"), "MOON"),
    (TrustProductKind.VOICE_INTEGRITY, ("voiceIntegrity", "employeeCount"), -5),
    (TrustProductKind.VOICE_INTEGRITY, ("voiceIntegrity", "averageDailyCallVolume"), -1),
    (TrustProductKind.VOICE_INTEGRITY, ("voiceIntegrity", "employeeCount"), 1.5),
    (TrustProductKind.VOICE_INTEGRITY, ("voiceIntegrity", "useCase"), "SPAM"),
    (TrustProductKind.BRANDED_CALLING, ("brandedCalling", "displayName"), "x" * 33),
    (TrustProductKind.BRANDED_CALLING, ("brandedCalling", "callPurpose"), "ROBOCALLS"),
    (TrustProductKind.SHAKEN_STIR, ("notificationEmail",), "not an email"),
    (TrustProductKind.SHAKEN_STIR, ("statusCallback",), "ftp://acme.example.com/hook"),
]


# -- create -------------------------------------------------------------------------------------


async def test_every_kind_is_created_as_a_draft_of_its_profile_with_its_block(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a draft customer profile (products can be drafted before it is approved)
    profile = await create(sessions, alice)
    for kind in ALL_KINDS:
        # when alice creates a product of that kind with its block filled in
        sid = await make_product(sessions, alice, kind, profile)
        # then it is a DRAFT with a BU SID, tied to the profile, storing what she sent
        row = await stored_product(sessions, sid)
        assert row is not None, kind
        assert sid.startswith("BU")
        assert len(sid) == 34
        assert (row.kind, row.status, row.customer_profile_sid) == (kind.value, "DRAFT", profile)
        assert (row.account_sid, row.friendly_name) == (alice.sid, "Acme product")
        assert row.notification_email == "trust@acme.example.com"
        assert {c: getattr(row, c) for c in STORED[kind]} == STORED[kind], kind
        # and its history starts at DRAFT
        assert await history(sessions, sid) == [(None, "DRAFT", alice.sid)]


async def test_values_are_normalised_on_write(sessions: SessionFactory, alice: Acct) -> None:
    # given a profile
    profile = await create(sessions, alice)
    # when alice writes a lower-case ticker and padded names
    block = {
        **COMPLETE[TrustProductKind.A2P_MESSAGING],
        ("a2pMessaging", "companyType"): "PUBLIC",
        ("a2pMessaging", "stockExchange"): "NASDAQ",
        ("a2pMessaging", "stockTicker"): "acme",
    }
    a2p = await make_product(sessions, alice, TrustProductKind.A2P_MESSAGING, profile, block)
    cnam = await make_product(
        sessions, alice, TrustProductKind.CNAM, profile, {("cnam", "displayName"): " O'Neil & Co "}
    )
    # then the ticker is stored upper-case and the display name trimmed
    a2p_row, cnam_row = await stored_product(sessions, a2p), await stored_product(sessions, cnam)
    assert a2p_row is not None
    assert cnam_row is not None
    assert a2p_row.a2p_stock_ticker == "ACME"
    assert cnam_row.cnam_display_name == "O'Neil & Co"


async def test_a_draft_may_be_saved_half_done(sessions: SessionFactory, alice: Acct) -> None:
    # given a profile
    profile = await create(sessions, alice)
    for kind in ALL_KINDS:
        # when alice creates a product of that kind with only its common fields
        sid = await make_product(sessions, alice, kind, profile, {})
        # then it is saved as a draft with its block empty
        row = await stored_product(sessions, sid)
        assert row is not None
        assert row.status == "DRAFT"
        assert all(getattr(row, c) is None for c in STORED[kind]), kind


async def test_the_name_and_notification_email_are_required(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile
    profile = await create(sessions, alice)
    # when alice creates a product without a name or an email
    data = products.NewProduct(TrustProductKind.SHAKEN_STIR, profile, {})
    async with sessions() as s:
        error = await refused(products.create_product(s, alice.actor, data))
    # then both are reported REQUIRED and nothing is saved
    assert codes(error) == {
        (ErrorCode.REQUIRED, ("friendlyName",)),
        (ErrorCode.REQUIRED, ("notificationEmail",)),
    }
    assert await count(sessions, TrustProduct) == 0


@pytest.mark.parametrize("kind", ALL_KINDS)
async def test_a_block_of_another_kind_is_refused(
    sessions: SessionFactory, alice: Acct, kind: TrustProductKind
) -> None:
    # given a profile
    profile = await create(sessions, alice)
    # when alice sends every other kind's block with a product of this kind
    others = {
        path: value
        for other in ALL_KINDS
        if other is not kind
        for path, value in COMPLETE[other].items()
    }
    async with sessions() as s:
        error = await refused(
            products.create_product(s, alice.actor, new_product(kind, profile, others))
        )
    # then each foreign block is refused by name, and nothing is saved
    foreign = {BLOCK_NAMES[k] for k in ALL_KINDS if k is not kind} - {None}
    assert codes(error) == {(ErrorCode.INVALID_VALUE, (block,)) for block in foreign}
    assert await count(sessions, TrustProduct) == 0


@pytest.mark.parametrize(("kind", "path", "value"), MALFORMED)
async def test_malformed_values_are_refused_with_a_field_error_and_nothing_saved(
    sessions: SessionFactory, alice: Acct, kind: TrustProductKind, path: Path, value: Any
) -> None:
    # given a profile
    profile = await create(sessions, alice)
    # when alice creates a product with one malformed value
    data = new_product(kind, profile, {**COMPLETE[kind], path: value})
    async with sessions() as s:
        error = await refused(products.create_product(s, alice.actor, data))
    # then that field is refused, with a message a person can act on, and nothing is saved
    assert codes(error) == {(ErrorCode.INVALID_VALUE, path)}
    assert error.errors[0].message
    assert await count(sessions, TrustProduct) == 0


async def test_cnam_accepts_exactly_fifteen_characters(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile
    profile = await create(sessions, alice)
    # when alice sets a 15-character display name
    sid = await make_product(
        sessions,
        alice,
        TrustProductKind.CNAM,
        profile,
        {("cnam", "displayName"): "ACME-CO, INC. 1"},
    )
    # then it is kept as sent
    row = await stored_product(sessions, sid)
    assert row is not None
    assert row.cnam_display_name == "ACME-CO, INC. 1"


# -- update ---------------------------------------------------------------------------------------


async def test_update_changes_only_what_is_sent(sessions: SessionFactory, alice: Acct) -> None:
    # given a complete voice integrity draft
    profile = await create(sessions, alice)
    sid = await make_product(sessions, alice, TrustProductKind.VOICE_INTEGRITY, profile)
    # when alice changes the employee count only
    async with sessions() as s:
        await products.update_product(
            s, alice.actor, sid, {("voiceIntegrity", "employeeCount"): 200}
        )
        await s.commit()
    # then that one field changed, the others stayed
    row = await stored_product(sessions, sid)
    assert row is not None
    assert (row.vi_employee_count, row.vi_use_case, row.vi_daily_call_volume) == (
        200,
        "CUSTOMER_SERVICE",
        2_500,
    )


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({("cnam", "displayName"): "X" * 16}, ("cnam", "displayName")),
        ({("a2pMessaging", "companyType"): "PRIVATE"}, ("a2pMessaging",)),
        ({("friendlyName",): None}, ("friendlyName",)),
    ],
)
async def test_update_refuses_bad_changes_and_keeps_the_old_values(
    sessions: SessionFactory, alice: Acct, changes: dict[Path, Any], refusal: Path
) -> None:
    # given a complete CNAM draft
    profile = await create(sessions, alice)
    sid = await make_product(sessions, alice, TrustProductKind.CNAM, profile)
    # when alice sends a too-long name, another kind's block, or clears the name
    async with sessions() as s:
        error = await refused(products.update_product(s, alice.actor, sid, changes))
    # then the change is refused on that field and the stored product is unchanged
    assert [f for _, f in codes(error)] == [refusal]
    row = await stored_product(sessions, sid)
    assert row is not None
    assert (row.cnam_display_name, row.friendly_name) == ("ACME CORP", "Acme product")


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.IN_REVIEW, Status.APPROVED])
async def test_a_product_under_review_or_approved_cannot_be_edited(
    sessions: SessionFactory, alice: Acct, status: Status
) -> None:
    # given a CNAM product under review or approved
    profile = await approved_profile(sessions, alice)
    sid = await product_with_status(sessions, alice, TrustProductKind.CNAM, profile, status)
    # when alice changes its display name
    async with sessions() as s:
        error = await refused(
            products.update_product(s, alice.actor, sid, {("cnam", "displayName"): "NEW NAME"})
        )
    # then the edit is LOCKED and the name unchanged
    assert {c for c, _ in codes(error)} == {ErrorCode.LOCKED}
    row = await stored_product(sessions, sid)
    assert row is not None
    assert row.cnam_display_name == "ACME CORP"


# -- delete ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REJECTED])
async def test_draft_and_rejected_products_can_be_deleted_with_their_numbers(
    sessions: SessionFactory, alice: Acct, status: Status
) -> None:
    # given a SHAKEN/STIR product with a number assigned
    profile = await approved_profile(sessions, alice)
    sid = await make_product(sessions, alice, TrustProductKind.SHAKEN_STIR, profile)
    await assign(sessions, alice, NUMBER, profile=profile)
    await assign(sessions, alice, NUMBER, product=sid)
    await product_with_status(sessions, alice, TrustProductKind.CNAM, profile, Status.DRAFT)
    await force_product(sessions, sid, status)
    # when alice deletes it
    async with sessions() as s:
        deleted = await products.delete_product(s, alice.actor, sid)
        await s.commit()
    # then it and its number assignment are gone; the number stays on the profile
    assert deleted == sid
    assert await stored_product(sessions, sid) is None
    assert await count(sessions, ProductPhoneNumber) == 0
    assert await count(sessions, PhoneNumber) == 1
    assert await count(sessions, TrustProduct) == 1


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.IN_REVIEW, Status.APPROVED])
async def test_products_under_review_or_approved_cannot_be_deleted(
    sessions: SessionFactory, alice: Acct, status: Status
) -> None:
    # given a product under review or approved
    profile = await approved_profile(sessions, alice)
    sid = await product_with_status(sessions, alice, TrustProductKind.SHAKEN_STIR, profile, status)
    # when alice deletes it
    async with sessions() as s:
        error = await refused(products.delete_product(s, alice.actor, sid))
    # then it is LOCKED and still there
    assert {c for c, _ in codes(error)} == {ErrorCode.LOCKED}
    assert await stored_product(sessions, sid) is not None


# -- access isolation ---------------------------------------------------------------------------


async def test_another_accounts_profile_and_products_read_as_not_found(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given bob's approved profile with a draft CNAM product
    bobs_profile = await approved_profile(sessions, bob)
    bobs = await make_product(sessions, bob, TrustProductKind.CNAM, bobs_profile)
    not_found = {(ErrorCode.NOT_FOUND, ("id",))}
    async with sessions() as s:
        # when alice tries to create a product on bob's profile
        error = await refused(
            products.create_product(
                s, alice.actor, new_product(TrustProductKind.SHAKEN_STIR, bobs_profile)
            )
        )
        # then bob's profile is not found for her
        assert codes(error) == {(ErrorCode.NOT_FOUND, ("customerProfileId",))}
    # and every operation on bob's product reads as not found
    calls = [
        lambda s: products.get_product(s, alice.actor, bobs),
        lambda s: products.update_product(s, alice.actor, bobs, {("cnam", "displayName"): "X"}),
        lambda s: products.evaluate_product(s, alice.actor, bobs),
        lambda s: products.submit_product(s, alice.actor, bobs, accept_terms=True),
        lambda s: products.delete_product(s, alice.actor, bobs),
    ]
    for call in calls:
        async with sessions() as s:
            assert codes(await refused(call(s))) == not_found
    # and alice's listings hold none of bob's products, bob's are untouched
    async with sessions() as s:
        page = await products.list_products(s, alice.actor, ProductFilter(), PageArgs(10))
        assert (page.rows, page.total_count) == ([], 0)
        page = await products.list_products(
            s, alice.actor, ProductFilter(customer_profile_sid=bobs_profile), PageArgs(10)
        )
        assert page.total_count == 0
    row = await stored_product(sessions, bobs)
    assert row is not None
    assert (row.status, row.cnam_display_name) == ("DRAFT", "ACME CORP")


async def test_list_filters_by_kind_status_and_profile_and_pages_in_creation_order(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given two profiles with products of several kinds
    first = await create_complete(sessions, alice)
    second = await create(sessions, alice)
    made = [
        await make_product(sessions, alice, kind, first)
        for kind in (TrustProductKind.CNAM, TrustProductKind.SHAKEN_STIR, TrustProductKind.CNAM)
    ]
    other = await make_product(sessions, alice, TrustProductKind.CNAM, second)
    await force_product(sessions, made[2], Status.APPROVED)
    async with sessions() as s:
        # when alice lists with each filter
        by_kind = await products.list_products(
            s, alice.actor, ProductFilter(kind=TrustProductKind.CNAM), PageArgs(10)
        )
        by_status = await products.list_products(
            s, alice.actor, ProductFilter(status=Status.APPROVED), PageArgs(10)
        )
        by_profile = await products.list_products(
            s, alice.actor, ProductFilter(customer_profile_sid=first), PageArgs(10)
        )
        page1 = await products.list_products(s, alice.actor, ProductFilter(), PageArgs(3))
        page2 = await products.list_products(
            s, alice.actor, ProductFilter(), PageArgs(3, after=page1.cursors[-1])
        )
    # then each filter keeps its products, and pages follow creation order without overlap
    assert [r.sid for r in by_kind.rows] == [made[0], made[2], other]
    assert [r.sid for r in by_status.rows] == [made[2]]
    assert [r.sid for r in by_profile.rows] == made
    assert ([r.sid for r in page1.rows], page1.has_next_page, page1.total_count) == (made, True, 4)
    assert ([r.sid for r in page2.rows], page2.has_next_page) == ([other], False)
