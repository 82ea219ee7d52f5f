"""Automated vetting: escalation rules and sandbox magic values."""

from __future__ import annotations

import pytest

from trusthub.domain.enums import ReasonCode
from trusthub.domain.vetting import SANDBOX_MAGIC_VALUES, EscalationRules, Verdict

from .vetting_data import profile, representative, vet

ISV = "ISV_RESELLER_OR_PARTNER"

# --- escalation ---------------------------------------------------------------------------------


def test_an_isv_primary_profile_goes_to_a_human_by_default() -> None:
    # given a clean primary profile of an ISV
    values = profile(business_identity=ISV)

    # when it is vetted with the default rules
    result = vet(values)

    # then
    assert result.verdict is Verdict.ESCALATED
    assert result.reasons == ()
    assert result.escalation_reason is not None
    assert "ISV" in result.escalation_reason


def test_an_isv_secondary_profile_is_approved() -> None:
    # given a clean secondary profile (a brand the ISV manages) that says ISV
    values = profile(tier="SECONDARY", business_identity=ISV)

    # when
    result = vet(values)

    # then
    assert result.verdict is Verdict.APPROVED


def test_isv_escalation_can_be_turned_off() -> None:
    # given
    values = profile(business_identity=ISV)

    # when
    result = vet(values, rules=EscalationRules(escalate_isv_primary=False))

    # then
    assert result.verdict is Verdict.APPROVED
    assert result.escalation_reason is None


def test_configured_industries_are_escalated() -> None:
    # given a rule that a person reviews every financial business
    rules = EscalationRules(escalate_industries=frozenset({"FINANCIAL", "FINTECH"}))

    # when
    fintech = vet(profile(business_industry="FINTECH"), rules=rules)
    telecom = vet(profile(business_industry="TELECOMMUNICATIONS"), rules=rules)

    # then
    assert fintech.verdict is Verdict.ESCALATED
    assert fintech.escalation_reason == "The FINTECH industry is reviewed by a person."
    assert telecom.verdict is Verdict.APPROVED


def test_configured_regions_of_operation_are_escalated() -> None:
    # given a rule for businesses operating in Africa or Asia
    rules = EscalationRules(escalate_regions=frozenset({"AFRICA", "ASIA"}))
    values = profile(regions_of_operation=["USA_AND_CANADA", "ASIA", "AFRICA"])

    # when
    result = vet(values, rules=rules)

    # then
    assert result.verdict is Verdict.ESCALATED
    assert result.escalation_reason == "Operations in AFRICA, ASIA are reviewed by a person."


def test_every_matching_rule_is_named_in_the_escalation_reason() -> None:
    # given an ISV primary in a configured industry
    rules = EscalationRules(escalate_industries=frozenset({"TELECOMMUNICATIONS"}))
    values = profile(business_identity=ISV)

    # when
    result = vet(values, rules=rules)

    # then
    assert result.escalation_reason is not None
    assert "ISV" in result.escalation_reason
    assert "TELECOMMUNICATIONS" in result.escalation_reason


def test_a_rejection_wins_over_escalation() -> None:
    # given an ISV primary profile whose EIN has a prefix the IRS never assigns
    values = profile(business_identity=ISV, registration_number="00-1234567")

    # when
    result = vet(values)

    # then there is nothing for a human to decide: the customer must fix the number
    assert result.verdict is Verdict.REJECTED
    assert result.escalation_reason is None
    assert [r.code for r in result.reasons] == [ReasonCode.BUSINESS_REGISTRATION_ID]


# --- sandbox magic values -----------------------------------------------------------------------

REJECT_TOKENS = {
    "sandbox-reject-business-name-website": ReasonCode.BUSINESS_NAME_WEBSITE,
    "sandbox-reject-business-registration-id": ReasonCode.BUSINESS_REGISTRATION_ID,
    "sandbox-reject-address": ReasonCode.ADDRESS,
    "sandbox-reject-authorized-representative-1": ReasonCode.AUTHORIZED_REPRESENTATIVE_1,
    "sandbox-reject-authorized-representative-2": ReasonCode.AUTHORIZED_REPRESENTATIVE_2,
    "sandbox-reject-email-domain": ReasonCode.EMAIL_DOMAIN,
    "sandbox-reject-other": ReasonCode.OTHER,
}


def test_the_magic_values_are_one_per_outcome_and_reason_code_and_two_for_documents() -> None:
    # given / when
    tokens = set(SANDBOX_MAGIC_VALUES)

    # then
    documents = {"sandbox-reject", "sandbox-expired"}
    assert tokens == {"sandbox-approve", "sandbox-escalate", *REJECT_TOKENS, *documents}
    assert set(REJECT_TOKENS.values()) == set(ReasonCode)
    assert all(description.strip() for description in SANDBOX_MAGIC_VALUES.values())


def test_sandbox_approve_approves_a_profile_that_would_be_rejected() -> None:
    # given a broken profile on a sandbox account named with the token
    values = profile(friendly_name="Acme sandbox-approve", registration_number="00-1234567")

    # when
    result = vet(values, {}, sandbox=True)

    # then
    assert result.verdict is Verdict.APPROVED
    assert result.reasons == ()


def test_sandbox_escalate_escalates() -> None:
    # given
    values = profile(friendly_name="Acme sandbox-escalate")

    # when
    result = vet(values, sandbox=True)

    # then
    assert result.verdict is Verdict.ESCALATED
    assert result.escalation_reason is not None
    assert "sandbox-escalate" in result.escalation_reason


@pytest.mark.parametrize(("token", "code"), list(REJECT_TOKENS.items()))
def test_sandbox_reject_token_rejects_with_that_code(token: str, code: ReasonCode) -> None:
    # given a clean profile named with the token
    values = profile(friendly_name=f"Acme {token}")

    # when
    result = vet(values, sandbox=True)

    # then exactly one reason, of the token's code, saying where it came from
    assert result.verdict is Verdict.REJECTED
    [reason] = result.reasons
    assert reason.code is code
    assert token in reason.message


def test_sandbox_reject_points_at_the_field_a_real_rejection_would() -> None:
    # given
    values = profile(friendly_name="Acme sandbox-reject-email-domain")

    # when
    result = vet(values, sandbox=True)

    # then
    assert result.reasons[0].field == ("authorizedRepresentatives", "1", "email")


def test_a_magic_value_is_read_in_any_letter_case() -> None:
    # given
    values = profile(friendly_name="ACME-SANDBOX-REJECT-ADDRESS ")

    # when
    result = vet(values, sandbox=True)

    # then
    assert [r.code for r in result.reasons] == [ReasonCode.ADDRESS]


def test_a_magic_value_does_nothing_outside_the_sandbox() -> None:
    # given a broken profile named with the approve token on a live account
    values = profile(friendly_name="Acme sandbox-approve", registration_number="00-1234567")

    # when
    result = vet(values, sandbox=False)

    # then it is vetted like any other profile
    assert result.verdict is Verdict.REJECTED
    assert [r.code for r in result.reasons] == [ReasonCode.BUSINESS_REGISTRATION_ID]


def test_a_magic_value_must_end_the_friendly_name() -> None:
    # given the token in the middle of the name
    values = profile(friendly_name="sandbox-approve Acme", registration_number="00-1234567")

    # when
    result = vet(values, sandbox=True)

    # then
    assert result.verdict is Verdict.REJECTED


def test_a_sandbox_profile_without_a_magic_value_is_vetted_normally() -> None:
    # given a sandbox profile with a representative at a free mailbox
    reps = {1: representative(email="grace@gmail.com")}

    # when
    result = vet(profile(), reps, sandbox=True)

    # then
    assert result.verdict is Verdict.REJECTED
    [reason] = result.reasons
    assert (reason.code, reason.field) == (
        ReasonCode.EMAIL_DOMAIN,
        ("authorizedRepresentatives", "1", "email"),
    )
    assert "gmail.com" in reason.message
