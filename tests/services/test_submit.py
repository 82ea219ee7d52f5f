"""Evaluate and submit on SQLite and PostgreSQL: policies as data, and every submit refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from trusthub.config import get_settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import ProfileKind, ProfileTier, Status
from trusthub.domain.errors import ErrorCode
from trusthub.models import AuthorizedRepresentative, CustomerProfile, Evaluation, Policy
from trusthub.services import evaluations, profiles, representatives, submission
from trusthub.services.profiles import NewProfile

from ..conftest import Acct
from ..factories import ADDRESS, business_profile, paths, rep_changes
from .helpers import (
    LOCKED,
    codes,
    count,
    create,
    create_complete,
    force,
    individual_profile,
    refused,
    secondary,
    stored,
)

PRIMARY_BUSINESS_REQUIREMENTS = [
    "General information",
    "Business information",
    "Address",
    "Authorized representative 1",
    "Authorized representative 2",
    "Notification settings",
    # migration 0012: accepted (optional) supporting documents
    "Business registration certificate",
    "Proof of address",
]


async def evaluate(sessions: SessionFactory, owner: Acct, sid: str) -> Evaluation:
    async with sessions() as s:
        row = await evaluations.evaluate_profile(s, owner.actor, sid)
        await s.commit()
    return row


async def submit(sessions: SessionFactory, owner: Acct, sid: str, accept: bool = True) -> None:
    async with sessions() as s:
        await submission.submit_profile(s, owner.actor, sid, accept_terms=accept)
        await s.commit()


async def submit_refused(
    sessions: SessionFactory, owner: Acct, sid: str, accept: bool = True
) -> set[tuple[ErrorCode, tuple[str, ...] | None]]:
    async with sessions() as s:
        error = await refused(submission.submit_profile(s, owner.actor, sid, accept_terms=accept))
    return codes(error)


def failures(evaluation: Evaluation) -> dict[tuple[str, ...], str]:
    return {tuple(f["field"]): f["code"] for r in evaluation.results for f in r["failures"]}


# -- evaluate -----------------------------------------------------------------------------------


async def test_an_incomplete_draft_evaluates_noncompliant_with_a_failure_per_field(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a draft with a name, an email and a city only
    data = NewProfile(
        ProfileKind.BUSINESS,
        ProfileTier.PRIMARY,
        None,
        {
            ("friendlyName",): "Acme",
            ("notificationEmail",): "ops@acme.example.com",
            ("address", "city"): "Paris",
        },
    )
    sid = await create(sessions, alice, data)
    # when alice evaluates it
    evaluation = await evaluate(sessions, alice, sid)
    # then it is NONCOMPLIANT, with a result per requirement of the policy, stored for later
    assert evaluation.status == "NONCOMPLIANT"
    assert evaluation.sid.startswith("EL")
    assert [r["requirement"] for r in evaluation.results] == PRIMARY_BUSINESS_REQUIREMENTS
    passed = {r["requirement"]: r["passed"] for r in evaluation.results}
    assert passed == {
        "General information": True,
        "Business information": False,
        "Address": False,
        "Authorized representative 1": False,
        "Authorized representative 2": True,
        "Notification settings": True,
        "Business registration certificate": True,
        "Proof of address": True,
    }
    # and a REQUIRED failure per missing field, named by its path
    found = failures(evaluation)
    assert found[("business", "legalName")] == "REQUIRED"
    assert found[("address", "country")] == "REQUIRED"
    assert found[("authorizedRepresentatives", "1")] == "REQUIRED"
    assert ("address", "city") not in found
    assert len(found) == 8 + 4 + 1  # business fields, address less the city, representative #1
    async with sessions() as s:
        again = await s.get(Evaluation, evaluation.sid)
    assert again is not None
    assert again.results == evaluation.results


async def test_a_complete_business_profile_is_compliant_only_with_representative_one(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a complete business profile with only representative #2
    sid = await create(sessions, alice)
    async with sessions() as s:
        await representatives.add_representative(s, alice.actor, sid, 2, rep_changes())
        await s.commit()
    # when alice evaluates it before and after adding #1
    without = await evaluate(sessions, alice, sid)
    async with sessions() as s:
        await representatives.add_representative(s, alice.actor, sid, 1, rep_changes())
        await s.commit()
    with_one = await evaluate(sessions, alice, sid)
    # then only #1 made it compliant
    assert without.status == "NONCOMPLIANT"
    assert failures(without) == {("authorizedRepresentatives", "1"): "REQUIRED"}
    assert with_one.status == "COMPLIANT"
    assert all(r["passed"] for r in with_one.results)


async def test_a_complete_individual_profile_needs_no_representative(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an individual profile with individual information and an address
    data = individual_profile(paths("address", ADDRESS))
    sid = await create(sessions, alice, data)
    # when alice evaluates it
    evaluation = await evaluate(sessions, alice, sid)
    # then it is compliant under the individual policy
    assert evaluation.status == "COMPLIANT"
    async with sessions() as s:
        policy = await s.get(Policy, evaluation.policy_sid)
    assert policy is not None
    assert policy.code == "individual"


async def test_a_stored_value_that_is_no_longer_valid_fails_evaluation(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a compliant profile whose website and representative email went bad in storage
    sid = await create_complete(sessions, alice)
    await force(sessions, sid, Status.DRAFT, website_url="not a url")
    async with sessions() as s:
        rep = (await s.exec(select(AuthorizedRepresentative))).one()
        rep.email = "nobody"
        s.add(rep)
        await s.commit()
    # when alice evaluates it
    evaluation = await evaluate(sessions, alice, sid)
    # then each bad value is an INVALID_VALUE failure at its path
    assert failures(evaluation) == {
        ("business", "websiteUrl"): "INVALID_VALUE",
        ("authorizedRepresentatives", "1", "email"): "INVALID_VALUE",
    }


# -- submit -------------------------------------------------------------------------------------


async def test_submit_moves_a_compliant_profile_to_pending_review_with_the_terms(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a compliant draft
    sid = await create_complete(sessions, alice)
    before = datetime.now(UTC)
    # when alice submits it accepting the terms
    await submit(sessions, alice, sid)
    # then it is pending review, with when and which terms she accepted
    row = await stored(sessions, sid)
    assert row.status == "PENDING_REVIEW"
    assert row.terms_version == get_settings().terms_version
    assert row.terms_accepted_at is not None
    assert before <= row.terms_accepted_at <= datetime.now(UTC)


async def test_submit_refuses_a_noncompliant_profile_with_its_failures(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a complete business profile without representative #1 and without a website
    no_website = business_profile(changes={("business", "websiteUrl"): None})
    sid = await create(sessions, alice, no_website)
    # when alice submits it
    refusal = await submit_refused(sessions, alice, sid)
    # then the failures come back as NONCOMPLIANT errors, and it stays an unaccepted draft
    assert refusal == {
        (ErrorCode.NONCOMPLIANT, ("business", "websiteUrl")),
        (ErrorCode.NONCOMPLIANT, ("authorizedRepresentatives", "1")),
    }
    row = await stored(sessions, sid)
    assert (row.status, row.terms_accepted_at, row.version) == ("DRAFT", None, 1)


async def test_submit_refuses_unaccepted_terms(sessions: SessionFactory, alice: Acct) -> None:
    # given a compliant draft
    sid = await create_complete(sessions, alice)
    # when alice submits it without accepting the terms
    refusal = await submit_refused(sessions, alice, sid, accept=False)
    # then it is refused and stays a draft without terms
    assert refusal == {(ErrorCode.TERMS_NOT_ACCEPTED, ("acceptTerms",))}
    row = await stored(sessions, sid)
    assert (row.status, row.terms_accepted_at, row.terms_version) == ("DRAFT", None, None)


async def test_a_secondary_waits_for_an_approved_isv_primary(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a compliant secondary whose primary is a draft direct customer
    primary = await create_complete(sessions, alice)
    sid = await create_complete(sessions, alice, secondary(primary))
    expected = {(ErrorCode.PRIMARY_NOT_APPROVED, ("primaryProfileId",))}
    # when alice submits it while the primary is a draft
    draft = await submit_refused(sessions, alice, sid)
    # and when the primary is approved but a direct customer
    await force(sessions, primary, Status.APPROVED)
    direct = await submit_refused(sessions, alice, sid)
    # and when the primary is an ISV but not approved
    await force(sessions, primary, Status.REJECTED, business_identity="ISV_RESELLER_OR_PARTNER")
    rejected = await submit_refused(sessions, alice, sid)
    # then each is refused and the secondary stays a draft
    assert draft == direct == rejected == expected
    assert (await stored(sessions, sid)).status == "DRAFT"
    # and once the primary is an approved ISV, it goes to review
    await force(sessions, primary, Status.APPROVED)
    await submit(sessions, alice, sid)
    assert (await stored(sessions, sid)).status == "PENDING_REVIEW"


async def test_submit_refuses_a_profile_already_in_review_or_approved(
    sessions: SessionFactory, alice: Acct
) -> None:
    for status in LOCKED:
        # given a compliant profile under review or approved
        sid = await create_complete(sessions, alice)
        await force(sessions, sid, status)
        # when alice submits it again
        refusal = await submit_refused(sessions, alice, sid)
        # then it is refused as LOCKED and keeps its status
        assert {code for code, _ in refusal} == {ErrorCode.LOCKED}, status
        assert (await stored(sessions, sid)).status == status.value


async def test_a_rejected_profile_is_fixed_and_resubmitted(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a rejected profile with a reason
    sid = await create_complete(sessions, alice)
    reason = {"code": "ADDRESS", "field": ["address", "street1"], "message": "No such street."}
    await force(sessions, sid, Status.REJECTED, reasons=[reason])
    # when alice fixes the street and resubmits
    async with sessions() as s:
        await profiles.update_profile(s, alice.actor, sid, {("address", "street1"): "2 Main St"})
        await s.commit()
    await submit(sessions, alice, sid)
    # then it is pending review again and the old reasons are gone
    row = await stored(sessions, sid)
    assert (row.status, row.street1, row.reasons) == ("PENDING_REVIEW", "2 Main St", [])


async def test_nothing_of_a_refused_submit_is_kept(sessions: SessionFactory, alice: Acct) -> None:
    # given a draft missing representative #1
    sid = await create(sessions, alice)
    # when alice submits it
    await submit_refused(sessions, alice, sid)
    # then no evaluation was kept and the profile row is untouched
    assert await count(sessions, Evaluation) == 0
    async with sessions() as s:
        statuses = (await s.exec(select(col(CustomerProfile.status)))).all()
    assert list(statuses) == ["DRAFT"]


async def test_a_changed_policy_applies_once_the_cached_one_expires(
    sessions: SessionFactory, alice: Acct, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a compliant profile, evaluated (its policy is now cached in this process)
    sid = await create_complete(sessions, alice)
    first = await evaluate(sessions, alice, sid)
    assert first.status == "COMPLIANT"
    # when its policy changes to require representative #2, which it lacks
    original = await _set_requirements(
        sessions,
        first.policy_sid,
        [{"type": "representative", "name": "Rep 2", "position": 2, "required": True}],
    )
    try:
        # then evaluations keep the cached policy until it expires, and then apply the change
        assert (await evaluate(sessions, alice, sid)).status == "COMPLIANT"
        monkeypatch.setattr(evaluations, "POLICY_CACHE_SECONDS", 0.0)
        assert (await evaluate(sessions, alice, sid)).status == "NONCOMPLIANT"
    finally:  # policies are kept between tests (tests/conftest.py): put it back
        await _set_requirements(sessions, first.policy_sid, original)
        evaluations.forget_policies()


async def _set_requirements(
    sessions: SessionFactory, policy_sid: str, requirements: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Replace a policy's requirements in place; returns the ones it had."""
    async with sessions() as s:
        policy = await s.get(Policy, policy_sid)
        assert policy is not None
        before = list(policy.requirements)
        policy.requirements = requirements
        await s.commit()
    return before
