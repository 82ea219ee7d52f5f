"""A reviewer worker dies mid-review (SIGKILL): its unacknowledged review requests are
redelivered to another worker, and every profile is decided exactly once."""

from __future__ import annotations

import signal

from trusthub.db import SessionFactory

from ..conftest import Acct
from .conftest import Stack
from .support import (
    BAD_EIN,
    inbox_count,
    statuses,
    submit_profile,
    transitions,
    wait_until,
    wait_until_final,
)

PROFILES = 40


async def test_a_reviewer_killed_mid_review_is_replaced_and_each_profile_decided_once(
    stack: Stack, sessions: SessionFactory, alice: Acct
) -> None:
    # given 40 submitted profiles (every 4th with an EIN the reviewer rejects) and a decision
    # consumer; no reviewer yet, so the review requests wait in the queue
    expected: dict[str, str] = {}
    for i in range(PROFILES):
        bad = i % 4 == 3
        sid = await submit_profile(sessions, alice, BAD_EIN if bad else None)
        expected[sid] = "REJECTED" if bad else "APPROVED"
    await stack.worker("decisions")

    # when reviewer A starts and is SIGKILLed as soon as it has reviewed a first profile
    reviewer_a = await stack.worker("reviewer", "reviewer-a")

    async def a_reviewed_some() -> bool:
        return await inbox_count(sessions, "reviewer") > 0

    await wait_until(a_reviewed_some, within=20, what="reviewer A reviews a profile", interval=0.01)
    reviewer_a.kill()
    reviewed_by_a = await inbox_count(sessions, "reviewer")
    # and reviewer B takes over
    await stack.worker("reviewer", "reviewer-b")

    # then A died mid-way: it had reviewed some profiles, not all
    assert reviewer_a.popen.returncode == -signal.SIGKILL
    assert 0 < reviewed_by_a < PROFILES, reviewed_by_a
    # and every profile reaches the status its data deserves
    await wait_until_final(sessions, expected, within=30)
    assert await statuses(sessions, expected) == expected, stack.report()
    # and each was taken into review once and decided once: no transition twice
    history = await transitions(sessions, expected)
    for sid, final in expected.items():
        assert history[sid] == [
            (None, "DRAFT"),
            ("DRAFT", "PENDING_REVIEW"),
            ("PENDING_REVIEW", "IN_REVIEW"),
            ("IN_REVIEW", final),
        ], (sid, history[sid])
    # and one review per request was recorded
    assert await inbox_count(sessions, "reviewer") == PROFILES
