"""Automated vetting: verdicts, representatives, email domain, website, escalation, sandbox."""

from __future__ import annotations

import pytest

from trusthub.domain.enums import ReasonCode
from trusthub.domain.vetting import (
    Reason,
    Verdict,
)

from .vetting_data import at, profile, representative, vet


def test_a_clean_business_profile_is_approved() -> None:
    # given a complete business profile with representative #1 at the website's domain
    # when it is vetted
    result = vet()

    # then
    assert result.verdict is Verdict.APPROVED
    assert result.reasons == ()
    assert result.escalation_reason is None


def test_a_clean_individual_profile_is_approved_without_representatives() -> None:
    # given an individual in London with a valid phone number and no representatives
    # when it is vetted
    result = vet(profile("INDIVIDUAL"), {})

    # then
    assert result.verdict is Verdict.APPROVED
    assert result.reasons == ()


def test_a_rejection_lists_every_reason_with_its_code_and_field() -> None:
    # given a profile with a bad EIN, a bad ZIP code and a representative at gmail.com
    values = profile(registration_number="00-1234567", postal_code="9410")
    reps = {1: representative(email="grace.hopper@gmail.com")}

    # when
    result = vet(values, reps)

    # then
    assert result.verdict is Verdict.REJECTED
    assert [(r.code, r.field) for r in result.reasons] == [
        (ReasonCode.BUSINESS_REGISTRATION_ID, ("business", "registrationNumber")),
        (ReasonCode.ADDRESS, ("address", "postalCode")),
        (ReasonCode.EMAIL_DOMAIN, ("authorizedRepresentatives", "1", "email")),
    ]
    assert all(r.message.endswith(".") for r in result.reasons)
    assert result.escalation_reason is None


def test_an_unknown_profile_kind_is_rejected() -> None:
    # given
    values = profile(kind="ROBOT")

    # when
    result = vet(values)

    # then
    assert result.verdict is Verdict.REJECTED
    assert at(result, "kind")[0].code is ReasonCode.OTHER


def test_a_bad_notification_email_is_rejected() -> None:
    # given
    values = profile(notification_email="ops@@acme.com")

    # when
    result = vet(values)

    # then
    assert [r.code for r in at(result, "notificationEmail")] == [ReasonCode.OTHER]


def test_an_individual_with_an_invalid_phone_is_rejected() -> None:
    # given a US number with too few digits
    values = profile("INDIVIDUAL", phone_number="+1415555")

    # when
    result = vet(values, {})

    # then
    assert result.verdict is Verdict.REJECTED
    assert [r.code for r in at(result, "individual", "phoneNumber")] == [ReasonCode.OTHER]


# --- representatives --------------------------------------------------------------------------


def test_a_business_needs_representative_1() -> None:
    # given a business profile with no representatives
    # when
    result = vet(profile(), {})

    # then
    assert result.reasons == (
        Reason(
            ReasonCode.AUTHORIZED_REPRESENTATIVE_1,
            ("authorizedRepresentatives", "1"),
            "Authorized representative #1 is required for a business profile.",
        ),
    )


def test_an_incomplete_representative_2_is_rejected_with_its_own_code() -> None:
    # given representative #2 without a business title
    reps = {
        1: representative(),
        2: representative(2, email="alan@acme.com", business_title="  "),
    }

    # when
    result = vet(profile(), reps)

    # then
    assert [(r.code, r.field) for r in result.reasons] == [
        (
            ReasonCode.AUTHORIZED_REPRESENTATIVE_2,
            ("authorizedRepresentatives", "2", "businessTitle"),
        )
    ]


@pytest.mark.parametrize(
    ("phone", "why"),
    [
        ("+1415555", "not a valid phone number"),
        ("4155552671", "not an E.164 phone number"),
        ("+14155550123", "reserved for fiction"),
        ("+447700900123", "not a valid phone number"),
        ("+442079460123", "reserved for fiction"),
        ("+19002530000", "premium-rate"),
    ],
)
def test_a_representative_phone_must_be_a_real_number(phone: str, why: str) -> None:
    # given
    reps = {1: representative(phone_number=phone)}

    # when
    result = vet(profile(), reps)

    # then
    [reason] = at(result, "authorizedRepresentatives", "1", "phoneNumber")
    assert reason.code is ReasonCode.AUTHORIZED_REPRESENTATIVE_1
    assert why in reason.message


@pytest.mark.parametrize("phone", ["+442071838750", "+61291234567", "+16132530000"])
def test_a_representative_phone_from_another_country_is_accepted(phone: str) -> None:
    # given a US business whose representative has a UK, Australian or Canadian number
    reps = {1: representative(phone_number=phone)}

    # when
    result = vet(profile(), reps)

    # then the number's country is not compared with the address
    assert result.verdict is Verdict.APPROVED


def test_a_representative_email_must_be_well_formed() -> None:
    # given
    reps = {1: representative(email="grace at acme.com")}

    # when
    result = vet(profile(), reps)

    # then the syntax is reported, not a domain mismatch on top of it
    assert [(r.code, r.field) for r in result.reasons] == [
        (ReasonCode.AUTHORIZED_REPRESENTATIVE_1, ("authorizedRepresentatives", "1", "email"))
    ]


def test_a_representative_job_position_must_be_known() -> None:
    # given
    reps = {1: representative(job_position="JANITOR")}

    # when
    result = vet(profile(), reps)

    # then
    [reason] = at(result, "authorizedRepresentatives", "1", "jobPosition")
    assert reason.code is ReasonCode.AUTHORIZED_REPRESENTATIVE_1
    assert "JANITOR" in reason.message


def test_representative_2_must_be_another_person() -> None:
    # given both representatives with the same email address
    reps = {1: representative(), 2: representative(2, email="Grace@acme.com")}

    # when
    result = vet(profile(), reps)

    # then
    [reason] = result.reasons
    assert reason.code is ReasonCode.AUTHORIZED_REPRESENTATIVE_2
    assert reason.field == ("authorizedRepresentatives", "2", "email")


# --- email domain -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("website", "email"),
    [
        ("https://www.acme.com", "grace@acme.com"),
        ("https://www.acme.com", "grace@mail.acme.com"),
        ("https://acme.com/about", "grace@eu.mail.acme.com"),
        ("https://shop.acme.co.uk", "grace@acme.co.uk"),
        ("https://WWW.ACME.COM", "grace@Acme.com"),
    ],
)
def test_an_email_at_the_website_domain_or_a_subdomain_matches(website: str, email: str) -> None:
    # given
    values = profile(website_url=website)

    # when
    result = vet(values, {1: representative(email=email)})

    # then
    assert result.verdict is Verdict.APPROVED


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("grace.hopper@gmail.com", "free email provider (gmail.com)"),
        ("grace@outlook.com", "free email provider (outlook.com)"),
        ("grace@acme-corp.com", "acme-corp.com does not match"),
        ("grace@acme.com.evil.net", "acme.com.evil.net does not match"),
        ("grace@other.co.uk", "other.co.uk does not match"),
    ],
)
def test_an_email_elsewhere_is_an_email_domain_reason(email: str, why: str) -> None:
    # given a business at https://www.acme.com
    reps = {1: representative(), 2: representative(2, email=email)}

    # when
    result = vet(profile(), reps)

    # then
    [reason] = result.reasons
    assert reason.code is ReasonCode.EMAIL_DOMAIN
    assert reason.field == ("authorizedRepresentatives", "2", "email")
    assert why in reason.message


def test_an_individual_may_use_a_free_email_provider() -> None:
    # given
    values = profile("INDIVIDUAL", email="ada.lovelace@gmail.com")

    # when
    result = vet(values, {})

    # then
    assert result.verdict is Verdict.APPROVED


# --- business name and website ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://acme.example.com", "example.com is a placeholder domain"),
        ("https://example.org", "example.org is a placeholder domain"),
        ("https://acme.test", "not a public domain name"),
        ("http://localhost:8000", "not a public domain name"),
        ("http://192.168.1.10", "not an IP address"),
        ("https://[2001:db8::1]/", "not an IP address"),
        ("ftp://acme.com", "http or https"),
        ("https://www.facebook.com/acme", "not the business's own website"),
        ("https://bit.ly/acme", "not the business's own website"),
        ("https://grace:secret@acme.com", "user name or password"),
        ("https://acme", "not a public domain name"),
        (None, "required"),
    ],
)
def test_a_website_that_is_not_the_business_own_domain_is_rejected(
    url: str | None, why: str
) -> None:
    # given
    values = profile(website_url=url)

    # when
    result = vet(values)

    # then
    [reason] = result.reasons
    assert (reason.code, reason.field) == (
        ReasonCode.BUSINESS_NAME_WEBSITE,
        ("business", "websiteUrl"),
    )
    assert why in reason.message


@pytest.mark.parametrize("url", ["http://acme.com", "https://www.acme.com/en/", "https://ACME.com"])
def test_a_website_on_the_business_domain_passes(url: str) -> None:
    # given
    values = profile(website_url=url)

    # when
    result = vet(values)

    # then
    assert result.verdict is Verdict.APPROVED


@pytest.mark.parametrize(("name", "why"), [("Test", "not a legal business name"), ("", "required")])
def test_a_placeholder_or_missing_legal_name_is_rejected(name: str, why: str) -> None:
    # given
    values = profile(legal_name=name)

    # when
    result = vet(values)

    # then
    [reason] = result.reasons
    assert (reason.code, reason.field) == (
        ReasonCode.BUSINESS_NAME_WEBSITE,
        ("business", "legalName"),
    )
    assert why in reason.message


def test_missing_business_details_are_other_reasons() -> None:
    # given
    values = profile(business_industry=None, regions_of_operation=[])

    # when
    result = vet(values)

    # then
    assert [(r.code, r.field) for r in result.reasons] == [
        (ReasonCode.OTHER, ("business", "industry")),
        (ReasonCode.OTHER, ("business", "regionsOfOperation")),
    ]
