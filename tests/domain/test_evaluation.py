"""Evaluation: one generic function of (policy requirements, profile facts). Pure, no database."""

from __future__ import annotations

from typing import Any

import pytest

from trusthub.domain.enums import EvaluationStatus
from trusthub.domain.evaluation import Failure, ProfileFacts, evaluate

# Policies are data: these mirror the shapes the migrations seed.
GENERAL = {"name": "General", "type": "fields", "fields": [["friendlyName"]]}
ADDRESS = {
    "name": "Address",
    "type": "fields",
    "fields": [["address", "street1"], ["address", "country"], ["address", "postalCode"]],
}
REP_1 = {"name": "Rep 1", "type": "representative", "position": 1, "required": True}
REP_2 = {"name": "Rep 2", "type": "representative", "position": 2, "required": False}
PRIMARY = {
    "name": "Primary",
    "type": "primary_profile",
    "status": "APPROVED",
    "businessIdentity": "ISV_RESELLER_OR_PARTNER",
}

VALUES = {
    "friendly_name": "Acme",
    "street1": "1 Market St",
    "country": "US",
    "postal_code": "94105",
}
REP = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "grace@acme.example.com",
    "phone_number": "+14155550101",
    "business_title": "Chief Executive",
    "job_position": "CEO",
}
ISV = {"status": "APPROVED", "business_identity": "ISV_RESELLER_OR_PARTNER"}
NOT_APPROVED = "PRIMARY_NOT_APPROVED"


def facts(
    values: dict[str, Any] | None = None,
    reps: dict[int, dict[str, Any]] | None = None,
    primary: dict[str, Any] | None = None,
) -> ProfileFacts:
    return ProfileFacts({**VALUES, **(values or {})}, representatives=reps or {}, primary=primary)


def test_complete_facts_are_compliant_with_a_passed_result_per_requirement() -> None:
    # given facts that meet every requirement
    policy = [GENERAL, ADDRESS, REP_1, REP_2, PRIMARY]
    # when evaluated
    outcome = evaluate(policy, facts(reps={1: REP}, primary=ISV))
    # then it is compliant, with one passed result per requirement, in policy order
    assert outcome.status is EvaluationStatus.COMPLIANT
    assert [(r.requirement, r.passed) for r in outcome.results] == [
        ("General", True),
        ("Address", True),
        ("Rep 1", True),
        ("Rep 2", True),
        ("Primary", True),
    ]
    assert outcome.failures == []


def test_a_failure_per_missing_or_invalid_field_with_its_path() -> None:
    # given an address with a missing street, a blank postal code and a bad country
    values = {"street1": None, "postal_code": "", "country": "ZZ"}
    # when evaluated
    outcome = evaluate([GENERAL, ADDRESS], facts(values))
    # then the address requirement fails with one failure per field; the general one passes
    assert outcome.status is EvaluationStatus.NONCOMPLIANT
    general, address = outcome.results
    assert general.passed
    assert not address.passed
    assert [(f.field, f.code) for f in address.failures] == [
        (("address", "street1"), "REQUIRED"),
        (("address", "country"), "INVALID_VALUE"),
        (("address", "postalCode"), "REQUIRED"),
    ]
    assert address.failures[1].message.startswith("address.country ")


def test_an_empty_list_counts_as_missing() -> None:
    # given a policy requiring regions of operation, and none given
    policy = [{"name": "Regions", "type": "fields", "fields": [["business", "regionsOfOperation"]]}]
    # when evaluated
    outcome = evaluate(policy, facts({"regions_of_operation": []}))
    # then the field is REQUIRED
    assert outcome.failures == [
        Failure(
            ("business", "regionsOfOperation"),
            "REQUIRED",
            "business.regionsOfOperation is required.",
        )
    ]


def test_representative_one_is_required() -> None:
    # given a policy with both representative requirements, and no representatives
    # when evaluated
    outcome = evaluate([REP_1, REP_2], facts())
    # then #1 fails as REQUIRED at its path and #2, optional, passes
    rep_1, rep_2 = outcome.results
    assert [(f.field, f.code) for f in rep_1.failures] == [
        (("authorizedRepresentatives", "1"), "REQUIRED")
    ]
    assert rep_2.passed
    assert outcome.status is EvaluationStatus.NONCOMPLIANT


def test_an_optional_representative_is_checked_when_present() -> None:
    # given representative #2 with a bad email and no title
    rep_2 = {**REP, "email": "grace", "business_title": None}
    # when evaluated
    outcome = evaluate([REP_1, REP_2], facts(reps={1: REP, 2: rep_2}))
    # then #1 passes and #2 fails field by field under its position
    assert outcome.results[0].passed
    assert [(f.field, f.code) for f in outcome.results[1].failures] == [
        (("authorizedRepresentatives", "2", "email"), "INVALID_VALUE"),
        (("authorizedRepresentatives", "2", "businessTitle"), "REQUIRED"),
    ]


@pytest.mark.parametrize(
    ("primary", "codes"),
    [
        (None, ["REQUIRED"]),
        ({**ISV, "status": "DRAFT"}, [NOT_APPROVED]),
        ({**ISV, "business_identity": "DIRECT_CUSTOMER"}, [NOT_APPROVED]),
        ({"status": "PENDING_REVIEW", "business_identity": None}, [NOT_APPROVED] * 2),
    ],
)
def test_the_primary_profile_must_be_an_approved_isv(
    primary: dict[str, Any] | None, codes: list[str]
) -> None:
    # given a secondary's primary that is missing, unapproved or not an ISV
    # when evaluated
    outcome = evaluate([PRIMARY], facts(primary=primary))
    # then the primary requirement fails at primaryProfileId
    assert [(f.field, f.code) for f in outcome.failures] == [
        (("primaryProfileId",), code) for code in codes
    ]


def test_an_unknown_requirement_type_is_an_error_not_a_pass() -> None:
    # given a policy with a requirement type the code does not know
    policy = [{"name": "Documents", "type": "supporting_document"}]
    # when evaluated, then it raises rather than silently passing
    with pytest.raises(ValueError, match="supporting_document"):
        evaluate(policy, facts())
