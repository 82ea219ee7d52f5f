"""Which status callback URLs may be stored: hosts read the way the HTTP client's resolver reads
them, so that no spelling of a private address gets through (pure, no DNS)."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from trusthub.domain.callback_urls import (
    CallbackRules,
    address_kind,
    callback_url,
    host_address,
)
from trusthub.domain.errors import DomainError, ErrorCode
from trusthub.domain.fields import PROFILE_FIELDS, apply_changes, with_callback_rules
from trusthub.domain.products import TrustProductKind, product_fields

STRICT = callback_url(CallbackRules())
LOOSE = callback_url(CallbackRules(allow_private_networks=True))

INTERNAL_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7/cb",
    "http://[::1]/cb",
    "http://0x7f.1/cb",
    "http://127.1/cb",
    "http://[::ffff:169.254.169.254]/cb",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://127.0.0.1:8080/cb",
    "http://0177.0.0.1/cb",
    "http://0x7f000001/cb",
    "http://192.168.1.10/cb",
    "http://172.16.0.1/cb",
    "http://100.64.0.1/cb",
    "http://0.0.0.0/cb",
    "http://[fe80::1]/cb",
    "http://[fd00::1]/cb",
    "http://[64:ff9b::a9fe:a9fe]/cb",
    "http://[2002:a9fe:a9fe::]/cb",
    "http://[::127.0.0.1]/cb",
    "http://localhost:8000/cb",
    "http://hooks.localhost/cb",
    "http://vault.service.internal/cb",
    "http://printer.local/cb",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_addresses_and_names_are_refused(url: str) -> None:
    # given a URL whose host is, by its spelling alone, not on the public internet
    # when it is checked with the default rules
    with pytest.raises(ValueError, match="must point to a public internet host") as refused:
        STRICT(url)

    # then the reason names the host as written
    assert " is " in str(refused.value)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::ffff:169.254.169.254]", "::ffff:169.254.169.254"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_hosts_are_read_as_the_resolver_reads_them(host: str, address: str) -> None:
    # given a shorthand, hex, octal, integer, trailing-dot or bracketed address
    # when it is read, then it is the address getaddrinfo would connect to
    assert host_address(host) == ip_address(address)


@pytest.mark.parametrize("host", ["hooks.acme.com", "08.1.2.3", "1.2.3.4.5", "0x.example.com"])
def test_names_are_not_addresses(host: str) -> None:
    # given host names (an 8 is no octal digit; five parts is no address)
    # when read, then they are names, for DNS to resolve
    assert host_address(host) is None


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("224.0.0.1", "multicast"),
        ("::", "unspecified"),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    # given an address, when classified, then public ones have no kind
    assert address_kind(ip_address(address)) == kind


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.acme.example.com/trusthub?x=1",
        "http://93.184.216.34:8080/cb",
        "https://[2606:4700::1111]/cb",
    ],
)
def test_public_urls_are_kept_as_sent(url: str) -> None:
    assert STRICT(url) == url


@pytest.mark.parametrize("url", INTERNAL_URLS[:7])
def test_private_networks_may_be_allowed(url: str) -> None:
    # given the rules of local development (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)
    # when an internal URL is checked, then it is kept
    assert LOOSE(url) == url


def test_https_may_be_required() -> None:
    # given rules that require https
    check = callback_url(CallbackRules(require_https=True))

    # when / then
    assert check("https://hooks.acme.example.com/cb") == "https://hooks.acme.example.com/cb"
    with pytest.raises(ValueError, match="https"):
        check("http://hooks.acme.example.com/cb")


def test_the_field_error_names_status_callback_and_nothing_is_kept() -> None:
    # given a profile's stored callback and a change to a metadata address
    current = {"status_callback": "https://hooks.acme.example.com/cb"}

    # when the change is applied under the default rules
    with pytest.raises(DomainError) as refused:
        apply_changes(PROFILE_FIELDS, {("statusCallback",): "http://169.254.169.254/"}, current)

    # then the error is INVALID_VALUE on statusCallback
    [error] = refused.value.errors
    assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, ("statusCallback",))
    assert error.message.startswith("statusCallback must point to a public internet host")
    assert current == {"status_callback": "https://hooks.acme.example.com/cb"}


def test_trust_products_check_their_callback_the_same_way() -> None:
    # given a trust product's fields, strict and loosened
    strict = product_fields(TrustProductKind.CNAM)
    loose = with_callback_rules(strict, CallbackRules(allow_private_networks=True))
    change = {("statusCallback",): "http://127.1:9000/cb"}

    # when / then
    with pytest.raises(DomainError):
        apply_changes(strict, change, {})
    assert apply_changes(loose, change, {}) == {"status_callback": "http://127.1:9000/cb"}
