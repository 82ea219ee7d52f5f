"""Registration number formats per registration ID type.

`registration_problem(id_type, number, country)` returns what is wrong with the number, as a
sentence for the customer, or None when it looks right. Only the format and check digits can be
verified offline; whether the number belongs to this business is a registry look-up, not done here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..enums import RegistrationIdType

# The first two digits of an EIN are the prefix of the IRS campus (or Internet/SBA channel) that
# issued it. Never issued: 00, 07-09, 17-19, 28, 29, 49, 69, 70, 78, 79, 89, 96, 97.
EIN_PREFIXES = frozenset(
    f"{n:02d}"
    for lo, hi in (
        (1, 6),
        (10, 16),
        (20, 27),
        (30, 48),
        (50, 68),
        (71, 77),
        (80, 88),
        (90, 95),
        (98, 99),
    )
    for n in range(lo, hi + 1)
)

# National part of a VAT number (after the country prefix), with a hint for the message.
# EU formats as VIES documents them, plus GB/XI, CH and NO.
VAT_FORMATS: dict[str, tuple[str, str]] = {
    "AT": (r"U\d{8}", "ATU followed by 8 digits"),
    "BE": (r"[01]\d{9}", "BE followed by 10 digits starting with 0 or 1"),
    "BG": (r"\d{9,10}", "BG followed by 9 or 10 digits"),
    "CY": (r"\d{8}[A-Z]", "CY followed by 8 digits and a letter"),
    "CZ": (r"\d{8,10}", "CZ followed by 8 to 10 digits"),
    "DE": (r"\d{9}", "DE followed by 9 digits"),
    "DK": (r"\d{8}", "DK followed by 8 digits"),
    "EE": (r"\d{9}", "EE followed by 9 digits"),
    "GR": (r"\d{9}", "EL followed by 9 digits"),
    "ES": (r"[A-Z]\d{7}[A-Z0-9]|\d{8}[A-Z]", "ES followed by 9 characters (NIF)"),
    "FI": (r"\d{8}", "FI followed by 8 digits"),
    "FR": (r"[0-9A-HJ-NP-Z]{2}\d{9}", "FR followed by a 2-character key and 9 digits"),
    "HR": (r"\d{11}", "HR followed by 11 digits"),
    "HU": (r"\d{8}", "HU followed by 8 digits"),
    "IE": (r"\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W]", "IE followed by 8 or 9 characters"),
    "IT": (r"\d{11}", "IT followed by 11 digits"),
    "LT": (r"\d{9}|\d{12}", "LT followed by 9 or 12 digits"),
    "LU": (r"\d{8}", "LU followed by 8 digits"),
    "LV": (r"\d{11}", "LV followed by 11 digits"),
    "MT": (r"\d{8}", "MT followed by 8 digits"),
    "NL": (r"\d{9}B\d{2}", "NL followed by 9 digits, B and 2 digits"),
    "PL": (r"\d{10}", "PL followed by 10 digits"),
    "PT": (r"\d{9}", "PT followed by 9 digits"),
    "RO": (r"[1-9]\d{1,9}", "RO followed by 2 to 10 digits"),
    "SE": (r"\d{10}01", "SE followed by 12 digits ending in 01"),
    "SI": (r"\d{8}", "SI followed by 8 digits"),
    "SK": (r"\d{10}", "SK followed by 10 digits"),
    "GB": (r"\d{9}|\d{12}", "GB followed by 9 or 12 digits"),
    "CH": (r"E\d{9}(?:MWST|TVA|IVA|TPV)?", "CHE followed by 9 digits"),
    "NO": (r"\d{9}(?:MVA)?", "NO followed by 9 digits"),
}
# The prefix a VAT number carries is the country code except for Greece (EL) and Northern
# Ireland (XI, a GB address).
VAT_PREFIXES: dict[str, tuple[str, ...]] = {"GR": ("EL", "GR"), "GB": ("GB", "XI")}
_PREFIX_COUNTRY = {p: c for c in VAT_FORMATS for p in VAT_PREFIXES.get(c, (c,))}

# Value-added-tax registration numbers outside the EU-style VAT schemes.
VATRN_FORMATS: dict[str, tuple[str, str]] = {
    "AE": (r"\d{15}", "15 digits (UAE Tax Registration Number)"),
    "BH": (r"\d{15}", "15 digits (Bahrain VAT account number)"),
    "SA": (r"3\d{13}3", "15 digits starting and ending with 3 (Saudi VAT number)"),
}

# India's corporate identity number: listing status, industry code, state, year, ownership, serial.
_CIN_RE = re.compile(r"[LU]\d{5}[A-Z]{2}\d{4}[A-Z]{3}\d{6}")
# UK Companies House number: 8 digits, or a 2-letter register prefix (SC, NI, OC …) and 6 digits.
_GB_COMPANY_RE = re.compile(r"\d{8}|[A-Z]{2}\d{6}")
_SEPARATORS_RE = re.compile(r"[\s./-]")
_GENERIC_RE = re.compile(r"[A-Z0-9]{2,40}")
_GENERIC_CHARS_RE = re.compile(r"[A-Za-z0-9\s./-]+")


def compact(number: str) -> str:
    """Upper case, without spaces, dots, slashes and hyphens."""
    return _SEPARATORS_RE.sub("", number).upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def acn_check_digit(first_eight: str) -> int:
    weighted = sum(int(d) * w for d, w in zip(first_eight, range(8, 0, -1), strict=True))
    return (10 - weighted % 10) % 10


def registration_problem(id_type: str, number: str, country: str | None) -> str | None:
    value = number.strip()
    if not value:
        return "The registration number is required."
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 6 and len(set(digits)) == 1 and len(digits) == len(compact(value)):
        return f"The registration number {value!r} looks like a placeholder."
    try:
        kind = RegistrationIdType(id_type)
    except ValueError:
        return f"Unknown registration ID type {id_type!r}."
    return _CHECKS.get(kind, _generic)(value, country)


def _ein(value: str, _country: str | None) -> str | None:
    if not re.fullmatch(r"\d{2}-?\d{7}", value):
        return "An EIN has 9 digits, written as 12-3456789 or 123456789."
    if value[:2] not in EIN_PREFIXES:
        return f"{value[:2]} is not a prefix the IRS assigns to EINs."
    return None


def _cbn(value: str, _country: str | None) -> str | None:
    match = re.fullmatch(r"(\d{9})(R[A-Z]\d{4})?", compact(value))
    if match is None:
        return (
            "A Canadian Business Number has 9 digits, optionally followed by a program "
            "account such as RT0001."
        )
    if not luhn_ok(match.group(1)):
        return "The Business Number's check digit is wrong."
    return None


def _acn(value: str, _country: str | None) -> str | None:
    acn = compact(value)
    if not re.fullmatch(r"\d{9}", acn):
        return "An Australian Company Number has 9 digits."
    if acn_check_digit(acn[:8]) != int(acn[8]):
        return "The ACN's check digit is wrong."
    return None


def _duns(value: str, _country: str | None) -> str | None:
    if not re.fullmatch(r"\d{9}", compact(value)):
        return "A D-U-N-S number has 9 digits."
    return None


def _cin(value: str, _country: str | None) -> str | None:
    if not _CIN_RE.fullmatch(compact(value)):
        return "A Corporate Identity Number has 21 characters, such as L17110MH1973PLC019786."
    return None


def _company_number(value: str, country: str | None) -> str | None:
    if country == "GB" and not _GB_COMPANY_RE.fullmatch(compact(value)):
        return "A UK company number has 8 characters, such as 01234567 or SC123456."
    return _generic(value, country)


def _vat(value: str, country: str | None) -> str | None:
    vat = compact(value)
    if country not in VAT_FORMATS:
        return _generic(value, country)
    pattern, hint = VAT_FORMATS[country]
    prefixes = VAT_PREFIXES.get(country, (country,))
    if any(vat.startswith(p) and re.fullmatch(pattern, vat[len(p) :]) for p in prefixes):
        return None
    foreign = _PREFIX_COUNTRY.get(vat[:2])
    if foreign and foreign != country and re.fullmatch(VAT_FORMATS[foreign][0], vat[2:]):
        return f"The VAT number is from {foreign}, but the address is in {country}."
    if re.fullmatch(pattern, vat):  # written without its country prefix
        return None
    return f"This is not a valid {country} VAT number: expected {hint}."


def _vatrn(value: str, country: str | None) -> str | None:
    if country not in VATRN_FORMATS:
        return _generic(value, country)
    pattern, hint = VATRN_FORMATS[country]
    if not re.fullmatch(pattern, compact(value)):
        return f"This is not a valid {country} tax registration number: expected {hint}."
    return None


def _generic(value: str, _country: str | None) -> str | None:
    if not _GENERIC_CHARS_RE.fullmatch(value) or not _GENERIC_RE.fullmatch(compact(value)):
        return (
            "A registration number has 2 to 40 letters and digits "
            "(spaces, dots, slashes and hyphens aside)."
        )
    if not any(c.isdigit() for c in value):
        return "A registration number must contain digits."
    return None


_CHECKS: dict[RegistrationIdType, Callable[[str, str | None], str | None]] = {
    RegistrationIdType.EIN: _ein,
    RegistrationIdType.CBN: _cbn,
    RegistrationIdType.ACN: _acn,
    RegistrationIdType.DUNS: _duns,
    RegistrationIdType.CIN: _cin,
    RegistrationIdType.CN: _company_number,
    RegistrationIdType.VAT: _vat,
    RegistrationIdType.VATRN: _vatrn,
}
