"""Automated vetting of trust products: the checks per kind, escalations and sandbox values.
Rows are built through the real table models, so a renamed column breaks these tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from trusthub.domain.enums import ReasonCode
from trusthub.domain.vetting import Verdict, VettingResult
from trusthub.domain.vetting.products import A2P_ESCALATE_DAILY_MESSAGES, vet_product
from trusthub.domain.vetting.sandbox import reject_token
from trusthub.models.product import TrustProduct
from trusthub.models.profile import CustomerProfile

PROFILE_SID = "BU" + "a" * 32
ACCOUNT_SID = "AC" + "b" * 32
OTHER, NAME, EMAIL = ReasonCode.OTHER, ReasonCode.BUSINESS_NAME_WEBSITE, ReasonCode.EMAIL_DOMAIN
A2P, CNAM, VI, BC = "A2P_MESSAGING", "CNAM", "VOICE_INTEGRITY", "BRANDED_CALLING"
KINDS = ["SHAKEN_STIR", A2P, CNAM, VI, BC]
# An approved business, and a clean product of each kind for it.
BUSINESS: dict[str, Any] = {
    "kind": "BUSINESS", "tier": "PRIMARY", "status": "APPROVED", "friendly_name": "Acme",
    "notification_email": "ops@acme.com", "legal_name": "Acme Communications Inc",
    "business_type": "CORPORATION", "business_industry": "TELECOMMUNICATIONS",
    "website_url": "https://www.acme.com",
}  # fmt: skip
CLEAN: dict[str, dict[str, Any]] = {
    "SHAKEN_STIR": {},
    A2P: {"a2p_company_type": "PRIVATE", "a2p_brand_contact_email": "brand@mail.acme.com",
          "a2p_daily_message_volume": 2_000},
    CNAM: {"cnam_display_name": "ACME"},
    VI: {"vi_use_case": "CUSTOMER_SERVICE", "vi_employee_count": 20, "vi_daily_call_volume": 900},
    BC: {"bc_display_name": "Acme", "bc_long_display_name": "Acme Customer Care",
         "bc_call_purpose": "CUSTOMER_SERVICE", "bc_call_reason": "Your order update"},
}  # fmt: skip


def customer_profile(**columns: Any) -> dict[str, Any]:
    values = {**BUSINESS, **columns}
    row = CustomerProfile(
        sid=PROFILE_SID, account_sid=ACCOUNT_SID, policy_sid="RN" + "c" * 32, **values
    )
    return row.model_dump()


def product(kind: str, sid: str = "BU" + "d" * 32, **columns: Any) -> dict[str, Any]:
    values = {"customer_profile_sid": PROFILE_SID, "status": "IN_REVIEW", "friendly_name": "Acme",
              "notification_email": "ops@acme.com", **CLEAN[kind], **columns}  # fmt: skip
    row = TrustProduct(
        sid=sid, account_sid=ACCOUNT_SID, kind=kind, policy_sid="RN" + "e" * 32, **values
    )
    return row.model_dump()


APPROVED_VI = product(VI, sid="BU" + "f" * 32, status="APPROVED")


def vet(
    row: dict[str, Any],
    profile_row: dict[str, Any] | None = None,
    siblings: Sequence[dict[str, Any]] = (APPROVED_VI,),
    *,
    sandbox: bool = False,
) -> VettingResult:
    return vet_product(row, profile_row or customer_profile(), siblings, sandbox=sandbox)


def found(result: VettingResult) -> list[tuple[ReasonCode, str]]:
    """Each reason as (code, dotted GraphQL field path)."""
    return [(r.code, ".".join(r.field)) for r in result.reasons]


@pytest.mark.parametrize("kind", KINDS)
def test_a_clean_product_of_an_approved_business_is_approved(kind: str) -> None:
    # given a complete product of an approved business profile
    row = product(kind)

    # when
    result = vet(row)

    # then
    assert result.verdict is Verdict.APPROVED
    assert result.reasons == ()
    assert result.escalation_reason is None


NOT_APPROVED_BUSINESS = [
    *({"status": status} for status in ("DRAFT", "PENDING_REVIEW", "IN_REVIEW", "REJECTED")),
    {"kind": "INDIVIDUAL"},
]


@pytest.mark.parametrize("profile_columns", NOT_APPROVED_BUSINESS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_needs_an_approved_business_profile(
    kind: str, profile_columns: dict[str, Any]
) -> None:
    # given a clean product whose profile is not approved, or is an individual's
    profile_row = customer_profile(**profile_columns)

    # when
    result = vet(product(kind), profile_row)

    # then the one reason points at the profile and says what it is
    assert result.verdict is Verdict.REJECTED
    assert found(result) == [(OTHER, "customerProfileId")]
    assert next(iter(profile_columns.values())) in result.reasons[0].message


def test_an_invalid_notification_email_and_an_unknown_kind_are_rejected() -> None:
    # given
    bad_email = product("SHAKEN_STIR", notification_email="ops-at-acme")
    unknown = {**product("SHAKEN_STIR"), "kind": "FAX"}

    # when / then
    assert found(vet(bad_email)) == [(OTHER, "notificationEmail")]
    assert found(vet(unknown)) == [(OTHER, "kind")]


# Each row: kind, product columns, profile columns, the one reason expected, words it says.
REJECTIONS = [
    pytest.param(A2P, {"a2p_company_type": "PUBLIC"}, {},
                 [(OTHER, "a2pMessaging.stockExchange"), (OTHER, "a2pMessaging.stockTicker")],
                 "required", id="public-without-listing"),
    pytest.param(A2P, {"a2p_company_type": "PUBLIC", "a2p_stock_exchange": "NYSE"}, {},
                 [(OTHER, "a2pMessaging.stockTicker")], "required", id="public-without-ticker"),
    pytest.param(A2P, {"a2p_stock_ticker": "ACME"}, {},
                 [(OTHER, "a2pMessaging.stockTicker")], "PUBLIC", id="private-with-ticker"),
    pytest.param(A2P, {"a2p_company_type": "NON_PROFIT"}, {},
                 [(OTHER, "a2pMessaging.companyType")], "NON_PROFIT_CORPORATION",
                 id="non-profit-of-a-corporation"),
    pytest.param(A2P, {"a2p_company_type": "GOVERNMENT"}, {},
                 [(OTHER, "a2pMessaging.companyType")], "GOVERNMENT industry",
                 id="government-outside-government"),
    pytest.param(A2P, {"a2p_company_type": "PUBLIC", "a2p_stock_exchange": "NYSE",
                       "a2p_stock_ticker": "ACME"}, {"business_type": "SOLE_PROPRIETORSHIP"},
                 [(OTHER, "a2pMessaging.companyType")], "no stock", id="public-sole-proprietor"),
    pytest.param(A2P, {"a2p_company_type": None, "a2p_daily_message_volume": None}, {},
                 [(OTHER, "a2pMessaging.companyType"),
                  (OTHER, "a2pMessaging.dailyMessageVolume")], "required", id="a2p-missing"),
    pytest.param(A2P, {"a2p_brand_contact_email": "acme.brand@gmail.com"}, {},
                 [(EMAIL, "a2pMessaging.brandContactEmail")], "free mailbox", id="free-mail"),
    pytest.param(A2P, {"a2p_brand_contact_email": "brand@acme-sms.com"}, {},
                 [(EMAIL, "a2pMessaging.brandContactEmail")], "acme.com", id="other-domain"),
    pytest.param(A2P, {}, {"website_url": None},
                 [(EMAIL, "a2pMessaging.brandContactEmail")], "no website", id="no-website"),
    pytest.param(A2P, {"a2p_brand_contact_email": "brand@@acme"}, {},
                 [(OTHER, "a2pMessaging.brandContactEmail")], "not a valid", id="bad-email"),
    pytest.param(CNAM, {"cnam_display_name": "GLOBEX"}, {},
                 [(NAME, "cnam.displayName")], "does not name", id="cnam-unrelated"),
    pytest.param(CNAM, {"cnam_display_name": "AC GLOBEX"}, {},
                 [(NAME, "cnam.displayName")], "does not name", id="cnam-two-initials-and-more"),
    pytest.param(CNAM, {"cnam_display_name": "COMMUNICATIONS"}, {},
                 [(NAME, "cnam.displayName")], "does not name", id="cnam-generic-word-only"),
    pytest.param(CNAM, {"cnam_display_name": None}, {},
                 [(OTHER, "cnam.displayName")], "required", id="cnam-missing"),
    pytest.param(VI, {"vi_employee_count": 0}, {},
                 [(OTHER, "voiceIntegrity.employeeCount")], "at least one", id="no-employees"),
    pytest.param(VI, {"vi_employee_count": None}, {},
                 [(OTHER, "voiceIntegrity.employeeCount")], "at least one",
                 id="employees-missing"),
    pytest.param(VI, {"vi_employee_count": 2, "vi_daily_call_volume": 2 * 1_000 + 1}, {},
                 [(OTHER, "voiceIntegrity.averageDailyCallVolume")], "per employee",
                 id="too-many-calls"),
    pytest.param(VI, {"vi_use_case": None, "vi_daily_call_volume": None}, {},
                 [(OTHER, "voiceIntegrity.useCase"),
                  (OTHER, "voiceIntegrity.averageDailyCallVolume")], "required",
                 id="vi-missing"),
    pytest.param(BC, {"bc_display_name": "Fraud Alert"}, {},
                 [(NAME, "brandedCalling.displayName")], "misleading", id="bc-generic"),
    pytest.param(BC, {"bc_display_name": "Initech", "bc_long_display_name": "Initech Care"}, {},
                 [(NAME, "brandedCalling.displayName")], "does not name", id="bc-unrelated"),
    pytest.param(BC, {"bc_long_display_name": "Customer Care Line"}, {},
                 [(NAME, "brandedCalling.longDisplayName")], "must contain",
                 id="long-name-unrelated"),
    pytest.param(BC, {"bc_long_display_name": None, "bc_call_purpose": None,
                      "bc_call_reason": ""}, {},
                 [(OTHER, "brandedCalling.longDisplayName"),
                  (OTHER, "brandedCalling.callPurpose"),
                  (OTHER, "brandedCalling.callReason")], "required", id="bc-missing"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "columns", "profile_columns", "expected", "says"), REJECTIONS)
def test_a_product_failing_a_check_is_rejected_at_that_field(
    kind: str,
    columns: dict[str, Any],
    profile_columns: dict[str, Any],
    expected: list[tuple[ReasonCode, str]],
    says: str,
) -> None:
    # given an approved profile and a product with one kind of problem
    row, profile_row = product(kind, **columns), customer_profile(**profile_columns)

    # when
    result = vet(row, profile_row)

    # then the customer is told what to fix, and where
    assert result.verdict is Verdict.REJECTED
    assert found(result) == expected
    assert all(says in r.message for r in result.reasons)


# Each row: kind, product columns, profile columns that pass the checks.
PASSES = [
    pytest.param(A2P, {"a2p_company_type": "PUBLIC", "a2p_stock_exchange": "NASDAQ",
                       "a2p_stock_ticker": "ACME"}, {}, id="public-listed"),
    pytest.param(A2P, {"a2p_company_type": "NON_PROFIT"},
                 {"business_type": "NON_PROFIT_CORPORATION", "business_industry": "EDUCATION"},
                 id="non-profit-corporation"),
    pytest.param(A2P, {"a2p_company_type": "NON_PROFIT"}, {"business_industry": "NOT_FOR_PROFIT"},
                 id="not-for-profit-industry"),
    pytest.param(A2P, {"a2p_company_type": "GOVERNMENT"}, {"business_industry": "GOVERNMENT"},
                 id="government"),
    pytest.param(A2P, {"a2p_brand_contact_email": "brand@acme.com"}, {}, id="website-domain"),
    pytest.param(A2P, {"a2p_daily_message_volume": A2P_ESCALATE_DAILY_MESSAGES}, {},
                 id="volume-at-threshold"),
    pytest.param(CNAM, {"cnam_display_name": "ACME COMMS"}, {}, id="shared-word"),
    pytest.param(CNAM, {"cnam_display_name": "ACMETEL"}, {}, id="run-together"),
    pytest.param(CNAM, {"cnam_display_name": "MASS GEN HOSP"},
                 {"legal_name": "Massachusetts General Hospital", "friendly_name": "MGH"},
                 id="abbreviation"),
    pytest.param(CNAM, {"cnam_display_name": "IBM"},
                 {"legal_name": "International Business Machines Corp", "friendly_name": "Big"},
                 id="initials"),
    pytest.param(CNAM, {"cnam_display_name": "IBM SUPPORT"},
                 {"legal_name": "International Business Machines Corp", "friendly_name": "Big"},
                 id="initials-and-a-word"),
    pytest.param(CNAM, {"cnam_display_name": "AC"}, {}, id="two-letter-initials"),
    pytest.param(CNAM, {"cnam_display_name": "BOFA"},
                 {"legal_name": "Bank of America Corp", "friendly_name": "BofA"},
                 id="friendly-name"),
    pytest.param(CNAM, {"cnam_display_name": "AT&T"},
                 {"legal_name": "AT&T Inc", "friendly_name": "Telco"}, id="ampersand"),
    pytest.param(CNAM, {"cnam_display_name": "SPRINGFIELD PD"},
                 {"legal_name": "Springfield Police Department"}, id="authority-it-is"),
    pytest.param(VI, {"vi_employee_count": 2, "vi_daily_call_volume": 2_000}, {},
                 id="calls-at-limit"),
    pytest.param(BC, {"bc_display_name": "ACMETEL", "bc_long_display_name": "Acme Billing"}, {},
                 id="long-name-has-legal-word"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "columns", "profile_columns"), PASSES)
def test_a_product_passing_the_checks_is_approved(
    kind: str, columns: dict[str, Any], profile_columns: dict[str, Any]
) -> None:
    # given
    row, profile_row = product(kind, **columns), customer_profile(**profile_columns)

    # when
    result = vet(row, profile_row)

    # then
    assert (result.verdict, result.reasons) == (Verdict.APPROVED, ())


@pytest.mark.parametrize(
    "display",
    ["BANK", "IRS", "POLICE", "FRAUD ALERT", "Unknown", "NO CALLER ID", "4155552671",
     "415-555-2671", "ACME POLICE", "ACME IRS"],
)  # fmt: skip
def test_generic_or_misleading_cnam_names_are_rejected(display: str) -> None:
    # given a display name that doesn't say which business calls, or poses as an authority
    row = product(CNAM, cnam_display_name=display)

    # when
    result = vet(row)

    # then
    assert result.verdict is Verdict.REJECTED
    assert found(result) == [(NAME, "cnam.displayName")]
    assert "does not name" not in result.reasons[0].message


@pytest.mark.parametrize(
    "siblings",
    [
        pytest.param((), id="none"),
        pytest.param((product(VI, sid="BU" + "f" * 32, status="PENDING_REVIEW"),), id="pending"),
        pytest.param((product(CNAM, sid="BU" + "f" * 32, status="APPROVED"),), id="other-kind"),
        pytest.param(
            (
                product(
                    VI, sid="BU" + "f" * 32, status="APPROVED", customer_profile_sid="BU" + "9" * 32
                ),
            ),
            id="other-profile",
        ),
    ],
)
def test_branded_calling_needs_an_approved_voice_integrity_product(
    siblings: Sequence[dict[str, Any]],
) -> None:
    # given a clean branded calling product without an approved VI product on its profile
    row = product(BC)

    # when
    result = vet(row, siblings=siblings)

    # then
    assert result.verdict is Verdict.REJECTED
    assert found(result) == [(OTHER, "customerProfileId")]
    assert "VOICE_INTEGRITY" in result.reasons[0].message


def test_every_problem_is_reported_at_once() -> None:
    # given an unapproved profile and a product with two problems
    row = product(A2P, a2p_company_type="PUBLIC", a2p_brand_contact_email="x@gmail.com")

    # when
    result = vet(row, customer_profile(status="REJECTED"))

    # then
    assert found(result) == [
        (OTHER, "customerProfileId"),
        (OTHER, "a2pMessaging.stockExchange"),
        (OTHER, "a2pMessaging.stockTicker"),
        (EMAIL, "a2pMessaging.brandContactEmail"),
    ]


# --- escalation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "columns", "says"),
    [
        pytest.param(A2P, {"a2p_daily_message_volume": 100_001}, "100,000", id="a2p-volume"),
        pytest.param(VI, {"vi_use_case": "COLLECTIONS"}, "COLLECTIONS", id="collections"),
        pytest.param(VI, {"vi_use_case": "SALES_AND_MARKETING"}, "SALES_AND_MARKETING", id="sales"),
    ],
)
def test_high_risk_products_go_to_a_person(kind: str, columns: dict[str, Any], says: str) -> None:
    # given an otherwise clean high-volume or high-risk product
    row = product(kind, **columns)

    # when
    result = vet(row)

    # then
    assert result.verdict is Verdict.ESCALATED
    assert result.reasons == ()
    assert result.escalation_reason is not None
    assert says in result.escalation_reason


def test_a_rejection_wins_over_escalation() -> None:
    # given a collections VI product of a business with no employees
    row = product(VI, vi_use_case="COLLECTIONS", vi_employee_count=0)

    # when
    result = vet(row)

    # then
    assert result.verdict is Verdict.REJECTED
    assert result.escalation_reason is None


# --- sandbox magic values -----------------------------------------------------------------------


def test_sandbox_approve_and_escalate_force_the_outcome() -> None:
    # given products of an unapproved profile named with the tokens
    approve = product(CNAM, friendly_name="Caller ID sandbox-approve", cnam_display_name="IRS")
    escalate = product(CNAM, friendly_name="Caller ID SANDBOX-ESCALATE")
    profile_row = customer_profile(status="DRAFT")

    # when
    approved = vet(approve, profile_row, sandbox=True)
    escalated = vet(escalate, profile_row, sandbox=True)

    # then
    assert (approved.verdict, approved.reasons) == (Verdict.APPROVED, ())
    assert escalated.verdict is Verdict.ESCALATED
    assert escalated.escalation_reason is not None
    assert "sandbox-escalate" in escalated.escalation_reason


@pytest.mark.parametrize(
    ("code", "kind", "field"),
    [
        (ReasonCode.BUSINESS_NAME_WEBSITE, CNAM, "cnam.displayName"),
        (ReasonCode.BUSINESS_NAME_WEBSITE, BC, "brandedCalling.displayName"),
        (ReasonCode.BUSINESS_NAME_WEBSITE, A2P, "customerProfileId"),
        (ReasonCode.BUSINESS_REGISTRATION_ID, A2P, "customerProfileId"),
        (ReasonCode.ADDRESS, "SHAKEN_STIR", "customerProfileId"),
        (ReasonCode.AUTHORIZED_REPRESENTATIVE_1, VI, "customerProfileId"),
        (ReasonCode.AUTHORIZED_REPRESENTATIVE_2, VI, "customerProfileId"),
        (ReasonCode.EMAIL_DOMAIN, A2P, "a2pMessaging.brandContactEmail"),
        (ReasonCode.EMAIL_DOMAIN, CNAM, "notificationEmail"),
        (ReasonCode.OTHER, BC, ""),
    ],
)
def test_sandbox_reject_tokens_reject_at_a_product_field(
    code: ReasonCode, kind: str, field: str
) -> None:
    # given a clean product named with the token of a reason code
    token = reject_token(code)
    row = product(kind, friendly_name=f"Product {token}")

    # when
    result = vet(row, sandbox=True)

    # then one reason of that code, at a field the product (or its profile) has
    assert result.verdict is Verdict.REJECTED
    assert found(result) == [(code, field)]
    assert token in result.reasons[0].message


def test_magic_values_do_nothing_outside_the_sandbox() -> None:
    # given a product with a misleading name, named with the approve token, on a live account
    row = product(CNAM, friendly_name="Caller ID sandbox-approve", cnam_display_name="IRS")

    # when
    result = vet(row, sandbox=False)

    # then it is vetted like any other
    assert result.verdict is Verdict.REJECTED
    assert found(result) == [(NAME, "cnam.displayName")]
