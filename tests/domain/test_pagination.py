"""Relay page arguments, cursors and paging a list in memory: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trusthub.domain.errors import DomainError, ErrorCode
from trusthub.domain.pagination import (
    Page,
    PageArgs,
    decode_cursor,
    decode_text_cursor,
    encode_cursor,
    encode_key,
    page_args,
    page_of_keys,
)

KEYS = [f"+1415555{n:04}" for n in range(10)]


def args(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> PageArgs:
    return page_args(first, after, last, before, default=3, maximum=5)


def refused(**kwargs: int | str | None) -> tuple[ErrorCode, tuple[str, ...] | None, str]:
    with pytest.raises(DomainError) as caught:
        args(**kwargs)  # type: ignore[arg-type]
    (error,) = caught.value.errors
    return error.code, error.field, error.message


# -- arguments ----------------------------------------------------------------------------------


def test_arguments_pick_a_direction_and_a_size() -> None:
    # when the arguments name first, last, or neither
    # then forward with first, backward with last, and the default size forward unless only
    # `before` is given (the items just before it)
    assert args(first=2, after="a") == PageArgs(2, False, "a", None)
    assert args(last=4, before="b") == PageArgs(4, True, None, "b")
    assert args() == PageArgs(3, False, None, None)
    assert args(after="a") == PageArgs(3, False, "a", None)
    assert args(before="b") == PageArgs(3, True, None, "b")
    assert args(after="a", before="b") == PageArgs(3, False, "a", "b")
    assert args(first=0) == PageArgs(0, False, None, None)
    assert args(last=5) == PageArgs(5, True, None, None)


def test_bad_arguments_are_refused_naming_the_argument() -> None:
    # when first and last come together, or a size is negative or over the maximum
    # then each is refused with the argument it is about
    invalid = ErrorCode.INVALID_VALUE
    assert refused(first=1, last=1) == (invalid, ("last",), "Pass first or last, not both.")
    assert refused(first=6) == (invalid, ("first",), "first must be between 0 and 5.")
    assert refused(first=-1) == (invalid, ("first",), "first must be between 0 and 5.")
    assert refused(last=6) == (invalid, ("last",), "last must be between 0 and 5.")
    assert refused(last=-1) == (invalid, ("last",), "last must be between 0 and 5.")


# -- cursors ------------------------------------------------------------------------------------


def test_cursors_are_opaque_and_round_trip() -> None:
    # given a time key and a text key
    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    sid = "BU" + "a" * 32
    # when they are encoded
    time_cursor = encode_cursor(at, sid)
    text_cursor = encode_key("+14155550100")
    # then the cursors show neither key, and decode back to it
    for cursor in (time_cursor, text_cursor):
        assert "BU" not in cursor
        assert "+1415" not in cursor
        assert "=" not in cursor
    assert decode_cursor(time_cursor) == (at, sid)
    assert decode_text_cursor(text_cursor) == "+14155550100"
    # and the same key always gives the same cursor
    assert encode_cursor(at, sid) == time_cursor


@pytest.mark.parametrize(
    "cursor",
    ["", "garbage!!", encode_key("a", "b"), encode_key(), "WzEsIDJd", "bm90IGpzb24"],
)
def test_a_malformed_text_cursor_is_refused_naming_the_argument(cursor: str) -> None:
    # when a cursor that is not one key ("[1, 2]", "not json", two keys, none) is decoded
    with pytest.raises(DomainError) as caught:
        decode_text_cursor(cursor, "before")
    # then the error names the argument
    (error,) = caught.value.errors
    assert (error.field, error.message) == (("before",), "Malformed cursor in before.")


# -- paging a list ------------------------------------------------------------------------------


def keys(page: Page[str]) -> list[str]:
    return list(page.rows)


def test_forward_pages_report_both_sides() -> None:
    # when the first page of 3, then the page after its end, are taken
    one = page_of_keys(KEYS, args(first=3))
    two = page_of_keys(KEYS, args(first=3, after=one.cursors[-1]))
    # then each holds the next keys; more follow both; only the second has keys before it
    assert (keys(one), one.has_next_page, one.has_previous_page) == (KEYS[0:3], True, False)
    assert (keys(two), two.has_next_page, two.has_previous_page) == (KEYS[3:6], True, True)
    # and the last page says nothing follows
    end = page_of_keys(KEYS, args(first=5, after=encode_key(KEYS[6])))
    assert (keys(end), end.has_next_page, end.has_previous_page) == (KEYS[7:], False, True)


def test_backward_pages_mirror_forward_ones() -> None:
    # when the last 3, then the 3 before those, are taken
    one = page_of_keys(KEYS, args(last=3))
    two = page_of_keys(KEYS, args(last=3, before=one.cursors[0]))
    # then each holds the keys just before, in order; the first has nothing after it
    assert (keys(one), one.has_next_page, one.has_previous_page) == (KEYS[7:], False, True)
    assert (keys(two), two.has_next_page, two.has_previous_page) == (KEYS[4:7], True, True)
    # and the front page says nothing precedes it
    front = page_of_keys(KEYS, args(last=5, before=encode_key(KEYS[3])))
    assert (keys(front), front.has_next_page, front.has_previous_page) == (
        KEYS[0:3],
        True,
        False,
    )


def test_both_cursors_bound_the_window() -> None:
    # when a window between two cursors is paged from each end
    low, high = encode_key(KEYS[2]), encode_key(KEYS[8])
    front = page_of_keys(KEYS, args(first=2, after=low, before=high))
    back = page_of_keys(KEYS, args(last=2, after=low, before=high))
    everything = page_of_keys(KEYS, args(first=5, after=low, before=high))
    # then only keys strictly between the cursors come back
    assert (keys(front), front.has_next_page, front.has_previous_page) == (KEYS[3:5], True, True)
    assert (keys(back), back.has_next_page, back.has_previous_page) == (KEYS[6:8], True, True)
    assert (keys(everything), everything.has_next_page) == (KEYS[3:8], False)


def test_edge_cases() -> None:
    # a page of none: empty, but it says whether the window holds any
    none = page_of_keys(KEYS, args(first=0))
    assert (keys(none), none.cursors, none.has_next_page) == ([], [], True)
    back_none = page_of_keys(KEYS, args(last=0))
    assert (keys(back_none), back_none.has_previous_page) == ([], True)
    # an empty list: nothing either way
    empty = page_of_keys([], args(last=3, before=encode_key(KEYS[0])))
    assert (keys(empty), empty.has_next_page, empty.has_previous_page) == ([], False, False)
    # before the first key: nothing, with everything after
    front = page_of_keys(KEYS, args(last=3, before=encode_key(KEYS[0])))
    assert (keys(front), front.has_next_page, front.has_previous_page) == ([], True, False)
    # a cursor of a key no longer in the list still places the page
    gone = KEYS[:4] + KEYS[5:]
    after_gone = page_of_keys(gone, args(first=2, after=encode_key(KEYS[4])))
    assert (keys(after_gone), after_gone.has_previous_page) == (KEYS[5:7], True)
    # the page size exactly fits: no next page
    exact = page_of_keys(KEYS[:3], args(first=3))
    assert (keys(exact), exact.has_next_page) == (KEYS[:3], False)
