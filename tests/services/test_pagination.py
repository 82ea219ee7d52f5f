"""Keyset pages through the services, both directions, on both databases: rows that share a
creation time are ordered by SID and never skipped or repeated, whichever way they are read."""

from __future__ import annotations

from datetime import UTC, datetime

from trusthub.db import SessionFactory
from trusthub.domain.pagination import PageArgs
from trusthub.models import CustomerProfile
from trusthub.services import profiles
from trusthub.services.pagination import Page
from trusthub.services.profiles import ProfileFilter

from ..conftest import Acct
from .helpers import create

SAME_TIME = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


async def _page(sessions: SessionFactory, account: Acct, args: PageArgs) -> Page[CustomerProfile]:
    async with sessions() as s:
        return await profiles.list_profiles(s, account.actor, ProfileFilter(), args)


async def test_rows_created_at_the_same_instant_page_both_ways_by_sid(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given five profiles that share one creation time
    made = [await create(sessions, alice) for _ in range(5)]
    async with sessions() as s:
        for sid in made:
            row = await s.get(CustomerProfile, sid)
            assert row is not None
            row.created_at = SAME_TIME
            s.add(row)
        await s.commit()
    # when they are paged forward two at a time
    forward: list[str] = []
    after = None
    while True:
        page = await _page(sessions, alice, PageArgs(2, after=after))
        forward += [r.sid for r in page.rows]
        if not page.has_next_page:
            break
        after = page.end_cursor
    # and backward two at a time
    backward: list[str] = []
    pages: list[Page[CustomerProfile]] = []
    before = None
    while True:
        page = await _page(sessions, alice, PageArgs(2, backward=True, before=before))
        pages.append(page)
        backward = [r.sid for r in page.rows] + backward
        if not page.has_previous_page:
            break
        before = page.start_cursor
    # then both see every profile once, in SID order (the tie-breaker)
    assert forward == backward == sorted(made)
    # and the backward pages hold 2, 2 and 1, each knowing what lies after it
    assert [len(p.rows) for p in pages] == [2, 2, 1]
    assert [p.has_next_page for p in pages] == [False, True, True]
    assert {p.total_count for p in pages} == {5}


async def test_a_window_between_two_cursors(sessions: SessionFactory, alice: Acct) -> None:
    # given six profiles and the cursors of the second and the fifth
    made = [await create(sessions, alice) for _ in range(6)]
    whole = await _page(sessions, alice, PageArgs(6))
    assert [r.sid for r in whole.rows] == made
    low, high = whole.cursors[1], whole.cursors[4]
    # when the window between them is read from the front and from the back, two at a time
    front = await _page(sessions, alice, PageArgs(2, after=low, before=high))
    back = await _page(sessions, alice, PageArgs(2, backward=True, after=low, before=high))
    # then each holds the two profiles strictly between, and says only what lies beyond
    # its own cursor (the window holds no more)
    assert ([r.sid for r in front.rows], front.has_next_page, front.has_previous_page) == (
        made[2:4],
        False,
        True,
    )
    assert ([r.sid for r in back.rows], back.has_next_page, back.has_previous_page) == (
        made[2:4],
        True,
        False,
    )
