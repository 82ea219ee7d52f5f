"""Value checks used at write time and by evaluation. Each returns the normalised value or raises
`ValueError` with a message meant for the user (the caller adds the field path)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email

Check = Callable[[Any], Any]
E = TypeVar("E", bound=StrEnum)

MAX_URL_LENGTH = 2048
MAX_EMAIL_LENGTH = 254


def text(max_length: int, *, min_length: int = 1) -> Check:
    """Trimmed single-line text without control characters, bounded in length."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        cleaned: str = value.strip()
        if len(cleaned) < min_length:
            raise ValueError("must not be blank")
        if len(cleaned) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        if any(unicodedata.category(c) == "Cc" for c in cleaned):
            raise ValueError("must not contain control characters")
        return cleaned

    return check


def email(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH:
        raise ValueError(f"must be an email address of at most {MAX_EMAIL_LENGTH} characters")
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None
    return str(result.normalized)


def phone_e164(value: Any) -> str:
    if not isinstance(value, str) or not value.strip().startswith("+"):
        raise ValueError("must be an E.164 phone number such as +14155550100")
    try:
        number = phonenumbers.parse(value.strip(), None)
    except phonenumbers.NumberParseException:
        raise ValueError("must be an E.164 phone number such as +14155550100") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9-]{1,63})+$")


def http_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a URL")
    url: str = value.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
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
    if not (_HOST_RE.match(host) or host == "localhost" or _is_ip(host)):
        raise ValueError(f"has an invalid host {host!r}")
    return url


def _is_ip(host: str) -> bool:
    import ipaddress

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
    if not isinstance(value, str) or not value.strip():
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


def list_of(item: Check, *, min_items: int = 0, max_items: int) -> Check:
    """A list of checked items, de-duplicated in order. A list longer than `max_items` is
    refused before any item is checked (a client could send a million URLs to be parsed),
    even if it would shrink below the bound once de-duplicated."""

    def check(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list")
        if len(value) > max_items:
            raise ValueError(f"must have at most {max_items} items")
        out: list[Any] = []
        for i, v in enumerate(value):
            try:
                checked = item(v)
            except ValueError as exc:
                raise ValueError(f"item {i + 1} {exc}") from None
            if checked not in out:
                out.append(checked)
        if len(out) < min_items:
            raise ValueError(f"must have at least {min_items} item(s)")
        return out

    return check
