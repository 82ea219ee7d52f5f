"""Email addresses, phone numbers, website URLs and the domains they belong to.

Each `*_problem` function returns a sentence for the customer, or None when the value passes.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# Mailbox providers anyone can sign up to: an address there says nothing about the business.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "hotmail.com",
        "hotmail.co.uk",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "web.de",
        "yahoo.com",
        "yahoo.co.uk",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
    }
)

# Domains reserved for documentation (RFC 2606) and template text left in a form.
PLACEHOLDER_DOMAINS = frozenset(
    {
        "example.com",
        "example.net",
        "example.org",
        "example.edu",
        "yourcompany.com",
        "yourdomain.com",
        "yourwebsite.com",
        "mywebsite.com",
    }
)
# Top-level names that never resolve on the public Internet (RFC 2606, RFC 6761, private use).
RESERVED_TLDS = frozenset(
    {"test", "example", "invalid", "localhost", "local", "internal", "lan", "home", "corp"}
)

# Hosts whose pages are not the business's own website: social networks and link shorteners.
NOT_A_BUSINESS_WEBSITE = frozenset(
    {
        "bit.ly",
        "facebook.com",
        "fb.com",
        "instagram.com",
        "linkedin.com",
        "linktr.ee",
        "t.co",
        "tiktok.com",
        "tinyurl.com",
        "twitter.com",
        "x.com",
        "youtu.be",
        "youtube.com",
    }
)

# Second-level labels under which ccTLD registries sell names (co.uk, com.au, co.jp …). This
# approximates the Public Suffix List well enough to compare an email's and a website's domain.
_SECOND_LEVEL_SUFFIXES = frozenset(
    {"ac", "co", "com", "edu", "go", "gob", "gov", "ltd", "ne", "net", "nic", "or", "org", "plc"}
)
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD_RE = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def registrable_domain(host: str) -> str:
    """The part of a host name its owner registered: `www.acme.com` → `acme.com`,
    `shop.acme.co.uk` → `acme.co.uk`."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def ascii_host(host: str) -> str:
    """The host in IDNA (punycode) form, so that unicode and ASCII spellings compare equal."""
    try:
        return host.lower().rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return host.lower().rstrip(".")


def email_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "An email address is required."
    try:
        validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        return f"{value.strip()!r} is not a valid email address: {exc}"
    return None


def email_domain(value: str) -> str:
    """The email's domain in ASCII form; call only on an address `email_problem` accepted."""
    result = validate_email(value.strip(), check_deliverability=False)
    return str(result.ascii_domain).lower()


def website_host(url: Any) -> str | None:
    """The URL's host in ASCII form, or None when there is none to read."""
    if not isinstance(url, str):
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return ascii_host(host) if host else None


def website_problem(url: Any) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return "A website URL is required."
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return f"{url!r} is not a URL."
    host = website_host(url)
    if parts.scheme not in ("http", "https") or not host:
        return "The website must be an http or https URL."
    if parts.username is not None:
        return "The website URL must not contain a user name or password."
    return _host_problem(host)


def _host_problem(host: str) -> str | None:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return "The website must be a domain name, not an IP address."
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return f"{host!r} is not a public domain name."
    if not _TLD_RE.fullmatch(labels[-1]) or labels[-1] in RESERVED_TLDS:
        return f"{host!r} is not a public domain name."
    domain = registrable_domain(host)
    if domain in PLACEHOLDER_DOMAINS:
        return f"{domain} is a placeholder domain, not the business's website."
    if domain in NOT_A_BUSINESS_WEBSITE:
        return (
            f"{domain} is not the business's own website; list social media pages under "
            "socialMediaProfileUrls."
        )
    return None


def phone_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "A phone number is required."
    try:
        number = phonenumbers.parse(value.strip(), None)
    except phonenumbers.NumberParseException:
        return f"{value.strip()!r} is not an E.164 phone number such as +14155552671."
    if not phonenumbers.is_valid_number(number):
        return f"{value.strip()} is not a valid phone number for its country."
    if _is_fictional(number):
        return f"{value.strip()} is reserved for fiction and cannot reach anyone."
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        return f"{value.strip()} is a premium-rate number, not a contact number."
    return None


def _is_fictional(number: phonenumbers.PhoneNumber) -> bool:
    """Ranges set aside for films and examples: NANP 555-0100…0199, Ofcom's drama numbers."""
    national = str(number.national_number)
    if number.country_code == 1:
        return national[3:6] == "555" and national[6:8] == "01"
    if number.country_code == 44:
        return national.startswith(_OFCOM_DRAMA_PREFIXES)
    return False


# Ofcom's drama ranges (national significant numbers, without the leading 0): 07700 900xxx,
# 020 7946 0xxx, 01xx 496 0xxx in the big cities, 0191 498 0xxx, 01632 960xxx.
_OFCOM_DRAMA_PREFIXES = (
    "7700900",
    "2079460",
    *(
        f"1{area}4960"
        for area in ("13", "14", "15", "16", "17", "18", "21", "31", "41", "51", "61")
    ),
    "1914980",
    "1632960",
)
