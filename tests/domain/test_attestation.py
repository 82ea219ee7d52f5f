"""SHAKEN/STIR attestation levels by DESIGN.md's rule. Rows are built through the real table
models, so a renamed column breaks these tests."""

from __future__ import annotations

from typing import Any

import pytest

from trusthub.domain.attestation import (
    Attestation,
    AttestationFacts,
    AttestationLevel,
    attest,
)
from trusthub.models.product import TrustProduct
from trusthub.models.profile import CustomerProfile

NUMBER = "+14155552671"
ACCOUNT_SID = "AC" + "b" * 32
PROFILE_SID = "BU" + "a" * 32
OTHER_PROFILE_SID = "BU" + "9" * 32
SHAKEN_SID = "BU" + "d" * 32


def profile(sid: str = PROFILE_SID, **columns: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "BUSINESS",
        "tier": "SECONDARY",
        "status": "APPROVED",
        "friendly_name": "Acme brand",
        "notification_email": "ops@acme.com",
        "legal_name": "Acme Communications Inc",
        **columns,
    }
    row = CustomerProfile(sid=sid, account_sid=ACCOUNT_SID, policy_sid="RN" + "c" * 32, **values)
    return row.model_dump()


def shaken(**columns: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "customer_profile_sid": PROFILE_SID,
        "kind": "SHAKEN_STIR",
        "status": "APPROVED",
        "friendly_name": "Outbound calls",
        "notification_email": "ops@acme.com",
        **columns,
    }
    row = TrustProduct(
        sid=SHAKEN_SID, account_sid=ACCOUNT_SID, policy_sid="RN" + "e" * 32, **values
    )
    return row.model_dump()


def facts(
    profile_row: dict[str, Any] | None,
    product_row: dict[str, Any] | None,
    *,
    primary: bool = True,
    approved_shaken: bool = True,
) -> AttestationFacts:
    return AttestationFacts(NUMBER, profile_row, product_row, primary, approved_shaken)


def test_a_number_on_an_approved_business_and_its_approved_shaken_product_gets_a() -> None:
    # given
    given = facts(profile(), shaken())

    # when
    result = attest(given)

    # then
    assert result.level is AttestationLevel.A
    assert NUMBER in result.reason
    assert PROFILE_SID in result.reason
    assert SHAKEN_SID in result.reason


def test_a_is_decided_by_the_number_own_registration() -> None:
    # given a number registered as A requires in an account whose primary lost its approval
    given = facts(profile(), shaken(), primary=False)

    # when
    result = attest(given)

    # then
    assert result.level is AttestationLevel.A


B_CASES = [
    pytest.param(
        None, None, ["neither a customer profile nor a SHAKEN/STIR product"], id="nowhere"
    ),
    pytest.param(None, shaken(), ["not assigned to any customer profile"], id="no-profile"),
    pytest.param(
        profile(status="IN_REVIEW"), shaken(), ["IN_REVIEW, not APPROVED"], id="profile-in-review"
    ),
    pytest.param(
        profile(status="REJECTED"), shaken(), ["REJECTED, not APPROVED"], id="profile-rejected"
    ),
    pytest.param(
        profile(kind="INDIVIDUAL"), shaken(), ["not a business profile"], id="individual-profile"
    ),
    pytest.param(profile(), None, ["not assigned to a SHAKEN/STIR product"], id="no-shaken"),
    pytest.param(
        profile(),
        shaken(status="PENDING_REVIEW"),
        ["PENDING_REVIEW, not APPROVED"],
        id="shaken-pending",
    ),
    pytest.param(
        profile(), shaken(kind="CNAM"), ["not assigned to a SHAKEN/STIR product"], id="not-shaken"
    ),
    pytest.param(
        profile(),
        shaken(customer_profile_sid=OTHER_PROFILE_SID),
        [f"belongs to customer profile {OTHER_PROFILE_SID}, not to {PROFILE_SID}"],
        id="shaken-of-another-profile",
    ),
    pytest.param(
        profile(status="DRAFT"),
        shaken(status="REJECTED", customer_profile_sid=OTHER_PROFILE_SID),
        [
            "profile",
            "DRAFT",
            "product",
            "REJECTED",
            f"belongs to customer profile {OTHER_PROFILE_SID}",
        ],
        id="every-gap-named",
    ),
]


@pytest.mark.parametrize(("profile_row", "product_row", "says"), B_CASES)
def test_an_account_with_approved_primary_and_shaken_gets_b_for_a_number_not_registered(
    profile_row: dict[str, Any] | None, product_row: dict[str, Any] | None, says: list[str]
) -> None:
    # given an account with an approved primary profile and an approved SHAKEN/STIR product
    given = facts(profile_row, product_row)

    # when
    result = attest(given)

    # then the reason says what is missing and how to reach A
    assert result.level is AttestationLevel.B
    assert NUMBER in result.reason
    assert all(text in result.reason for text in says)
    assert f"A attestation, assign {NUMBER} to an approved business profile" in result.reason


@pytest.mark.parametrize(
    ("primary", "approved_shaken", "missing", "present"),
    [
        pytest.param(
            False, True, "primary business profile", "SHAKEN/STIR product", id="no-primary"
        ),
        pytest.param(
            True, False, "SHAKEN/STIR product", "primary business profile", id="no-shaken"
        ),
    ],
)
def test_an_account_missing_an_approval_gets_c(
    primary: bool, approved_shaken: bool, missing: str, present: str
) -> None:
    # given a number on no profile in an account missing one of the approvals B needs
    given = facts(None, None, primary=primary, approved_shaken=approved_shaken)

    # when
    result = attest(given)

    # then the reason names the missing approval, and what would raise the level
    assert result.level is AttestationLevel.C
    assert f"has no approved {missing}" in result.reason
    assert f"no approved {present}" not in result.reason
    assert f"Get a {missing} approved for B attestation" in result.reason
    assert f"for A, also assign {NUMBER} to an approved business profile" in result.reason


def test_an_account_with_no_approvals_gets_c_naming_both() -> None:
    # given a new account: nothing approved, the number registered nowhere
    given = facts(None, None, primary=False, approved_shaken=False)

    # when
    result = attest(given)

    # then
    assert result == Attestation(
        AttestationLevel.C,
        "The account has no approved primary business profile and no approved SHAKEN/STIR "
        f"product, and {NUMBER} is assigned to neither a customer profile nor a SHAKEN/STIR "
        "product. Get a primary business "
        "profile and a SHAKEN/STIR product approved for B attestation; for A, also assign "
        f"{NUMBER} to an approved business profile and to an approved SHAKEN/STIR product of "
        "that same profile.",
    )


def test_c_when_the_number_profile_is_fine_but_the_account_has_no_approved_shaken() -> None:
    # given a number on an approved business profile, whose SHAKEN/STIR product is still pending
    given = facts(profile(), shaken(status="IN_REVIEW"), approved_shaken=False)

    # when
    result = attest(given)

    # then
    assert result.level is AttestationLevel.C
    assert "IN_REVIEW, not APPROVED" in result.reason


def test_the_levels_are_the_graphql_enum_values() -> None:
    # given / when / then: the contract's `enum AttestationLevel { A B C }`
    assert [level.value for level in AttestationLevel] == ["A", "B", "C"]
