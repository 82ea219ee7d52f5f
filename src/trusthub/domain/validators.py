"""Value checks used at write time and by evaluation. Each returns the normalised value or raises
`ValueError` with a message meant for the user (the caller adds the field path).

Every check is linear in its input and refuses an oversized value before any per-character
work: a request can hold long strings and lists, and a check runs on the event loop. The
regular expressions here have no nested or overlapping repetition (no backtracking blow-up),
and each runs only on a value already bounded in length. Which characters text may hold is
decided once, in `text.py`."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email

from .text import clean_text, refuse_hostile

Check = Callable[[Any], Any]
E = TypeVar("E", bound=StrEnum)

MAX_URL_LENGTH = 2048
MAX_EMAIL_LENGTH = 254
# E.164 has at most 15 digits; this leaves room for spaces, dashes and brackets.
MAX_PHONE_LENGTH = 32
MAX_SUBDIVISION_LENGTH = 6  # ISO 3166-2: two letters, a hyphen, up to three characters


def text(max_length: int, *, min_length: int = 1) -> Check:
    """Trimmed single-line text, NFC, bounded in length, of characters `text.py` allows."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        return clean_text(value, max_length, min_length=min_length)

    return check


def email(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH:
        raise ValueError(f"must be an email address of at most {MAX_EMAIL_LENGTH} characters")
    refuse_hostile(value, joiners=False)
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None
    return str(result.normalized)


def phone_e164(value: Any) -> str:
    if not isinstance(value, str) or not value.strip().startswith("+"):
        raise ValueError("must be an E.164 phone number such as +14155550100")
    if len(value) > MAX_PHONE_LENGTH:
        raise ValueError(f"must be at most {MAX_PHONE_LENGTH} characters")
    refuse_hostile(value, joiners=False)
    try:
        number = phonenumbers.parse(value.strip(), None)
    except phonenumbers.NumberParseException:
        raise ValueError("must be an E.164 phone number such as +14155550100") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


# One DNS label: letters, digits and inner hyphens, at most 63 characters. A label's end is
# fixed by the dot or the end of the host, so a failed match backtracks at most 63 characters.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
MAX_HOST_LENGTH = 253


def http_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a URL")
    url: str = value.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    # Before parsing: urlsplit silently drops some control characters (tab, CR, LF).
    refuse_hostile(url, joiners=False)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError("must be an http or https URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("must be an http or https URL")
    if any(c.isspace() for c in url):
        raise ValueError("must not contain spaces")
    if not (_is_dns_name(host) or host == "localhost" or _is_ip(host)):
        raise ValueError(f"has an invalid host {host!r}")
    return url


def _is_dns_name(host: str) -> bool:
    return len(host) <= MAX_HOST_LENGTH and _HOST_RE.fullmatch(host) is not None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def country(value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) != 2:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code such as US")
    code = value.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def subdivision(value: Any, country_code: str | None) -> str:
    """An ISO 3166-2 code. `CA` with country US is read as `US-CA`; stored in full form."""
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value.strip()) > MAX_SUBDIVISION_LENGTH
    ):
        raise ValueError("must be an ISO 3166-2 subdivision code such as US-CA")
    code = value.strip().upper()
    country_code = country_code.upper() if country_code else None
    if "-" not in code:
        if country_code is None:
            raise ValueError("give the full ISO 3166-2 code (such as US-CA) or the country too")
        code = f"{country_code}-{code}"
    if pycountry.subdivisions.get(code=code) is None:  # type: ignore[no-untyped-call]
        raise ValueError(f"{code!r} is not an ISO 3166-2 subdivision code")
    if country_code is not None and not code.startswith(country_code + "-"):
        raise ValueError(f"{code!r} is not a subdivision of {country_code}")
    return code


_POSTAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,14}$")


def postal_code(value: Any) -> str:
    cleaned: str = text(16)(value)
    if not _POSTAL_RE.match(cleaned):
        raise ValueError("may contain only letters, digits, spaces and hyphens")
    return cleaned.upper()


def enum_of(cls: type[E]) -> Check:
    def check(value: Any) -> E:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"must be one of {allowed}") from None

    return check


def list_of(item: Check, *, min_items: int = 0, max_items: int, distinct: bool = True) -> Check:
    """A list of checked items, de-duplicated in order unless `distinct` is False (a path, say).

    `max_items` bounds the list as sent, duplicates included, and is checked before any item
    is: the work is bounded by the cap, whatever the client sends. Items are compared by
    hash (the checks return strings, enums and numbers), so de-duplication is linear."""

    def check(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list")
        if len(value) > max_items:
            raise ValueError(f"must have at most {max_items} items")
        out: list[Any] = []
        seen: set[Any] = set()
        for i, v in enumerate(value):
            try:
                checked = item(v)
            except ValueError as exc:
                raise ValueError(f"item {i + 1} {exc}") from None
            if not distinct:
                out.append(checked)
            elif checked not in seen:
                seen.add(checked)
                out.append(checked)
        if len(out) < min_items:
            raise ValueError(f"must have at least {min_items} item(s)")
        return out

    return check
