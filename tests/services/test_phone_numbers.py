"""Phone numbers and SHAKEN/STIR attestation on SQLite and PostgreSQL: a number goes to a customer
profile first, then to the profile's trust products; the attestation a call from it gets."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.attestation import Attestation
from trusthub.domain.enums import BusinessIdentity, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.products import TrustProductKind
from trusthub.models import PhoneNumber, ProductPhoneNumber
from trusthub.services import phone_numbers
from trusthub.services.attestation import attestation_for

from ..conftest import Acct
from .helpers import codes, count, create, create_complete, force, individual_profile, refused
from .test_products_helpers import (
    NUMBER,
    OTHER_NUMBER,
    approved_profile,
    approved_secondary,
    assign,
    make_product,
    product_with_status,
)

SHAKEN = TrustProductKind.SHAKEN_STIR


async def numbers_of_profile(sessions: SessionFactory, sid: str) -> list[str]:
    async with sessions() as s:
        rows = await s.exec(
            select(PhoneNumber.phone_number)
            .where(PhoneNumber.customer_profile_sid == sid)
            .order_by(col(PhoneNumber.phone_number))
        )
        return list(rows.all())


async def numbers_of_product(sessions: SessionFactory, sid: str) -> list[str]:
    async with sessions() as s:
        rows = await s.exec(
            select(ProductPhoneNumber.phone_number)
            .where(ProductPhoneNumber.trust_product_sid == sid)
            .order_by(col(ProductPhoneNumber.phone_number))
        )
        return list(rows.all())


async def assign_refused(
    sessions: SessionFactory,
    owner: Acct,
    number: str,
    *,
    profile: str | None = None,
    product: str | None = None,
) -> set[tuple[ErrorCode, tuple[str, ...] | None]]:
    async with sessions() as s:
        call = phone_numbers.assign(
            s, owner.actor, number, customer_profile_sid=profile, trust_product_sid=product
        )
        return codes(await refused(call))


async def unassign(
    sessions: SessionFactory,
    owner: Acct,
    number: str,
    *,
    profile: str | None = None,
    product: str | None = None,
) -> None:
    async with sessions() as s:
        await phone_numbers.unassign(
            s, owner.actor, number, customer_profile_sid=profile, trust_product_sid=product
        )
        await s.commit()


async def attest(sessions: SessionFactory, caller: Acct, number: str = NUMBER) -> Attestation:
    """The attestation of NUMBER (written as `number`) for `caller`."""
    async with sessions() as s:
        answered, verdict = await attestation_for(s, caller.actor, number)
    assert answered == NUMBER  # in E.164 form, however it was written
    return verdict


async def registered(sessions: SessionFactory, owner: Acct, number: str = NUMBER) -> str:
    """An approved business profile with an approved SHAKEN/STIR product, `number` on both."""
    profile = await approved_profile(sessions, owner)
    product = await product_with_status(sessions, owner, SHAKEN, profile, Status.APPROVED)
    await assign(sessions, owner, number, profile=profile)
    await assign(sessions, owner, number, product=product)
    return profile


async def on_product(sessions: SessionFactory, owner: Acct, profile: str, status: Status) -> None:
    """NUMBER on `profile` and on a new SHAKEN/STIR product of it with `status`."""
    product = await product_with_status(sessions, owner, SHAKEN, profile, status)
    await assign(sessions, owner, NUMBER, profile=profile)
    await assign(sessions, owner, NUMBER, product=product)


# -- assigning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["4155550123", "+1415555", "+1 415 555 0123 ext", "+99912345678", "", "phone"]
)
async def test_only_e164_numbers_are_accepted(
    sessions: SessionFactory, alice: Acct, number: str
) -> None:
    # given a profile
    profile = await create(sessions, alice)
    # when alice assigns a number that is not a valid E.164 number
    refusal = await assign_refused(sessions, alice, number, profile=profile)
    # then it is refused on the phone number, and nothing is saved
    assert refusal == {(ErrorCode.INVALID_VALUE, ("phoneNumber",))}
    assert await count(sessions, PhoneNumber) == 0


async def test_a_number_goes_to_the_profile_then_to_its_product(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile with a SHAKEN/STIR product
    profile = await create(sessions, alice)
    product = await make_product(sessions, alice, SHAKEN, profile)
    # when alice assigns a number to the product before the profile
    too_early = await assign_refused(sessions, alice, NUMBER, product=product)
    # then it is refused
    assert too_early == {(ErrorCode.INVALID_VALUE, ("phoneNumber",))}
    assert await numbers_of_product(sessions, product) == []
    # when she assigns it (written with spaces) to the profile, then to the product
    on_profile = await assign(sessions, alice, "+1 415 555 0123", profile=profile)
    on_product = await assign(sessions, alice, NUMBER, product=product)
    # then both hold it in E.164 form, and the results say where it went
    assert on_profile.phone_number == NUMBER
    assert on_profile.customer_profile is not None
    assert on_profile.customer_profile.sid == profile
    assert on_product.trust_product is not None
    assert on_product.trust_product.sid == product
    assert await numbers_of_profile(sessions, profile) == [NUMBER]
    assert await numbers_of_product(sessions, product) == [NUMBER]
    # and assigning again changes nothing
    await assign(sessions, alice, NUMBER, profile=profile)
    await assign(sessions, alice, NUMBER, product=product)
    assert await count(sessions, PhoneNumber) == 1
    assert await count(sessions, ProductPhoneNumber) == 1


async def test_a_number_on_another_profile_cannot_go_to_this_profiles_product(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a number on one profile and a product of another profile
    first = await create(sessions, alice)
    second = await create(sessions, alice)
    product = await make_product(sessions, alice, SHAKEN, second)
    await assign(sessions, alice, NUMBER, profile=first)
    # when alice assigns the number to the second profile's product
    refusal = await assign_refused(sessions, alice, NUMBER, product=product)
    # then it is refused
    assert refusal == {(ErrorCode.INVALID_VALUE, ("phoneNumber",))}
    assert await numbers_of_product(sessions, product) == []


async def test_a_number_is_on_one_profile_per_account(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given a number on one of alice's profiles
    first = await create(sessions, alice)
    second = await create(sessions, alice)
    await assign(sessions, alice, NUMBER, profile=first)
    # when alice assigns it to her other profile
    refusal = await assign_refused(sessions, alice, NUMBER, profile=second)
    # then it is refused and stays where it was
    assert refusal == {(ErrorCode.INVALID_VALUE, ("phoneNumber",))}
    assert await numbers_of_profile(sessions, first) == [NUMBER]
    assert await numbers_of_profile(sessions, second) == []
    # but bob, another account, may register the same number on his own profile
    bobs = await create(sessions, bob)
    await assign(sessions, bob, NUMBER, profile=bobs)
    assert await numbers_of_profile(sessions, bobs) == [NUMBER]


async def test_a_number_has_one_product_of_each_kind(sessions: SessionFactory, alice: Acct) -> None:
    # given a number on a profile with two SHAKEN/STIR products and a CNAM product
    profile = await create(sessions, alice)
    first = await make_product(sessions, alice, SHAKEN, profile)
    second = await make_product(sessions, alice, SHAKEN, profile)
    cnam = await make_product(sessions, alice, TrustProductKind.CNAM, profile)
    await assign(sessions, alice, NUMBER, profile=profile)
    await assign(sessions, alice, NUMBER, product=first)
    # when alice assigns the number to the second SHAKEN/STIR product
    refusal = await assign_refused(sessions, alice, NUMBER, product=second)
    # then it is refused, while a product of another kind takes it
    assert refusal == {(ErrorCode.INVALID_VALUE, ("phoneNumber",))}
    await assign(sessions, alice, NUMBER, product=cnam)
    assert await numbers_of_product(sessions, first) == [NUMBER]
    assert await numbers_of_product(sessions, second) == []
    assert await numbers_of_product(sessions, cnam) == [NUMBER]


async def test_exactly_one_target_is_required(sessions: SessionFactory, alice: Acct) -> None:
    # given a profile with a product
    profile = await create(sessions, alice)
    product = await make_product(sessions, alice, SHAKEN, profile)
    # when alice names neither or both targets
    neither = await assign_refused(sessions, alice, NUMBER)
    both = await assign_refused(sessions, alice, NUMBER, profile=profile, product=product)
    # then both are refused
    assert neither == both == {(ErrorCode.INVALID_VALUE, ("customerProfileId",))}


async def test_another_accounts_profile_and_product_are_not_found(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given bob's profile and product, both holding a number
    bobs_profile = await create(sessions, bob)
    bobs_product = await make_product(sessions, bob, SHAKEN, bobs_profile)
    await assign(sessions, bob, NUMBER, profile=bobs_profile)
    await assign(sessions, bob, NUMBER, product=bobs_product)
    targets = [
        ({"customer_profile_sid": bobs_profile}, ("customerProfileId",)),
        ({"trust_product_sid": bobs_product}, ("trustProductId",)),
    ]
    for action in (phone_numbers.assign, phone_numbers.unassign):
        for target, field in targets:
            # when alice assigns or unassigns a number there
            async with sessions() as s:
                error = await refused(action(s, alice.actor, NUMBER, **target))
            # then bob's profile or product is not found for her
            assert codes(error) == {(ErrorCode.NOT_FOUND, field)}, (action, target)
    # and bob's numbers are untouched
    assert await numbers_of_profile(sessions, bobs_profile) == [NUMBER]
    assert await numbers_of_product(sessions, bobs_product) == [NUMBER]


# -- unassigning --------------------------------------------------------------------------------


async def test_unassign_from_a_product_keeps_the_number_on_the_profile(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a number on a profile and on its SHAKEN/STIR product
    profile = await create(sessions, alice)
    product = await make_product(sessions, alice, SHAKEN, profile)
    await assign(sessions, alice, NUMBER, profile=profile)
    await assign(sessions, alice, NUMBER, product=product)
    # when alice unassigns it from the product
    await unassign(sessions, alice, NUMBER, product=product)
    # then the product no longer holds it, the profile still does
    assert await numbers_of_product(sessions, product) == []
    assert await numbers_of_profile(sessions, profile) == [NUMBER]


async def test_unassign_from_a_profile_removes_it_from_the_profiles_products(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a number on a profile and two of its products, and another number too
    profile = await create(sessions, alice)
    shaken = await make_product(sessions, alice, SHAKEN, profile)
    cnam = await make_product(sessions, alice, TrustProductKind.CNAM, profile)
    for number in (NUMBER, OTHER_NUMBER):
        await assign(sessions, alice, number, profile=profile)
        await assign(sessions, alice, number, product=shaken)
    await assign(sessions, alice, NUMBER, product=cnam)
    # when alice unassigns the first number from the profile
    await unassign(sessions, alice, NUMBER, profile=profile)
    # then it is gone from the profile and both products; the other number stays everywhere
    assert await numbers_of_profile(sessions, profile) == [OTHER_NUMBER]
    assert await numbers_of_product(sessions, shaken) == [OTHER_NUMBER]
    assert await numbers_of_product(sessions, cnam) == []
    # and it can now go to another profile
    other = await create(sessions, alice)
    await assign(sessions, alice, NUMBER, profile=other)
    assert await numbers_of_profile(sessions, other) == [NUMBER]


async def test_unassigning_a_number_that_is_not_there_is_not_found(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile and product without the number (it is on another profile)
    profile = await create(sessions, alice)
    product = await make_product(sessions, alice, SHAKEN, profile)
    other = await create(sessions, alice)
    await assign(sessions, alice, NUMBER, profile=other)
    for target in ({"customer_profile_sid": profile}, {"trust_product_sid": product}):
        # when alice unassigns it there
        async with sessions() as s:
            error = await refused(phone_numbers.unassign(s, alice.actor, NUMBER, **target))
        # then the number is NOT_FOUND there, and stays on the other profile
        assert codes(error) == {(ErrorCode.NOT_FOUND, ("phoneNumber",))}
    assert await numbers_of_profile(sessions, other) == [NUMBER]


# -- attestation --------------------------------------------------------------------------------


async def test_a_number_on_an_approved_profile_and_its_approved_shaken_product_gets_a(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a number on an approved business profile and on its approved SHAKEN/STIR product
    profile = await registered(sessions, alice)
    # when a carrier asks which attestation a call from it gets, as alice
    verdict = await attest(sessions, alice, "+1 (415) 555-0123")
    # then it is A, naming the profile
    assert verdict.level == "A"
    assert profile in verdict.reason


async def test_an_approved_secondary_profile_with_its_own_shaken_product_gets_a(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an ISV's end customer registered as an approved secondary profile with its own
    # approved SHAKEN/STIR product, the number on both
    isv = await approved_profile(sessions, alice, BusinessIdentity.ISV_RESELLER_OR_PARTNER)
    end_customer = await approved_secondary(sessions, alice, isv)
    await on_product(sessions, alice, end_customer, Status.APPROVED)
    # when a call comes from the number
    verdict = await attest(sessions, alice)
    # then it gets A
    assert verdict.level == "A"


@pytest.mark.parametrize(
    "gap", ["unregistered", "profile-only", "draft-profile", "pending-product", "end-customer"]
)
async def test_an_account_with_approvals_but_a_number_not_registered_that_way_gets_b(
    sessions: SessionFactory, alice: Acct, gap: str
) -> None:
    # given an account with an approved primary business profile and SHAKEN/STIR product
    primary = await registered(sessions, alice, OTHER_NUMBER)
    # and a number that is not registered for A: on no profile, on the profile only, on a
    # draft profile's product, on a product still under review, or on an ISV end customer's
    # profile without a SHAKEN/STIR product of its own
    if gap == "profile-only":
        await assign(sessions, alice, NUMBER, profile=primary)
    elif gap == "draft-profile":
        await on_product(sessions, alice, await create(sessions, alice), Status.APPROVED)
    elif gap == "pending-product":
        await on_product(sessions, alice, primary, Status.PENDING_REVIEW)
    elif gap == "end-customer":
        end_customer = await approved_secondary(sessions, alice, primary)
        await assign(sessions, alice, NUMBER, profile=end_customer)
    # when a call comes from the number
    verdict = await attest(sessions, alice)
    # then it gets B, and the reason says how to reach A
    assert verdict.level == "B", verdict.reason
    assert "For A attestation" in verdict.reason


@pytest.mark.parametrize("missing", ["nothing-approved", "no-shaken", "no-primary", "individual"])
async def test_an_account_without_both_approvals_gets_c(
    sessions: SessionFactory, alice: Acct, missing: str
) -> None:
    # given an account that lacks an approved primary business profile or an approved
    # SHAKEN/STIR product, with the number on a profile and product all the same
    if missing == "individual":
        profile = await create(sessions, alice, individual_profile())
    else:
        profile = await create_complete(sessions, alice)
    statuses = {
        "nothing-approved": (Status.DRAFT, Status.DRAFT),
        "no-shaken": (Status.APPROVED, Status.REJECTED),
        "no-primary": (Status.REJECTED, Status.APPROVED),
        "individual": (Status.APPROVED, Status.APPROVED),
    }
    profile_status, product_status = statuses[missing]
    await force(sessions, profile, profile_status)
    await on_product(sessions, alice, profile, product_status)
    # when a call comes from the number
    verdict = await attest(sessions, alice)
    # then it gets C, and the reason names what is missing
    assert verdict.level == "C", verdict.reason
    assert "no approved" in verdict.reason


async def test_an_unknown_number_on_an_empty_account_gets_c(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an account with nothing registered
    # when a call comes from a number
    verdict = await attest(sessions, alice)
    # then it gets C
    assert verdict.level == "C"
    assert NUMBER in verdict.reason


async def test_attestation_is_answered_for_the_callers_account_only(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given bob registered the number for A
    await registered(sessions, bob)
    # when alice, with nothing approved, asks about it
    alices = await attest(sessions, alice)
    # then bob's registration does not count for her: C
    assert alices.level == "C"
    assert (await attest(sessions, bob)).level == "A"
    # and once alice has her own approvals (but not that number), she gets B, not A
    await registered(sessions, alice, OTHER_NUMBER)
    assert (await attest(sessions, alice)).level == "B"


async def test_a_malformed_number_is_refused(sessions: SessionFactory, alice: Acct) -> None:
    # when a carrier asks about a number that is not E.164
    async with sessions() as s:
        error = await refused(attestation_for(s, alice.actor, "555-0123"))
    # then it is refused on the phone number
    assert codes(error) == {(ErrorCode.INVALID_VALUE, ("phoneNumber",))}
    assert "E.164" in error.errors[0].message
