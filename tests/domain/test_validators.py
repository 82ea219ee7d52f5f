"""Value checks and `apply_changes`: pure, no database."""

from __future__ import annotations

import time
from typing import Any

import pytest

from trusthub.domain import validators as v
from trusthub.domain.enums import BusinessType, Region
from trusthub.domain.errors import DomainError, ErrorCode
from trusthub.domain.fields import PROFILE_FIELDS, REPRESENTATIVE_FIELDS, apply_changes
from trusthub.domain.products import ALL_PRODUCT_FIELDS
from trusthub.domain.reviews import REASON_FIELD, REASON_MESSAGE


def refusal(check: v.Check, value: Any) -> str:
    with pytest.raises(ValueError, match=r".+") as caught:
        check(value)
    return str(caught.value)


# -- email --------------------------------------------------------------------------------------


def test_email_is_normalised_without_a_dns_lookup() -> None:
    # given a padded address with an upper-case domain that does not exist in DNS
    # when it is checked
    # then its domain is lower-cased and it is accepted (no deliverability check)
    assert v.email("  Ada@Example.COM ") == "Ada@example.com"
    assert v.email("ops@no-such-domain-4f1c9a.com") == "ops@no-such-domain-4f1c9a.com"


@pytest.mark.parametrize(
    "value",
    [
        "ada",
        "ada@",
        "@example.com",
        "ada@@example.com",
        "ada@example",
        "a b@example.com",
        42,
        "a" * 250 + "@example.com",
    ],
)
def test_malformed_emails_are_refused(value: Any) -> None:
    # given a malformed email, when it is checked, then it is refused with a reason
    assert "email" in refusal(v.email, value)


# -- phone --------------------------------------------------------------------------------------


def test_phone_numbers_are_stored_in_e164() -> None:
    # given international numbers written with spaces and dashes
    # when they are checked, then they come back in E.164
    assert v.phone_e164("+1 415-555-0100") == "+14155550100"
    assert v.phone_e164(" +44 20 7946 0958 ") == "+442079460958"


@pytest.mark.parametrize("value", ["4155550100", "+1415", "+999999999", "+1 415 CALL ME", "", None])
def test_numbers_that_are_not_valid_e164_are_refused(value: Any) -> None:
    # given a national, too short, unassigned-country or non-numeric number
    # when it is checked, then it is refused
    assert refusal(v.phone_e164, value)


# -- URL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://acme.example.com/path?q=1",
        "http://localhost:8080/cb",
        "http://127.0.0.1/cb",
        "https://[::1]/cb",
    ],
)
def test_http_and_https_urls_are_accepted(value: str) -> None:
    # given an http(s) URL, when it is checked, then it is kept as sent
    assert v.http_url(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "ftp://acme.example.com",
        "javascript:alert(1)",
        "acme.example.com",
        "https://",
        "https://a b.com",
        "https://acme.example.com:99999",
        "https://-acme-.com/",
        "https://" + "a" * 2050 + ".com",
        7,
    ],
)
def test_other_urls_are_refused(value: Any) -> None:
    # given another scheme, no host, a space, a bad port or host, or an oversized URL
    # when it is checked, then it is refused
    assert refusal(v.http_url, value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("https://acme.example.com/\x00", "control characters"),
        ("https://acme.example.com/a\tb", "control characters"),  # urlsplit would drop it
        ("https://acme.example.com/\ud800", "lone surrogates"),
        ("https://acme.example.com/a\u2028b", "line or paragraph separators"),
        ("https://acme.example.com/\u202egnp.exe", "bidirectional control U+202E"),
        ("https://acme\u200b.example.com/", "invisible character U+200B"),
        ("https://acme.example.com/a\u200db", "invisible character U+200D"),
    ],
)
def test_urls_with_characters_no_url_holds_are_refused(value: str, reason: str) -> None:
    # given a URL holding a control, surrogate, separator, bidi or invisible character
    # when it is checked, then it is refused saying which
    assert reason in refusal(v.http_url, value)


def test_hosts_are_dns_names_of_well_formed_labels() -> None:
    # given hosts with inner hyphens and punycode, when checked, then accepted
    assert v.http_url("https://xn--bcher-kva.example-shop.com/") == (
        "https://xn--bcher-kva.example-shop.com/"
    )
    # and labels starting or ending with a hyphen, or longer than 63, are refused
    for host in ("acme.-example.com", "acme.example-.com", "a" * 64 + ".com", "acme..com"):
        assert "invalid host" in refusal(v.http_url, f"https://{host}/"), host


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (v.email, "ada\u202e@example.com"),
        (v.email, "ada@example.com\x00"),
        (v.phone_e164, "+1 415 555 0100\x00"),
        (v.phone_e164, "+1" + " " * 40 + "4155550100"),
        (lambda x: v.subdivision(x, "US"), "US-CA" + "A" * 100),
    ],
)
def test_emails_phones_and_subdivisions_refuse_hostile_and_oversized_values(
    check: v.Check, value: str
) -> None:
    # given a bidi control, a NUL, or far more characters than the format can have
    # when checked, then refused
    assert refusal(check, value)


# -- country and subdivision --------------------------------------------------------------------


def test_countries_are_iso_alpha_2_codes() -> None:
    # given country codes in any case, when checked, then upper-cased; unknown ones refused
    assert v.country(" us ") == "US"
    assert "not an ISO 3166-1" in refusal(v.country, "XX")
    assert refusal(v.country, "USA")
    assert refusal(v.country, None)


def test_a_subdivision_may_be_given_short_with_its_country() -> None:
    # given a subdivision with and without its country prefix
    # when checked, then it is stored in full ISO 3166-2 form
    assert v.subdivision("US-CA", None) == "US-CA"
    assert v.subdivision("ca", "US") == "US-CA"
    assert v.subdivision("on", "CA") == "CA-ON"


def test_a_subdivision_must_exist_and_belong_to_the_country() -> None:
    # given an unknown code, another country's code, and a short code without a country
    # when checked, then each is refused with its reason
    assert "not an ISO 3166-2" in refusal(lambda x: v.subdivision(x, "US"), "US-ZZ")
    assert "not a subdivision of CA" in refusal(lambda x: v.subdivision(x, "CA"), "US-CA")
    assert "country" in refusal(lambda x: v.subdivision(x, None), "CA")
    assert refusal(lambda x: v.subdivision(x, "US"), "  ")


# -- postal code and text -----------------------------------------------------------------------


def test_postal_codes() -> None:
    # given postal codes of several countries, when checked, then upper-cased and trimmed
    assert v.postal_code(" sw1a 1aa ") == "SW1A 1AA"
    assert v.postal_code("94105-1234") == "94105-1234"
    # and punctuation, blanks and oversized ones are refused
    assert refusal(v.postal_code, "941#05")
    assert refusal(v.postal_code, "-94105")
    assert refusal(v.postal_code, "  ")
    assert refusal(v.postal_code, "1" * 17)


def test_text_is_trimmed_and_bounded() -> None:
    name = v.text(5)
    # given text with surrounding spaces, when checked, then trimmed (bounds apply after trimming)
    assert name("  abcde  ") == "abcde"
    # and blank, oversized, multi-line, control-character and non-string values are refused
    assert refusal(name, "   ") == "must not be blank"
    assert refusal(name, "abcdef") == "must be at most 5 characters"
    assert refusal(name, "a\nb") == "must not contain control characters"
    assert refusal(name, "a\x00b") == "must not contain control characters"
    assert refusal(name, 12) == "must be a string"


# -- enums and lists ----------------------------------------------------------------------------


def test_enums_accept_only_their_exact_values() -> None:
    check = v.enum_of(BusinessType)
    # given a value of the enum, when checked, then it is accepted
    assert check("CORPORATION") is BusinessType.CORPORATION
    # and anything else is refused, listing the allowed values
    assert "CORPORATION" in refusal(check, "corporation")
    assert refusal(check, "LLC")
    assert refusal(check, None)


def test_lists_are_checked_item_by_item_deduplicated_and_bounded() -> None:
    regions = v.list_of(v.enum_of(Region), min_items=1, max_items=3)
    # given a list with a duplicate, when checked, then duplicates go and order stays
    assert regions(["EUROPE", "ASIA", "EUROPE"]) == [Region.EUROPE, Region.ASIA]
    # and an empty list, too many items, a bad item or a non-list are refused
    assert refusal(regions, []) == "must have at least 1 item(s)"
    assert refusal(regions, ["AFRICA", "ASIA", "EUROPE", "AUSTRALIA"]) == (
        "must have at most 3 items"
    )
    assert refusal(regions, ["ASIA", "MARS"]).startswith("item 2 ")
    assert refusal(regions, "ASIA") == "must be a list"


def test_a_list_is_capped_as_sent_before_any_item_is_checked() -> None:
    # given 30,000 URLs (the cap is 10), every one of them malformed
    urls = v.list_of(v.http_url, max_items=10)
    sent = ["not a url"] * 30_000
    # when checked, then the length is what is refused, not item 1, and at once
    started = time.perf_counter()
    assert refusal(urls, sent) == "must have at most 10 items"
    assert time.perf_counter() - started < 0.1
    # and duplicates count as sent: eleven copies of one URL exceed the cap too
    assert refusal(urls, ["https://acme.example.com"] * 11) == "must have at most 10 items"


def test_deduplication_is_linear() -> None:
    # given 20,000 distinct names and some duplicates, under a cap that admits them
    names = [f"Acme {n}" for n in range(20_000)]
    check = v.list_of(v.text(64), max_items=30_000)
    # when checked
    started = time.perf_counter()
    result = check(names + names[:5_000])
    elapsed = time.perf_counter() - started
    # then each is kept once, in order; and in well under the seconds a scan of the list per
    # item took (a guard against quadratic work, not a benchmark)
    assert result == names
    assert elapsed < 2, elapsed


def test_a_path_keeps_repeated_segments() -> None:
    # given a reason's field path, where a repeated segment is meaningful
    # when checked, then nothing is dropped
    assert REASON_FIELD(["a", "a"]) == ["a", "a"]


# Long values shaped to make a backtracking pattern or a per-item scan slow.
HOSTILE_LONG = [
    "x" * 1_000_000,
    "a-" * 500_000,
    "https://" + ("a" + "-" * 60 + ".") * 33 + "-",
    "https://" + "a" * 1_000_000 + ".com",
    "+" + "1" * 1_000_000,
    "1 " * 500_000 + "!",
    ["https://acme.example.com"] * 100_000,
]


def test_every_check_refuses_long_hostile_values_quickly() -> None:
    # given every field of profiles, representatives, trust products and review reasons
    checks = [
        spec.check
        for table in (PROFILE_FIELDS, REPRESENTATIVE_FIELDS, ALL_PRODUCT_FIELDS)
        for spec in table.values()
        if spec.path != ("address", "region")  # checked with the country, below
    ]
    checks += [REASON_MESSAGE, REASON_FIELD, lambda x: v.subdivision(x, "US")]
    # when each is given each long value
    started = time.perf_counter()
    for check in checks:
        for value in HOSTILE_LONG:
            # then it is refused (none of them is a valid value of any field)
            with pytest.raises(ValueError, match=r".+"):
                check(value)
    # and all of it takes well under a second per hundred checks (no super-linear work)
    assert time.perf_counter() - started < 2


def test_a_list_over_its_bound_is_refused_before_any_item_is_checked() -> None:
    # given a list check whose item check counts its calls
    checked: list[object] = []

    def item(value: object) -> object:
        checked.append(value)
        return value

    urls = v.list_of(item, max_items=10)
    # when a list of ten thousand items is checked, and one of ten duplicates of one value
    refused = refusal(urls, ["not a url"] * 10_000)
    # then the long one is refused by its length alone, without one item being checked
    assert refused == "must have at most 10 items"
    assert checked == []
    assert refusal(urls, ["a"] * 11) == "must have at most 10 items"
    assert urls(["a"] * 10) == ["a"]


# -- apply_changes ------------------------------------------------------------------------------


def test_apply_changes_returns_normalised_columns() -> None:
    # given valid changes in GraphQL paths
    changes = {
        ("friendlyName",): " Acme ",
        ("business", "regionsOfOperation"): ["ASIA", "ASIA"],
        ("address", "country"): "us",
        ("address", "region"): "ca",
        ("statusCallback",): None,
    }
    # when applied, then they come back as normalised column values; null clears
    assert apply_changes(PROFILE_FIELDS, changes, {}) == {
        "friendly_name": "Acme",
        "regions_of_operation": [Region.ASIA],
        "country": "US",
        "region": "US-CA",
        "status_callback": None,
    }


def test_apply_changes_reports_every_error_at_once_with_its_path() -> None:
    # given four bad values, one unknown field and a required field set to null
    changes = {
        ("notificationEmail",): "nope",
        ("business", "websiteUrl"): "ftp://x.com",
        ("business", "type"): "LLC",
        ("address", "country"): "ZZ",
        ("kind",): "INDIVIDUAL",
        ("friendlyName",): None,
        ("address", "city"): "Paris",
    }
    # when applied
    with pytest.raises(DomainError) as caught:
        apply_changes(PROFILE_FIELDS, changes, {})
    # then each is reported with its path and code, and messages name the field
    found = {(e.code, e.field) for e in caught.value.errors}
    assert found == {
        (ErrorCode.INVALID_VALUE, ("notificationEmail",)),
        (ErrorCode.INVALID_VALUE, ("business", "websiteUrl")),
        (ErrorCode.INVALID_VALUE, ("business", "type")),
        (ErrorCode.INVALID_VALUE, ("address", "country")),
        (ErrorCode.INVALID_VALUE, ("kind",)),
        (ErrorCode.REQUIRED, ("friendlyName",)),
    }
    by_field = {e.field: e.message for e in caught.value.errors}
    assert by_field[("business", "websiteUrl")].startswith("business.websiteUrl ")


def test_non_clearable_fields_set_to_null_are_required() -> None:
    # given every representative field set to null
    changes = dict.fromkeys(REPRESENTATIVE_FIELDS)
    # when applied under a representative's path
    with pytest.raises(DomainError) as caught:
        apply_changes(REPRESENTATIVE_FIELDS, changes, {}, prefix=("authorizedRepresentatives", "1"))
    # then each is REQUIRED at its full path
    assert {(e.code, e.field) for e in caught.value.errors} == {
        (ErrorCode.REQUIRED, ("authorizedRepresentatives", "1", *path))
        for path in REPRESENTATIVE_FIELDS
    }


def test_a_region_is_checked_against_the_stored_country() -> None:
    # given a stored profile in the US
    current = {"country": "US", "region": "US-CA"}
    # when only the region changes, then the stored country completes and checks it
    assert apply_changes(PROFILE_FIELDS, {("address", "region"): "ny"}, current) == {
        "region": "US-NY"
    }
    # and when only the country changes, the stored region must still fit it
    with pytest.raises(DomainError) as caught:
        apply_changes(PROFILE_FIELDS, {("address", "country"): "CA"}, current)
    assert [(e.code, e.field) for e in caught.value.errors] == [
        (ErrorCode.INVALID_VALUE, ("address", "region"))
    ]
