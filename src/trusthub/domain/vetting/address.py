"""Address checks: required parts, a physical street address, country and subdivision agreeing,
and the postal code's format (and, for the US and Canada, its agreement with the state/province).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping
from typing import Any

from .. import validators
from ..enums import ReasonCode
from .model import Path, Reason

# Postal code formats (upper case, as stored), with an example for the message. A country not
# listed is not checked for a format, and its postal code may be left out.
POSTAL_CODE_FORMATS: dict[str, tuple[str, str]] = {
    "US": (r"\d{5}(?:-\d{4})?", "12345 or 12345-6789"),
    "CA": (r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d", "K1A 0B1"),
    "GB": (r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}", "SW1A 1AA"),
    "AU": (r"\d{4}", "2000"),
    "BR": (r"\d{5}-?\d{3}", "01310-100"),
    "DE": (r"\d{5}", "10115"),
    "ES": (r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}", "28013"),
    "FR": (r"\d{5}", "75008"),
    "IE": (r"[AC-FHKNPRTV-Y]\d[\dW] ?[AC-FHKNPRTV-Y\d]{4}", "D02 X285"),
    "IN": (r"[1-9]\d{5}", "110001"),
    "IT": (r"\d{5}", "00184"),
    "JP": (r"\d{3}-?\d{4}", "100-0001"),
    "MX": (r"\d{5}", "06600"),
    "NL": (r"[1-9]\d{3} ?[A-Z]{2}", "1012 AB"),
}
# Countries whose addresses need a state or province to be deliverable.
REGION_REQUIRED = frozenset({"US", "CA", "AU"})

# The first digit of a ZIP code is a group of states. Cross-group exceptions included: NY has
# 005xx and 06390, DC has 569xx, TX has 885xx.
_ZIP_FIRST_DIGIT: dict[str, str] = {
    **dict.fromkeys(("CT", "MA", "ME", "NH", "NJ", "PR", "RI", "VT", "VI"), "0"),
    **dict.fromkeys(("DE", "PA"), "1"),
    "NY": "01",
    **dict.fromkeys(("MD", "NC", "SC", "VA", "WV"), "2"),
    "DC": "25",
    **dict.fromkeys(("AL", "FL", "GA", "MS", "TN"), "3"),
    **dict.fromkeys(("IN", "KY", "MI", "OH"), "4"),
    **dict.fromkeys(("IA", "MN", "MT", "ND", "SD", "WI"), "5"),
    **dict.fromkeys(("IL", "KS", "MO", "NE"), "6"),
    **dict.fromkeys(("AR", "LA", "OK"), "7"),
    "TX": "78",
    **dict.fromkeys(("AZ", "CO", "ID", "NM", "NV", "UT", "WY"), "8"),
    **dict.fromkeys(("AK", "CA", "HI", "OR", "WA", "AS", "GU", "MP"), "9"),
}
# The first letter of a Canadian postal code is the province's (or territories') area.
_CA_FIRST_LETTER: dict[str, str] = {
    "NL": "A",
    "NS": "B",
    "PE": "C",
    "NB": "E",
    "QC": "GHJ",
    "ON": "KLMNP",
    "MB": "R",
    "SK": "S",
    "AB": "T",
    "BC": "V",
    "NT": "X",
    "NU": "X",
    "YT": "Y",
}
_PO_BOX_RE = re.compile(r"\b(?:P\.?\s*O\.?\s*Box|Post\s+Office\s+Box)\b", re.IGNORECASE)


def address_reasons(profile: Mapping[str, Any]) -> Iterator[Reason]:
    yield from _street_and_city(profile)
    try:
        country = validators.country(profile.get("country"))
    except ValueError as exc:
        yield _reason(("country",), f"The country {exc}.")
        return
    region = yield from _region(profile.get("region"), country)
    yield from _postal_code(profile.get("postal_code"), country, region)


def _street_and_city(profile: Mapping[str, Any]) -> Iterator[Reason]:
    street = profile.get("street1")
    if not _present(street):
        yield _reason(("street1",), "The street address is required.")
    elif _PO_BOX_RE.search(str(street)):
        yield _reason(("street1",), "The address must be a physical address, not a PO box.")
    if not _present(profile.get("city")):
        yield _reason(("city",), "The city is required.")


def _region(value: Any, country: str) -> Generator[Reason, None, str | None]:
    """Check the subdivision; return its full ISO 3166-2 code when it is a good one."""
    if not _present(value):
        if country in REGION_REQUIRED:
            yield _reason(("region",), f"The state or province is required for {country}.")
        return None
    try:
        return validators.subdivision(value, country)
    except ValueError as exc:
        yield _reason(("region",), f"The state or province {exc}.")
        return None


def _postal_code(value: Any, country: str, region: str | None) -> Iterator[Reason]:
    if country not in POSTAL_CODE_FORMATS:
        return
    pattern, example = POSTAL_CODE_FORMATS[country]
    code = str(value).strip().upper() if _present(value) else ""
    if not code:
        yield _reason(("postalCode",), f"The postal code is required for {country}.")
    elif not re.fullmatch(pattern, code):
        yield _reason(
            ("postalCode",), f"{code!r} is not a {country} postal code (such as {example})."
        )
    elif region is not None and not _postal_code_in_region(code, region):
        yield _reason(("postalCode",), f"The postal code {code} is not in {region}.")


def _postal_code_in_region(code: str, region: str) -> bool:
    country, _, local = region.partition("-")
    if country == "US":
        return code[0] in _ZIP_FIRST_DIGIT.get(local, code[0])
    if country == "CA":
        return code[0] in _CA_FIRST_LETTER.get(local, code[0])
    return True


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _reason(field: Path, message: str) -> Reason:
    return Reason(ReasonCode.ADDRESS, ("address", *field), message)
