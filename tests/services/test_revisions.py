"""Revisions of an APPROVED profile on SQLite and PostgreSQL: in-place edits of the name and
notification targets, the revision's copy, its approval applied once to the original (which
keeps its SID, products, numbers and secondaries), rejection, and discarding."""

from __future__ import annotations

import pytest
from sqlmodel import select

from trusthub.db import SessionFactory
from trusthub.domain.enums import BusinessIdentity, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.products import TrustProductKind
from trusthub.domain.sids import SidPrefix, new_sid
from trusthub.models import AuthorizedRepresentative, CustomerProfile, PhoneNumber, Review
from trusthub.services import phone_numbers, products, profiles, representatives, revisions
from trusthub.services.attestation import attestation_for

from ..conftest import Acct
from ..factories import rep_changes
from .helpers import codes, count, create, force, refused, stored
from .revision_steps import (
    REJECTION,
    REVIEWER,
    audit_actions,
    decide,
    edit,
    history_rows,
    representatives_of,
    revise,
    submit,
)
from .test_products_helpers import (
    NUMBER,
    approved_profile,
    approved_secondary,
    assign,
    make_product,
    new_product,
    product_status,
    product_with_status,
    stored_product,
)

NEW_ADDRESS = {
    ("address", "street1"): "500 Market St",
    ("address", "city"): "San Francisco",
    ("address", "region"): "CA",
    ("address", "postalCode"): "94105",
}

# -- in-place edits -----------------------------------------------------------------------------


async def test_an_approved_profile_takes_its_name_and_notification_targets_in_place(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile
    sid = await approved_profile(sessions, alice)
    # when alice renames it and moves its notifications
    await edit(
        sessions,
        alice,
        sid,
        {
            ("friendlyName",): "Acme West",
            ("notificationEmail",): "trust@acme.example.com",
            ("statusCallback",): "https://hooks.acme.example.com/trust",
        },
    )
    # then the three change at once, it stays APPROVED, and no review is opened
    row = await stored(sessions, sid)
    assert (row.status, row.friendly_name, row.notification_email, row.status_callback) == (
        "APPROVED",
        "Acme West",
        "trust@acme.example.com",
        "https://hooks.acme.example.com/trust",
    )
    assert await count(sessions, Review, Review.subject_sid == sid) == 0
    # and the audit names the fields
    assert (await audit_actions(sessions, sid))[-1] == (
        "update",
        ["friendlyName", "notificationEmail", "statusCallback"],
    )


async def test_reviewed_data_of_an_approved_profile_is_locked_and_names_revise(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile
    sid = await approved_profile(sessions, alice)
    version = (await stored(sessions, sid)).version
    # when alice changes its name together with its legal name and city
    changes = {
        ("friendlyName",): "Acme West",
        ("business", "legalName"): "Acme West Inc",
        ("address", "city"): "Oakland",
    }
    async with sessions() as s:
        error = await refused(profiles.update_profile(s, alice.actor, sid, changes))
    # then the reviewed fields are refused as LOCKED, each named, pointing to a revision
    assert codes(error) == {
        (ErrorCode.LOCKED, ("business", "legalName")),
        (ErrorCode.LOCKED, ("address", "city")),
    }
    assert all("reviseCustomerProfile" in e.message for e in error.errors)
    # and nothing is stored, not even the name
    row = await stored(sessions, sid)
    assert (row.friendly_name, row.legal_name, row.version) == (
        "Acme",
        "Acme Communications Inc",
        version,
    )


# -- opening a revision -------------------------------------------------------------------------


async def test_a_revision_is_a_draft_copy_with_its_own_sid(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile with a representative
    sid = await approved_profile(sessions, alice)
    original = await stored(sessions, sid)
    # when alice revises it
    rev = await revise(sessions, alice, sid)
    # then the revision is a DRAFT of its own pointing back, holding the approved data
    row = await stored(sessions, rev)
    assert rev != sid
    assert (row.status, row.revision_of, row.account_sid) == ("DRAFT", sid, alice.sid)
    for column in ("legal_name", "registration_number", "street1", "country", "friendly_name"):
        assert getattr(row, column) == getattr(original, column), column
    # and copies of the representatives (own SIDs, same values)
    [theirs] = await representatives_of(sessions, rev)
    [ours] = await representatives_of(sessions, sid)
    assert theirs.sid != ours.sid
    assert (theirs.position, theirs.email, theirs.last_name) == (1, ours.email, ours.last_name)
    # and the original stays APPROVED with the revision open on it
    assert (await stored(sessions, sid)).status == "APPROVED"
    async with sessions() as s:
        found = await revisions.open_revision(s, sid)
    assert found is not None
    assert found.sid == rev


async def test_a_second_revision_gets_revision_exists(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile with an open revision
    sid = await approved_profile(sessions, alice)
    await revise(sessions, alice, sid)
    # when alice revises it again
    async with sessions() as s:
        error = await refused(revisions.revise_profile(s, alice.actor, sid))
    # then it is REVISION_EXISTS and there is still one revision
    assert codes(error) == {(ErrorCode.REVISION_EXISTS, ("id",))}
    assert await count(sessions, CustomerProfile, CustomerProfile.revision_of == sid) == 1


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.PENDING_REVIEW, Status.IN_REVIEW, Status.REJECTED]
)
async def test_only_an_approved_profile_can_be_revised(
    sessions: SessionFactory, alice: Acct, status: Status
) -> None:
    # given a profile that is not APPROVED
    sid = await create(sessions, alice)
    await force(sessions, sid, status)
    # when alice revises it
    async with sessions() as s:
        error = await refused(revisions.revise_profile(s, alice.actor, sid))
    # then it is LOCKED and no revision exists
    assert codes(error) == {(ErrorCode.LOCKED, ("id",))}
    assert await count(sessions, CustomerProfile, CustomerProfile.revision_of == sid) == 0


async def test_another_accounts_profile_cannot_be_revised(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given alice's approved profile
    sid = await approved_profile(sessions, alice)
    # when bob revises it
    async with sessions() as s:
        error = await refused(revisions.revise_profile(s, bob.actor, sid))
    # then it reads as not found
    assert codes(error) == {(ErrorCode.NOT_FOUND, ("id",))}
    assert await count(sessions, CustomerProfile, CustomerProfile.revision_of == sid) == 0


# -- approval -----------------------------------------------------------------------------------


async def test_an_approved_revision_replaces_the_data_once_and_keeps_the_in_place_edits(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile and its revision with a new address, a changed representative
    # and a second one (and a name of its own, which a revision does not carry back)
    sid = await approved_profile(sessions, alice)
    [rep] = await representatives_of(sessions, sid)
    rev = await revise(sessions, alice, sid)
    await edit(sessions, alice, rev, {**NEW_ADDRESS, ("friendlyName",): "Revision name"})
    [rev_rep] = await representatives_of(sessions, rev)
    async with sessions() as s:
        await representatives.update_representative(
            s, alice.actor, rev_rep.sid, {("email",): "grace@acme.example.com"}
        )
        await representatives.add_representative(
            s, alice.actor, rev, 2, rep_changes(firstName="Alan", email="alan@acme.example.com")
        )
        await s.commit()
    await submit(sessions, alice, rev)
    # and, while it is under review, alice renames the approved profile in place
    await edit(sessions, alice, sid, {("friendlyName",): "Acme West"})
    # when the revision is approved, and the same decision is delivered again
    first, message = await decide(sessions, rev)
    again, _ = await decide(sessions, rev, message=message)
    # then it was applied once
    assert (first, again) == ("applied", "dropped")
    # and the original keeps its SID, status and in-place name, with the revision's data
    row = await stored(sessions, sid)
    assert (row.status, row.friendly_name, row.street1, row.city, row.postal_code) == (
        "APPROVED",
        "Acme West",
        "500 Market St",
        "San Francisco",
        "94105",
    )
    # and its representatives: #1 keeps its SID with the new email, #2 is added
    reps = await representatives_of(sessions, sid)
    assert [(r.position, r.email) for r in reps] == [
        (1, "grace@acme.example.com"),
        (2, "alan@acme.example.com"),
    ]
    assert reps[0].sid == rep.sid
    # and its history names the revision and the reviewer, once
    applied = [h for h in await history_rows(sessions, sid) if h.revision_sid is not None]
    assert [(h.from_status, h.to_status, h.actor, h.revision_sid) for h in applied] == [
        ("APPROVED", "APPROVED", REVIEWER, rev)
    ]
    action, fields = (await audit_actions(sessions, sid))[-1]
    assert action == "apply_revision"
    assert {"address.street1", "authorizedRepresentatives.2", f"revision.{rev}"} <= set(fields)
    # and the revision stays readable as APPROVED, no longer open
    revision = await stored(sessions, rev)
    assert (revision.status, revision.revision_of) == ("APPROVED", sid)
    async with sessions() as s:
        assert await revisions.open_revision(s, sid) is None


async def test_an_approved_revision_drops_a_representative_it_removed(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile with two representatives, revised without #2
    sid = await approved_profile(sessions, alice)
    async with sessions() as s:
        s.add(
            AuthorizedRepresentative(
                sid=new_sid(SidPrefix.REPRESENTATIVE),
                account_sid=alice.sid,
                profile_sid=sid,
                position=2,
                first_name="Alan",
                last_name="Turing",
                email="alan@acme.example.com",
                phone_number="+14155550100",
                business_title="CTO",
                job_position="CTO",
            )
        )
        await s.commit()
    rev = await revise(sessions, alice, sid)
    second = (await representatives_of(sessions, rev))[1]
    async with sessions() as s:
        await representatives.remove_representative(s, alice.actor, second.sid)
        await s.commit()
    await submit(sessions, alice, rev)
    # when it is approved
    await decide(sessions, rev)
    # then the original has representative #1 only
    assert [r.position for r in await representatives_of(sessions, sid)] == [1]


async def test_a_revision_leaves_products_numbers_secondaries_and_attestation_alone(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved ISV profile with an approved SHAKEN/STIR product, a number attested A,
    # and an approved secondary profile
    sid = await approved_profile(sessions, alice, BusinessIdentity.ISV_RESELLER_OR_PARTNER)
    shaken = TrustProductKind.SHAKEN_STIR
    product = await product_with_status(sessions, alice, shaken, sid, Status.APPROVED)
    await assign(sessions, alice, NUMBER, profile=sid)
    await assign(sessions, alice, NUMBER, product=product)
    child = await approved_secondary(sessions, alice, sid)
    async with sessions() as s:
        _, before = await attestation_for(s, alice.actor, NUMBER)
    # when a revision is opened, submitted, and then approved
    rev = await revise(sessions, alice, sid)
    await edit(sessions, alice, rev, NEW_ADDRESS)
    await submit(sessions, alice, rev)
    while_open = await _state(sessions, alice, sid, product, child)
    await decide(sessions, rev)
    after = await _state(sessions, alice, sid, product, child)
    # then, under review and after, the product, number, secondary and attestation are as before
    expected = ("APPROVED", "APPROVED", sid, NUMBER, sid, before.level)
    assert (while_open, after) == (expected, expected)
    assert before.level == "A"


async def _state(
    sessions: SessionFactory, owner: Acct, sid: str, product: str, child: str
) -> tuple[str, str, str, str, str | None, str]:
    stored_row = await stored_product(sessions, product)
    assert stored_row is not None
    async with sessions() as s:
        number, attestation = await attestation_for(s, owner.actor, NUMBER)
        assigned = await profiles.get_profile(s, owner.actor, sid)
        numbers = await s.exec(select(PhoneNumber).where(PhoneNumber.phone_number == number))
        on = [n.customer_profile_sid for n in numbers.all()]
    return (
        assigned.status,
        await product_status(sessions, product),
        stored_row.customer_profile_sid,
        number,
        (await stored(sessions, child)).primary_profile_sid if on == [sid] else None,
        attestation.level,
    )


async def test_products_and_numbers_cannot_go_on_a_revision(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile's open revision
    sid = await approved_profile(sessions, alice)
    rev = await revise(sessions, alice, sid)
    # when alice puts a product or a number on the revision
    async with sessions() as s:
        error = await refused(
            products.create_product(s, alice.actor, new_product(TrustProductKind.CNAM, rev))
        )
    assert codes(error) == {(ErrorCode.INVALID_VALUE, ("customerProfileId",))}
    async with sessions() as s:
        error = await refused(
            phone_numbers.assign(s, alice.actor, NUMBER, customer_profile_sid=rev)
        )
    assert codes(error) == {(ErrorCode.INVALID_VALUE, ("customerProfileId",))}
    # then they go on the profile in force instead
    await make_product(sessions, alice, TrustProductKind.CNAM, sid)
    await assign(sessions, alice, NUMBER, profile=sid)


# -- rejection and discarding -------------------------------------------------------------------


async def test_a_rejected_revision_leaves_the_original_and_can_be_fixed_or_discarded(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a submitted revision with a new address
    sid = await approved_profile(sessions, alice)
    before = await stored(sessions, sid)
    rev = await revise(sessions, alice, sid)
    await edit(sessions, alice, rev, NEW_ADDRESS)
    await submit(sessions, alice, rev)
    # when it is rejected
    assert (await decide(sessions, rev, "REJECTED", REJECTION))[0] == "applied"
    # then the original is unchanged and still shows it as open
    after = await stored(sessions, sid)
    assert (after.status, after.street1) == ("APPROVED", before.street1)
    assert [h.revision_sid for h in await history_rows(sessions, sid)] == [None]
    revision = await stored(sessions, rev)
    assert (revision.status, revision.reasons) == (
        "REJECTED",
        [r.model_dump() for r in REJECTION],
    )
    async with sessions() as s:
        found = await revisions.open_revision(s, sid)
    assert found is not None
    # and the revision can be fixed
    await edit(sessions, alice, rev, {("address", "street1"): "501 Market St"})
    # and deleting it discards it with its representatives, leaving the original as it was
    async with sessions() as s:
        await profiles.delete_profile(s, alice.actor, rev)
        await s.commit()
    assert await count(sessions, CustomerProfile, CustomerProfile.sid == rev) == 0
    assert await representatives_of(sessions, rev) == []
    assert (await stored(sessions, sid)).street1 == before.street1
    # and a new revision can be opened
    assert await revise(sessions, alice, sid) != rev


async def test_an_approved_revision_is_read_only(sessions: SessionFactory, alice: Acct) -> None:
    # given an applied revision
    sid = await approved_profile(sessions, alice)
    rev = await revise(sessions, alice, sid)
    await submit(sessions, alice, rev)
    await decide(sessions, rev)
    # when alice renames it or revises it
    async with sessions() as s:
        rename = await refused(
            profiles.update_profile(s, alice.actor, rev, {("friendlyName",): "X"})
        )
    async with sessions() as s:
        again = await refused(revisions.revise_profile(s, alice.actor, rev))
    # then both are LOCKED (the profile it revised is the one to change)
    assert {c for c, _ in codes(rename)} == {c for c, _ in codes(again)} == {ErrorCode.LOCKED}
    assert (await stored(sessions, rev)).friendly_name == "Acme"
