"""Customer profiles and their trust products on SQLite and PostgreSQL: a profile that a product
under review or approved depends on stays; one with only drafts takes them along."""

from __future__ import annotations

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.products import TrustProductKind
from trusthub.models import PhoneNumber, ProductPhoneNumber, TrustProduct
from trusthub.services import profiles

from ..conftest import Acct, MakeAccount
from .helpers import codes, count, create, force, load, refused
from .test_products_helpers import (
    NUMBER,
    approved_profile,
    assign,
    make_product,
    product_with_status,
    stored_product,
)


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.IN_REVIEW, Status.APPROVED])
async def test_a_profile_with_a_product_under_review_or_approved_cannot_be_deleted(
    sessions: SessionFactory, alice: Acct, status: Status
) -> None:
    # given a REJECTED profile (deletable on its own) with a product under review or approved
    profile = await approved_profile(sessions, alice)
    product = await product_with_status(
        sessions, alice, TrustProductKind.SHAKEN_STIR, profile, status
    )
    await assign(sessions, alice, NUMBER, profile=profile)
    await force(sessions, profile, Status.REJECTED)
    # when alice deletes the profile
    async with sessions() as s:
        error = await refused(profiles.delete_profile(s, alice.actor, profile))
    # then it is LOCKED, and the profile, the product and the number are all still there
    assert codes(error) == {(ErrorCode.LOCKED, ("id",))}
    assert await load(sessions, profile) is not None
    assert await stored_product(sessions, product) is not None
    assert await count(sessions, PhoneNumber) == 1


async def test_an_admin_cannot_delete_an_approved_profile_an_approved_product_needs(
    sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given alice's approved profile with an approved SHAKEN/STIR product
    admin = await make_account("root", Role.ADMIN)
    profile = await approved_profile(sessions, alice)
    shaken = TrustProductKind.SHAKEN_STIR
    await product_with_status(sessions, alice, shaken, profile, Status.APPROVED)
    # when an admin deletes the profile
    async with sessions() as s:
        error = await refused(profiles.delete_profile(s, admin.actor, profile))
    # then it is LOCKED: the product depends on it
    assert codes(error) == {(ErrorCode.LOCKED, ("id",))}
    assert await load(sessions, profile) is not None


async def test_a_profile_with_only_draft_and_rejected_products_takes_them_along(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a draft profile with a draft and a rejected product, and a number on both
    profile = await create(sessions, alice)
    draft = await make_product(sessions, alice, TrustProductKind.SHAKEN_STIR, profile)
    rejected = await product_with_status(
        sessions, alice, TrustProductKind.CNAM, profile, Status.REJECTED
    )
    await assign(sessions, alice, NUMBER, profile=profile)
    await assign(sessions, alice, NUMBER, product=draft)
    await assign(sessions, alice, NUMBER, product=rejected)
    # and another profile whose product must stay
    other = await create(sessions, alice)
    kept = await make_product(sessions, alice, TrustProductKind.CNAM, other)
    # when alice deletes the first profile
    async with sessions() as s:
        deleted = await profiles.delete_profile(s, alice.actor, profile)
        await s.commit()
    # then the profile, its products and its numbers are gone; the other profile's product stays
    assert deleted == profile
    assert await load(sessions, profile) is None
    assert await stored_product(sessions, draft) is None
    assert await stored_product(sessions, rejected) is None
    assert await count(sessions, PhoneNumber) == 0
    assert await count(sessions, ProductPhoneNumber) == 0
    assert await count(sessions, TrustProduct) == 1
    assert await stored_product(sessions, kept) is not None
