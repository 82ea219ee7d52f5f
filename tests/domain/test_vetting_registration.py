"""Automated vetting: registration number formats per registration ID type."""

from __future__ import annotations

from typing import Any

import pytest

from trusthub.domain.enums import ReasonCode
from trusthub.domain.vetting import Verdict
from trusthub.domain.vetting.registration import (
    acn_check_digit,
    luhn_ok,
    registration_problem,
)

from .vetting_data import at, profile, vet

# Prefixes the IRS has never assigned to an EIN (its list of valid prefixes is the complement).
NEVER_ISSUED_EIN_PREFIXES = {
    "00", "07", "08", "09", "17", "18", "19", "28", "29", "49",
    "69", "70", "78", "79", "89", "96", "97",
}  # fmt: skip


@pytest.mark.parametrize("prefix", [f"{n:02d}" for n in range(100)])
def test_an_ein_needs_a_prefix_the_irs_assigns(prefix: str) -> None:
    # given an otherwise well-formed EIN
    number = f"{prefix}-3456789"

    # when
    problem = registration_problem("EIN", number, "US")

    # then
    if prefix in NEVER_ISSUED_EIN_PREFIXES:
        assert problem == f"{prefix} is not a prefix the IRS assigns to EINs."
    else:
        assert problem is None


@pytest.mark.parametrize("number", ["12-3456789", "123456789", " 98-7654321 "])
def test_an_ein_has_nine_digits_with_or_without_the_hyphen(number: str) -> None:
    # given / when / then
    assert registration_problem("EIN", number, "US") is None


@pytest.mark.parametrize("number", ["12-345678", "1-23456789", "12 3456789", "AB-1234567"])
def test_a_malformed_ein_is_refused(number: str) -> None:
    # given / when
    problem = registration_problem("EIN", number, "US")

    # then
    assert problem is not None
    assert "9 digits" in problem


def test_00_1234567_is_rejected_as_a_registration_id_reason() -> None:
    # given
    values = profile(registration_number="00-1234567")

    # when
    result = vet(values)

    # then
    assert result.verdict is Verdict.REJECTED
    [reason] = at(result, "business", "registrationNumber")
    assert reason.code is ReasonCode.BUSINESS_REGISTRATION_ID
    assert "00" in reason.message


def test_luhn_and_acn_check_digits() -> None:
    # given / when / then: CRA's and ASIC's published examples
    assert luhn_ok("123026635")
    assert not luhn_ok("123026636")
    assert acn_check_digit("00000001") == 9
    assert acn_check_digit("00408561") == 6


@pytest.mark.parametrize(
    ("id_type", "number", "country"),
    [
        ("CBN", "123026635", "CA"),
        ("CBN", "123026635RC0001", "CA"),
        ("CBN", "123 026 635 RT 0001", "CA"),
        ("ACN", "000 000 019", "AU"),
        ("ACN", "004 085 616", "AU"),
        ("ACN", "010-749-961", "AU"),
        ("DUNS", "150483782", "US"),
        ("DUNS", "15-048-3782", "US"),
        ("CIN", "L17110MH1973PLC019786", "IN"),
        ("CIN", "u72200ka2003ptc032069", "IN"),
        ("CN", "01234567", "GB"),
        ("CN", "SC123456", "GB"),
        ("CN", "HRB 12345", "DE"),
        ("RN", "HRB 12345", "DE"),
        ("OTHER", "AB-12/3", "ZZ"),
        ("VATRN", "100123456789003", "AE"),
        ("VATRN", "310123456700003", "SA"),
        ("VATRN", "OM1100001234", "OM"),
    ],
)
def test_well_formed_registration_numbers_pass(id_type: str, number: str, country: str) -> None:
    # given / when / then
    assert registration_problem(id_type, number, country) is None


@pytest.mark.parametrize(
    ("id_type", "number", "country", "why"),
    [
        ("CBN", "123026636", "CA", "check digit is wrong"),
        ("CBN", "12302663", "CA", "9 digits"),
        ("CBN", "123026635XX0001", "CA", "program account"),
        ("ACN", "004 085 617", "AU", "check digit is wrong"),
        ("ACN", "00408561", "AU", "9 digits"),
        ("DUNS", "15048378", "US", "9 digits"),
        ("DUNS", "000000000", "US", "placeholder"),
        ("EIN", "11-1111111", "US", "placeholder"),
        ("CIN", "L17110MH1973PLC01978", "IN", "21 characters"),
        ("CIN", "X17110MH1973PLC019786", "IN", "21 characters"),
        ("CN", "S123456", "GB", "8 characters"),
        ("RN", "ABC", "DE", "digits"),
        ("RN", "1", "DE", "2 to 40"),
        ("OTHER", "12#34", "ZZ", "2 to 40"),
        ("OTHER", "1" + "2" * 40, "ZZ", "2 to 40"),
        ("VATRN", "10012345678900", "AE", "15 digits"),
        ("VATRN", "123456789012345", "SA", "starting and ending with 3"),
        ("FAX", "12345", "US", "Unknown registration ID type"),
        ("DUNS", "   ", "US", "required"),
    ],
)
def test_malformed_registration_numbers_are_refused(
    id_type: str, number: str, country: str, why: str
) -> None:
    # given / when
    problem = registration_problem(id_type, number, country)

    # then
    assert problem is not None
    assert why in problem


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("DE123456789", "DE"),
        ("123456789", "DE"),
        ("FR40303265045", "FR"),
        ("GB980780684", "GB"),
        ("GB 980 7806 84", "GB"),
        ("GB123456789012", "GB"),
        ("XI980780684", "GB"),
        ("NL123456789B01", "NL"),
        ("IE6388047V", "IE"),
        ("IE1234567WA", "IE"),
        ("ESA12345674", "ES"),
        ("ATU12345678", "AT"),
        ("EL123456789", "GR"),
        ("BE0123456789", "BE"),
        ("SE123456789701", "SE"),
        ("IT12345678901", "IT"),
        ("PL1234567890", "PL"),
        ("CHE-123.456.789 MWST", "CH"),
        ("US-123-456", "US"),  # no VAT format known for the country: only the generic check
    ],
)
def test_vat_numbers_in_their_country_format_pass(number: str, country: str) -> None:
    # given / when / then
    assert registration_problem("VAT", number, country) is None


@pytest.mark.parametrize(
    ("number", "country", "why"),
    [
        ("DE12345678", "DE", "DE followed by 9 digits"),
        ("GB12345", "GB", "GB followed by 9 or 12 digits"),
        ("GB1234567890", "GB", "GB followed by 9 or 12 digits"),
        ("NL123456789", "NL", "NL followed by 9 digits, B and 2 digits"),
        ("AT12345678", "AT", "ATU followed by 8 digits"),
        ("BE2123456789", "BE", "starting with 0 or 1"),
        ("SE123456789702", "SE", "ending in 01"),
        ("DE123456789", "FR", "The VAT number is from DE, but the address is in FR."),
        ("GB980780684", "IE", "The VAT number is from GB, but the address is in IE."),
    ],
)
def test_vat_numbers_out_of_format_or_from_another_country_are_refused(
    number: str, country: str, why: str
) -> None:
    # given / when
    problem = registration_problem("VAT", number, country)

    # then
    assert problem is not None
    assert why in problem


def test_a_vat_number_is_read_against_the_address_country() -> None:
    # given a German business registered with a German VAT number
    values = profile(
        registration_id_type="VAT",
        registration_number="DE123456789",
        street1="Unter den Linden 1",
        city="Berlin",
        region="DE-BE",
        postal_code="10117",
        country="DE",
        regions_of_operation=["EUROPE"],
    )

    # when
    approved = vet(values)
    moved = vet({**values, "country": "AT", "region": "AT-9", "postal_code": "1010"})

    # then
    assert approved.verdict is Verdict.APPROVED
    assert [r.message for r in at(moved, "business", "registrationNumber")] == [
        "The VAT number is from DE, but the address is in AT."
    ]


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"registration_id_type": None}, "registrationIdType"),
        ({"registration_number": ""}, "registrationNumber"),
    ],
)
def test_a_missing_registration_id_is_a_reason(columns: dict[str, Any], field: str) -> None:
    # given
    values = profile(**columns)

    # when
    result = vet(values)

    # then
    assert [(r.code, r.field) for r in result.reasons] == [
        (ReasonCode.BUSINESS_REGISTRATION_ID, ("business", field))
    ]
