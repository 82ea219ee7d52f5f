"""Automated vetting: addresses (country, subdivision, postal code, physical street)."""

from __future__ import annotations

from typing import Any

import pytest

from trusthub.domain.enums import ReasonCode
from trusthub.domain.vetting import Verdict

from .vetting_data import at, profile, vet

TORONTO = {"street1": "100 King St W", "city": "Toronto", "region": "CA-ON", "country": "CA"}
LONDON = {"street1": "10 Downing St", "city": "London", "region": "GB-WSM", "country": "GB"}
SAN_FRANCISCO = {"street1": "1 Market St", "city": "San Francisco", "region": "US-CA"}
NEW_YORK = {"street1": "1 Penn Plaza", "city": "New York", "region": "US-NY"}


def address_reasons(**columns: Any) -> list[tuple[str, ...]]:
    """Vet a clean business profile at the given address; the address fields with a reason."""
    result = vet(profile(**columns))
    assert all(r.code is ReasonCode.ADDRESS for r in result.reasons if r.field[0] == "address")
    return [r.field[1:] for r in result.reasons if r.field[0] == "address"]


@pytest.mark.parametrize(
    "columns",
    [
        {**SAN_FRANCISCO, "postal_code": "94105", "country": "US"},
        {**SAN_FRANCISCO, "postal_code": "94105-1804", "country": "US"},
        {**NEW_YORK, "postal_code": "10119"},
        {**NEW_YORK, "city": "Fishers Island", "postal_code": "06390"},  # a NY town in 06xxx
        {"street1": "1 Main St", "city": "El Paso", "region": "US-TX", "postal_code": "88510"},
        {**TORONTO, "postal_code": "M5H 2N2"},
        {**TORONTO, "postal_code": "M5H2N2"},
        {**LONDON, "postal_code": "SW1A 2AA"},
        {**LONDON, "postal_code": "EC1A 1BB"},
        {**LONDON, "postal_code": "W1A 0AX"},
        {**LONDON, "postal_code": "M1 1AE"},
        {**LONDON, "postal_code": "B33 8TH"},
        {"street1": "Sheikh Zayed Rd", "city": "Dubai", "region": "AE-DU", "postal_code": None,
         "country": "AE"},
    ],
)  # fmt: skip
def test_a_consistent_address_passes(columns: dict[str, Any]) -> None:
    # given / when
    result = vet(profile(**columns))

    # then
    assert result.verdict is Verdict.APPROVED


@pytest.mark.parametrize(
    ("columns", "why"),
    [
        ({"postal_code": "9410"}, "not a US postal code (such as 12345 or 12345-6789)"),
        ({"postal_code": "94105-18"}, "not a US postal code"),
        ({"postal_code": "ABCDE"}, "not a US postal code"),
        ({"postal_code": None}, "required for US"),
        ({"postal_code": "10001"}, "The postal code 10001 is not in US-CA."),
        ({**TORONTO, "postal_code": "M5H 2N"}, "not a CA postal code (such as K1A 0B1)"),
        ({**TORONTO, "postal_code": "D5H 2N2"}, "not a CA postal code"),
        ({**TORONTO, "postal_code": "V6B 1A1"}, "The postal code V6B 1A1 is not in CA-ON."),
        ({**LONDON, "postal_code": "SW1A2AAA"}, "not a GB postal code (such as SW1A 1AA)"),
        ({**LONDON, "postal_code": "12345"}, "not a GB postal code"),
    ],
)
def test_a_postal_code_out_of_its_country_format_is_rejected(
    columns: dict[str, Any], why: str
) -> None:
    # given
    values = profile(**columns)

    # when
    result = vet(values)

    # then
    [reason] = at(result, "address", "postalCode")
    assert reason.code is ReasonCode.ADDRESS
    assert why in reason.message


@pytest.mark.parametrize(
    ("columns", "why"),
    [
        ({"region": "CA-ON"}, "is not a subdivision of US"),
        ({"region": "US-ZZ"}, "is not an ISO 3166-2 subdivision code"),
        ({"region": None}, "required for US"),
        ({**TORONTO, "region": "US-NY", "postal_code": "M5H 2N2"}, "is not a subdivision of CA"),
    ],
)
def test_a_subdivision_must_belong_to_the_country(columns: dict[str, Any], why: str) -> None:
    # given
    values = profile(**columns)

    # when
    result = vet(values)

    # then
    [reason] = at(result, "address", "region")
    assert reason.code is ReasonCode.ADDRESS
    assert why in reason.message


def test_a_subdivision_is_optional_where_addresses_do_without() -> None:
    # given a London address without a subdivision
    # when
    fields = address_reasons(**{**LONDON, "region": None, "postal_code": "SW1A 2AA"})

    # then
    assert fields == []


@pytest.mark.parametrize("country", [None, "XX", "USA"])
def test_a_missing_or_unknown_country_is_rejected(country: str | None) -> None:
    # given / when
    fields = address_reasons(country=country)

    # then the subdivision and postal code are not judged against a country that is not there
    assert fields == [("country",)]


@pytest.mark.parametrize("street", ["PO Box 123", "P.O. Box 9", "p o box 1", "Post Office Box 7"])
def test_a_po_box_is_not_a_physical_address(street: str) -> None:
    # given / when
    result = vet(profile(street1=street))

    # then
    [reason] = result.reasons
    assert (reason.code, reason.field) == (ReasonCode.ADDRESS, ("address", "street1"))
    assert "PO box" in reason.message


def test_a_street_named_like_a_box_is_not_a_po_box() -> None:
    # given
    columns = {"street1": "12 Boxwood Rd"}

    # when / then
    assert address_reasons(**columns) == []


def test_street_and_city_are_required() -> None:
    # given / when
    fields = address_reasons(street1=" ", city=None)

    # then
    assert fields == [("street1",), ("city",)]
