"""Text hygiene (`domain/text.py`): what a stored free-text value may hold. Pure, no database."""

from __future__ import annotations

import pytest

from trusthub.domain import validators as v
from trusthub.domain.text import clean_text, one_line, refuse_hostile

NAME = v.text(64)


def refusal(value: str) -> str:
    with pytest.raises(ValueError, match=r".+") as caught:
        NAME(value)
    return str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        "José Núñez-García",
        "Zoë O'Brien",
        "Ђорђе Петровић",
        "محمد بن سلمان",
        "שרה לוי",
        "می\u200cخواهم",  # noqa: RUF001 - Persian: ZWNJ inside a word
        "क\u094d\u200dष",  # Devanagari: ZWJ after a virama
        "李小龍",
        "Ærøskøbing Æblemost ApS",
        "Ñandú S.A.",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 Family Co",  # an emoji ZWJ sequence
        "Acme\u00a0Inc",  # a no-break space inside
    ],
)
def test_real_names_of_every_script_are_accepted_as_sent(value: str) -> None:
    # given a name as people write it, when checked, then it is kept
    assert NAME(value) == value


def test_text_is_stored_in_nfc() -> None:
    # given "José" typed with a combining accent (as macOS sends it)
    decomposed = "Jose\u0301"
    # when checked, then it is stored composed, and the cap counts composed characters
    assert NAME(decomposed) == "Jos\u00e9"
    assert v.text(4)(decomposed) == "Jos\u00e9"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Acme\ud800", "lone surrogates"),
        ("Acme\x00", "control characters"),
        ("Ac\tme", "control characters"),
        ("Acme\x85Inc", "control characters"),
        ("Acme\x7f", "control characters"),
        ("Acme\u2028Inc", "line or paragraph separators"),
        ("Acme\u2029Inc", "line or paragraph separators"),
        ("Acme\u202eInc", "bidirectional control U+202E"),
        ("\u202aAcme", "bidirectional control U+202A"),
        ("Acme\u2066Inc\u2069", "bidirectional control U+2066"),
        ("Ac\u200bme", "invisible character U+200B"),
        ("Acme\ufeff", "invisible character U+FEFF"),
        ("Ac\u00adme", "invisible character U+00AD"),
        ("Ac\u200eme", "invisible character U+200E"),
        ("Acme \u200d", "invisible character U+200D"),  # a joiner that joins nothing
        ("\u200cAcme", "invisible character U+200C"),
        ("Acme\U000e0041", "invisible character U+E0041"),  # a tag character
    ],
)
def test_characters_with_no_business_in_a_name_are_refused(value: str, reason: str) -> None:
    # given a value holding a surrogate, control, separator, bidi control or invisible character
    # when checked, then it is refused saying which kind
    assert reason in refusal(value)


@pytest.mark.parametrize(
    "value",
    [
        "\u200b\u200c\u200d",  # zero-width characters only
        "\u200d",
        "\u3164",  # Hangul filler: a letter that draws nothing
        "\u115f\u1160",
        "\u2800",  # braille blank
        "\u0301\u0301",  # combining marks with nothing to combine with
        "\u00a0\u3000",  # no-break and ideographic spaces
    ],
)
def test_values_with_nothing_visible_are_blank(value: str) -> None:
    # given a value that would display as nothing, when checked, then it is refused as blank
    assert refusal(value) == "must not be blank"


def test_an_oversized_value_is_refused_by_its_length_before_any_scan() -> None:
    # given a value far beyond the cap, with a NUL at its very end
    value = "x" * 1_000_000 + "\x00"
    # when checked, then the length is what is reported
    assert refusal(value) == "must be at most 64 characters"


def test_an_optional_value_may_be_blank() -> None:
    # given a check for an optional value (a filter), when given blanks, then "" comes back
    assert clean_text("   ", 10, min_length=0) == ""
    # and anything else is checked as usual
    with pytest.raises(ValueError, match="control characters"):
        clean_text("a\x00", 10, min_length=0)


def test_urls_and_emails_refuse_joiners_too() -> None:
    # given a joiner between letters, which names allow, when checked for a URL, then refused
    refuse_hostile("a\u200db")
    with pytest.raises(ValueError, match="U\\+200D"):
        refuse_hostile("a\u200db", joiners=False)


def test_one_line_makes_legacy_values_safe_for_an_email_line() -> None:
    # given values stored before the checks, holding line breaks of every kind and a bidi control
    # when made one line, then each such character is a space and nothing else changes
    assert one_line("Acme\u2028Inc\u2029\x85\r\n\u202e!") == "Acme Inc     !"
    assert one_line("Ærøskøbing") == "Ærøskøbing"
