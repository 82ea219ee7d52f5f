"""Profile use cases on SQLite and PostgreSQL: create, update, kinds and tiers, versions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.orm.exc import StaleDataError

from trusthub.db import SessionFactory
from trusthub.domain.enums import ProfileKind, ProfileTier, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.sids import SID_RE
from trusthub.models import CustomerProfile, Policy
from trusthub.services import profiles
from trusthub.services.profiles import NewProfile

from ..conftest import Acct
from ..factories import business_profile
from .helpers import (
    LOCKED,
    codes,
    count,
    create,
    force,
    individual_profile,
    refused,
    secondary,
    stored,
)

# -- create -------------------------------------------------------------------------------------


async def test_create_stores_a_draft_with_normalised_values(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a business profile typed loosely: lower-case country, short region, padded name
    data = business_profile(
        changes={
            ("friendlyName",): "  Acme  ",
            ("notificationEmail",): "Ops@ACME.Example.com",
            ("address", "country"): "us",
            ("address", "region"): "ny",
        }
    )
    # when alice creates it
    sid = await create(sessions, alice, data)
    # then a DRAFT is stored under the primary business policy, with normalised values
    row = await stored(sessions, sid)
    assert SID_RE.match(sid)
    assert sid.startswith("BU")
    assert (row.status, row.account_sid, row.version) == ("DRAFT", alice.sid, 1)
    assert (row.friendly_name, row.notification_email) == ("Acme", "Ops@acme.example.com")
    assert (row.country, row.region) == ("US", "US-NY")
    async with sessions() as s:
        policy = await s.get(Policy, row.policy_sid)
    assert policy is not None
    assert policy.code == "primary_business"


async def test_a_draft_may_be_incomplete(sessions: SessionFactory, alice: Acct) -> None:
    # given only the two fields a profile cannot exist without
    data = NewProfile(
        ProfileKind.BUSINESS,
        ProfileTier.PRIMARY,
        None,
        {("friendlyName",): "Half done", ("notificationEmail",): "ops@acme.example.com"},
    )
    # when alice creates it
    sid = await create(sessions, alice, data)
    # then it is saved as a DRAFT with the rest empty
    row = await stored(sessions, sid)
    assert (row.status, row.friendly_name, row.legal_name, row.country) == (
        "DRAFT",
        "Half done",
        None,
        None,
    )


async def test_create_refuses_every_malformed_value_at_once_and_saves_nothing(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile with five malformed values
    data = business_profile(
        changes={
            ("notificationEmail",): "ops-at-acme",
            ("statusCallback",): "ftp://acme.example.com/cb",
            ("business", "type"): "LLC",
            ("business", "legalName"): "x" * 256,
            ("address", "country"): "XX",
        }
    )
    # when alice creates it
    async with sessions() as s:
        error = await refused(profiles.create_profile(s, alice.actor, data))
    # then each bad field is named and no profile exists
    assert codes(error) == {
        (ErrorCode.INVALID_VALUE, ("notificationEmail",)),
        (ErrorCode.INVALID_VALUE, ("statusCallback",)),
        (ErrorCode.INVALID_VALUE, ("business", "type")),
        (ErrorCode.INVALID_VALUE, ("business", "legalName")),
        (ErrorCode.INVALID_VALUE, ("address", "country")),
    }
    assert await count(sessions, CustomerProfile) == 0


async def test_create_without_a_friendly_name_is_refused(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile without a friendly name (GraphQL requires it; the service must too)
    data = NewProfile(
        ProfileKind.BUSINESS, ProfileTier.PRIMARY, None, {("notificationEmail",): "a@acme.com"}
    )
    # when alice creates it
    async with sessions() as s:
        error = await refused(profiles.create_profile(s, alice.actor, data))
    # then the missing field is named and nothing is saved
    assert codes(error) == {(ErrorCode.REQUIRED, ("friendlyName",))}
    assert await count(sessions, CustomerProfile) == 0


# -- update -------------------------------------------------------------------------------------

BAD_UPDATES: list[tuple[str, dict[tuple[str, ...], Any], ErrorCode]] = [
    ("email", {("notificationEmail",): "not-an-email"}, ErrorCode.INVALID_VALUE),
    ("url scheme", {("statusCallback",): "javascript:alert(1)"}, ErrorCode.INVALID_VALUE),
    ("url space", {("business", "websiteUrl"): "https://a b.com"}, ErrorCode.INVALID_VALUE),
    ("enum", {("business", "industry"): "SPACE"}, ErrorCode.INVALID_VALUE),
    ("list item", {("business", "regionsOfOperation"): ["MARS"]}, ErrorCode.INVALID_VALUE),
    ("empty list", {("business", "regionsOfOperation"): []}, ErrorCode.INVALID_VALUE),
    ("country", {("address", "country"): "USA"}, ErrorCode.INVALID_VALUE),
    ("subdivision", {("address", "region"): "US-ZZ"}, ErrorCode.INVALID_VALUE),
    ("postal code", {("address", "postalCode"): "941#05"}, ErrorCode.INVALID_VALUE),
    ("control char", {("address", "city"): "San\nFrancisco"}, ErrorCode.INVALID_VALUE),
    ("wrong type", {("business", "legalName"): 42}, ErrorCode.INVALID_VALUE),
    ("blank", {("friendlyName",): "   "}, ErrorCode.INVALID_VALUE),
    ("oversized", {("friendlyName",): "A" * 65}, ErrorCode.INVALID_VALUE),
    ("required null", {("friendlyName",): None}, ErrorCode.REQUIRED),
]


async def test_update_refuses_each_malformed_value_and_keeps_the_stored_profile(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a stored profile
    sid = await create(sessions, alice)
    before = await stored(sessions, sid)
    for case, changes, code in BAD_UPDATES:
        # when alice sends one bad value beside a good one
        async with sessions() as s:
            edit = {("address", "city"): "Oakland", **changes}
            error = await refused(profiles.update_profile(s, alice.actor, sid, edit))
        # then the bad field is named, and nothing changed, not even the good value
        assert codes(error) == {(code, next(iter(changes)))}, case
        after = await stored(sessions, sid)
        assert after.model_dump() == before.model_dump(), case


async def test_individual_information_is_checked_too(sessions: SessionFactory, alice: Acct) -> None:
    # given an individual profile
    sid = await create(sessions, alice, individual_profile())
    # when alice sets a local phone number and a malformed email
    async with sessions() as s:
        error = await refused(
            profiles.update_profile(
                s,
                alice.actor,
                sid,
                {("individual", "phoneNumber"): "415 555 0100", ("individual", "email"): "ada@"},
            )
        )
    # then both are refused and the stored ones stay
    assert codes(error) == {
        (ErrorCode.INVALID_VALUE, ("individual", "phoneNumber")),
        (ErrorCode.INVALID_VALUE, ("individual", "email")),
    }
    row = await stored(sessions, sid)
    assert (row.phone_number, row.email) == ("+14155550100", "ada@example.com")


async def test_update_changes_only_what_is_sent_and_null_clears(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a stored profile
    sid = await create(sessions, alice)
    # when alice changes the city and clears street 2
    async with sessions() as s:
        await profiles.update_profile(
            s, alice.actor, sid, {("address", "city"): "Oakland", ("address", "street2"): None}
        )
        await s.commit()
    # then those two changed, everything else stayed and the version moved on
    row = await stored(sessions, sid)
    assert (row.city, row.street2, row.street1, row.legal_name) == (
        "Oakland",
        None,
        "1 Market St",
        "Acme Communications Inc",
    )
    assert row.version == 2


async def test_a_new_country_rechecks_the_stored_region(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile in US-CA
    sid = await create(sessions, alice)
    # when alice moves only the country to Canada
    async with sessions() as s:
        error = await refused(
            profiles.update_profile(s, alice.actor, sid, {("address", "country"): "CA"})
        )
    # then the stored region no longer fits and is named; then a short region uses the country
    assert codes(error) == {(ErrorCode.INVALID_VALUE, ("address", "region"))}
    async with sessions() as s:
        await profiles.update_profile(
            s, alice.actor, sid, {("address", "country"): "CA", ("address", "region"): "on"}
        )
        await s.commit()
    row = await stored(sessions, sid)
    assert (row.country, row.region) == ("CA", "CA-ON")


async def test_locked_profiles_refuse_edits(sessions: SessionFactory, alice: Acct) -> None:
    for status in LOCKED:
        # given a profile under review or approved
        sid = await create(sessions, alice)
        await force(sessions, sid, status)
        # when alice edits its reviewed data (approved ones change it through a revision)
        async with sessions() as s:
            edit = profiles.update_profile(s, alice.actor, sid, {("business", "legalName"): "Z"})
            error = await refused(edit)
        # then the edit is refused as LOCKED and the legal name stays
        assert [e.code for e in error.errors] == [ErrorCode.LOCKED], status
        row = await stored(sessions, sid)
        assert row.legal_name == "Acme Communications Inc", status


async def test_a_rejected_profile_can_be_edited(sessions: SessionFactory, alice: Acct) -> None:
    # given a rejected profile
    sid = await create(sessions, alice)
    await force(sessions, sid, Status.REJECTED)
    # when alice fixes it
    async with sessions() as s:
        await profiles.update_profile(s, alice.actor, sid, {("friendlyName",): "Acme Fixed"})
        await s.commit()
    # then the fix is saved
    row = await stored(sessions, sid)
    assert row.friendly_name == "Acme Fixed"


async def test_concurrent_updates_the_second_writer_gets_a_stale_data_error(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given two sessions that both loaded the same profile
    sid = await create(sessions, alice)
    first, second = sessions(), sessions()
    # (hold both rows: a session's identity map forgets objects nobody references)
    loaded = [await profiles.get_profile(x, alice.actor, sid) for x in (first, second)]
    assert [row.version for row in loaded] == [1, 1]
    # when the first saves a change
    await profiles.update_profile(first, alice.actor, sid, {("friendlyName",): "First"})
    await first.commit()
    await first.close()

    async def second_write() -> None:
        await profiles.update_profile(second, alice.actor, sid, {("friendlyName",): "Second"})
        await second.commit()

    # then the second, based on the old version, is refused and the first change stays
    with pytest.raises(StaleDataError):
        await second_write()
    await second.close()
    row = await stored(sessions, sid)
    assert (row.friendly_name, row.version) == ("First", 2)


# -- kind and tier ------------------------------------------------------------------------------


async def test_business_information_is_refused_on_an_individual_profile(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an individual profile, and an individual one sent with a business block
    sid = await create(sessions, alice, individual_profile())
    with_business = individual_profile(changes={("business", "legalName"): "Ada Ltd"})
    # when alice creates the second and adds business information to the first
    async with sessions() as s:
        on_create = await refused(profiles.create_profile(s, alice.actor, with_business))
    async with sessions() as s:
        on_update = await refused(
            profiles.update_profile(s, alice.actor, sid, {("business", "legalName"): "Ada Ltd"})
        )
    # then both are refused at the block and nothing was saved
    assert codes(on_create) == codes(on_update) == {(ErrorCode.INVALID_VALUE, ("business",))}
    assert await count(sessions, CustomerProfile) == 1
    row = await stored(sessions, sid)
    assert row.legal_name is None


async def test_individual_information_is_refused_on_a_business_profile(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a business profile
    sid = await create(sessions, alice)
    # when alice adds individual information
    async with sessions() as s:
        error = await refused(
            profiles.update_profile(s, alice.actor, sid, {("individual", "firstName"): "Ada"})
        )
    # then it is refused at the block
    assert codes(error) == {(ErrorCode.INVALID_VALUE, ("individual",))}


async def test_kind_and_tier_cannot_be_changed(sessions: SessionFactory, alice: Acct) -> None:
    # given a primary business profile
    sid = await create(sessions, alice)
    for field, value in (("kind", "INDIVIDUAL"), ("tier", "SECONDARY")):
        # when alice tries to change its kind or tier
        async with sessions() as s:
            error = await refused(profiles.update_profile(s, alice.actor, sid, {(field,): value}))
        # then there is no such editable field
        assert codes(error) == {(ErrorCode.INVALID_VALUE, (field,))}
    # and it stays a primary business profile
    row = await stored(sessions, sid)
    assert (row.kind, row.tier) == ("BUSINESS", "PRIMARY")


async def test_a_secondary_profile_links_its_primary(sessions: SessionFactory, alice: Acct) -> None:
    # given alice's primary business profile
    primary = await create(sessions, alice)
    # when she creates a secondary for it
    sid = await create(sessions, alice, secondary(primary))
    # then it is linked and evaluated under the secondary policy
    row = await stored(sessions, sid)
    assert (row.tier, row.primary_profile_sid) == ("SECONDARY", primary)
    async with sessions() as s:
        policy = await s.get(Policy, row.policy_sid)
    assert policy is not None
    assert policy.code == "secondary_business"


async def test_a_secondary_needs_a_primary_business_profile_of_the_same_account(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given an individual profile, a secondary, and bob's primary business profile
    individual = await create(sessions, alice, individual_profile())
    primary = await create(sessions, alice)
    second = await create(sessions, alice, secondary(primary))
    bobs = await create(sessions, bob)
    primary_field = ("primaryProfileId",)
    individual_secondary = replace(
        individual_profile(), tier=ProfileTier.SECONDARY, primary_profile_sid=primary
    )
    attempts: list[tuple[NewProfile, tuple[ErrorCode, tuple[str, ...]]]] = [
        (secondary(None), (ErrorCode.REQUIRED, ("primaryProfileId",))),
        (secondary(individual), (ErrorCode.INVALID_VALUE, ("primaryProfileId",))),
        (secondary(second), (ErrorCode.INVALID_VALUE, ("primaryProfileId",))),
        (secondary(bobs), (ErrorCode.NOT_FOUND, ("primaryProfileId",))),
        (individual_secondary, (ErrorCode.INVALID_VALUE, ("tier",))),
        (business_profile(primary_profile_sid=primary), (ErrorCode.INVALID_VALUE, primary_field)),
    ]
    for data, expected in attempts:
        # when alice creates a secondary against each
        async with sessions() as s:
            error = await refused(profiles.create_profile(s, alice.actor, data))
        # then each is refused with its reason
        assert codes(error) == {expected}, data
    assert await count(sessions, CustomerProfile) == 4
