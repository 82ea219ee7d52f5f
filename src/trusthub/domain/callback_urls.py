"""Which status-callback targets trusthub may call: never its own network (SSRF).

Hosts are read the way the HTTP client's resolver reads them, so that a spelling the validator
lets through cannot reach an address it would have refused: inet_aton shorthand (`127.1`, hex
`0x7f.1`, octal `0177.0.0.1`, one decimal integer), IPv6 with IPv4 inside (`::ffff:a.b.c.d`,
NAT64, 6to4), trailing dots, and names that only ever mean a private host (`localhost`,
`*.internal`, `metadata.google.internal`). The same rules serve the write-time check and the
notifier's check of every resolved address at delivery time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address
from typing import Any
from urllib.parse import urlsplit

from . import validators as v

Address = IPv4Address | IPv6Address

# Names reserved for private use (RFC 6761 localhost, RFC 6762 .local, RFC 8375 home.arpa, the
# ICANN-reserved .internal that clouds use for metadata endpoints) and the usual .localdomain.
INTERNAL_NAMES = frozenset({"localhost", "metadata.google.internal"})
INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")

_IPV4_COMPATIBLE = IPv6Network("::/96")  # deprecated ::a.b.c.d
_NAT64 = IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits


@dataclass(frozen=True)
class CallbackRules:
    """The settings that loosen or tighten the checks (`WEBHOOK_ALLOW_PRIVATE_NETWORKS`,
    `WEBHOOK_REQUIRE_HTTPS`)."""

    allow_private_networks: bool = False
    require_https: bool = False


def host_address(host: str) -> Address | None:
    """The address `host` names literally, as a resolver would read it; None for a name."""
    name = host.strip("[]").rstrip(".").lower()
    if ":" in name:
        try:
            return ip_address(name.split("%", 1)[0])  # without an IPv6 zone id
        except ValueError:
            return None
    return _inet_aton(name)


def _inet_aton(name: str) -> IPv4Address | None:
    """glibc's inet_aton, which getaddrinfo applies before DNS: `a`, `a.b`, `a.b.c` or
    `a.b.c.d`, each part decimal, octal (leading 0) or hex (0x); the last part fills the
    remaining bytes."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = [_number(part) for part in parts]
    if any(value is None for value in values):
        return None
    *head, last = [value for value in values if value is not None]
    rest_bits = 8 * (4 - len(head))
    if any(value > 0xFF for value in head) or last >= 1 << rest_bits:
        return None
    number = 0
    for value in head:
        number = number << 8 | value
    return IPv4Address(number << rest_bits | last)


def _number(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits, base, allowed = part[2:], 16, "0123456789abcdefABCDEF"
    elif len(part) > 1 and part[0] == "0":
        digits, base, allowed = part[1:], 8, "01234567"
    else:
        digits, base, allowed = part, 10, "0123456789"
    if not part or not all(c in allowed for c in digits):
        return None
    return int(digits, base) if digits else 0


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries, where connecting to it may reach that one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_kind(address: Address) -> str | None:
    """Why `address` is not on the public internet ("loopback", "private", …); None if it is."""
    if isinstance(address, IPv6Address) and not (address.is_loopback or address.is_unspecified):
        if address in _IPV4_COMPATIBLE:
            return "reserved"
        if (embedded := _embedded_ipv4(address)) is not None:
            return address_kind(embedded)
    for kind, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return kind
    return None if address.is_global else "shared or reserved"


def is_internal_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name in INTERNAL_NAMES or name.endswith(INTERNAL_SUFFIXES)


def host_refusal(host: str) -> str | None:
    """Why a status callback may not go to `host` (before any DNS lookup); None if it may."""
    address = host_address(host)
    if address is not None:
        kind = address_kind(address)
        if kind is None:
            return None
        return f"is {'an' if kind[0] in 'aeiou' else 'a'} {kind} address"
    if is_internal_name(host):
        return "is an internal host name"
    return None


def callback_url(rules: CallbackRules) -> Callable[[Any], str]:
    """The write-time check of a status callback URL: an http(s) URL whose host is not, by
    its spelling alone, a private, loopback, link-local or metadata address."""

    def check(value: Any) -> str:
        if isinstance(value, str) and not rules.allow_private_networks:
            _refuse_internal_host(value)
        url = v.http_url(value)
        if rules.require_https and urlsplit(url).scheme != "https":
            raise ValueError("must be an https URL")
        return url

    return check


def _refuse_internal_host(url: str) -> None:
    """Checked before the general URL checks, so that the reason is the one that matters."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return  # malformed: the URL check says so
    reason = host_refusal(host) if host else None
    if reason is not None:
        raise ValueError(
            f"must point to a public internet host: {host} {reason}, which status callbacks "
            "may not call"
        )
