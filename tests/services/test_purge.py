"""Personal data past its retention is purged: values become "[purged]", rows and their shape
stay, history and reviews say which run did it; a second run changes nothing (both databases)."""

from __future__ import annotations

from datetime import timedelta

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.domain.privacy import MARKER, PersonalDataRetention
from trusthub.models import PurgeRun
from trusthub.models.base import utcnow
from trusthub.services import accounts, profiles
from trusthub.services.purge import purge

from ..conftest import Acct
from ..factories import BUSINESS, REPRESENTATIVE
from .helpers import create_complete, force, stored
from .purge_rows import (
    NUMBER,
    PERSONAL,
    REASON,
    purge_entries,
    rejected_profile,
    representatives_of,
    traces,
)

RETENTION = PersonalDataRetention(rejected=timedelta(days=90), closed=timedelta(days=30), batch=2)


async def test_a_rejected_profile_is_purged_after_the_retention_keeping_its_structure(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile rejected now, and another left as a draft
    sid = await rejected_profile(sessions, alice)
    draft = await create_complete(sessions, alice)

    # when a purge runs 89 days later, then nothing is due
    _, early = await purge(sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=89))
    assert set(early.values()) == {0}
    assert (await stored(sessions, sid)).registration_number == NUMBER

    # when a purge runs 91 days later
    run, counts = await purge(
        sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=91)
    )

    # then the person's values read "[purged]"; the company's stay
    profile = await stored(sessions, sid)
    assert profile.registration_number == MARKER
    assert profile.legal_name == BUSINESS["legalName"]
    assert profile.status == Status.REJECTED.value
    assert profile.purge_run_id == run
    assert profile.purged_at is not None
    assert profile.reasons == [{**REASON, "message": MARKER}]
    (rep,) = await representatives_of(sessions, sid)
    assert (rep.first_name, rep.last_name, rep.email, rep.phone_number) == (MARKER,) * 4
    assert rep.business_title == REPRESENTATIVE["businessTitle"]
    # and history, reviews, the delivery log and dead letters keep their rows, not the person
    left = await traces(sessions, sid)
    for table, text in left.items():
        assert MARKER in text, table
        for value in PERSONAL:
            assert value not in text, (table, value)
    assert f'"purge_run_id": {run}' in left["status_change"]
    assert f'"purge_run_id": {run}' in left["review"]
    assert '"to_status": "REJECTED"' in left["status_change"]
    (entry,) = await purge_entries(sessions, sid)
    assert entry.actor == f"purge:{run}"
    assert counts["customer_profile"] == 1
    assert counts["authorized_representative"] == 1
    assert counts["status_change"] == 3
    assert counts["review"] == 1
    assert counts["delivery_attempt"] == 1
    assert counts["dead_letter"] == 1
    # and the draft was left alone
    assert (await stored(sessions, draft)).registration_number == NUMBER

    # when it runs again, then nothing changes (idempotent), and both runs are recorded
    _, again = await purge(sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=92))
    assert set(again.values()) == {0}
    async with sessions() as s:
        recorded = await s.get(PurgeRun, run)
    assert recorded is not None
    assert recorded.finished_at is not None
    assert recorded.counts == counts
    assert recorded.dry_run is False


async def test_a_dry_run_counts_what_a_run_changes_and_changes_nothing(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given three rejected profiles (more than one batch of two)
    sids = [await rejected_profile(sessions, alice) for _ in range(3)]
    later = utcnow() + timedelta(days=91)

    # when a dry run counts
    dry_run, dry = await purge(sessions, RETENTION, trigger="test", dry_run=True, now=later)

    # then it names every profile, changed none, and is recorded as a dry run
    assert dry["customer_profile"] == 3
    assert dry["audit_entry"] == 3
    for sid in sids:
        assert (await stored(sessions, sid)).registration_number == NUMBER
    async with sessions() as s:
        recorded = await s.get(PurgeRun, dry_run)
    assert recorded is not None
    assert recorded.dry_run
    assert recorded.counts == dry

    # and a real run, in batches, does exactly that
    _, real = await purge(sessions, RETENTION, trigger="test", now=later)
    assert real == dry
    for sid in sids:
        assert (await stored(sessions, sid)).registration_number == MARKER


async def test_a_resubmitted_profile_is_not_purged(sessions: SessionFactory, alice: Acct) -> None:
    # given a profile rejected long ago and resubmitted since
    sid = await rejected_profile(sessions, alice)
    await force(sessions, sid, Status.PENDING_REVIEW)

    # when a purge runs after the retention
    _, counts = await purge(sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=91))

    # then its data is kept
    assert counts["customer_profile"] == 0
    assert (await stored(sessions, sid)).registration_number == NUMBER


async def test_what_a_deleted_profile_leaves_behind_is_purged_after_the_retention(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a rejected profile that its owner deleted
    sid = await rejected_profile(sessions, alice)
    async with sessions() as s:
        await profiles.delete_profile(s, alice.actor, sid)
        await s.commit()
    assert NUMBER in (await traces(sessions, sid))["review"]

    # when a purge runs before the retention, then the traces stay
    _, early = await purge(sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=89))
    assert early["review"] == 0

    # when it runs after the retention
    run, counts = await purge(
        sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=91)
    )

    # then history, the review, the delivery log and dead letters no longer quote the person
    left = await traces(sessions, sid)
    for table, text in left.items():
        for value in PERSONAL:
            assert value not in text, (table, value)
    assert counts["review"] == 1
    assert counts["status_change"] == 3
    (entry,) = await purge_entries(sessions, sid)
    assert entry.actor == f"purge:{run}"
    # and a second run finds nothing more
    _, again = await purge(sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=92))
    assert set(again.values()) == {0}


async def test_a_closed_accounts_profiles_are_purged_after_the_closed_retention(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given alice's approved profile and bob's; alice closes her account
    mine = await create_complete(sessions, alice)
    theirs = await create_complete(sessions, bob)
    for sid in (mine, theirs):
        await force(sessions, sid, Status.APPROVED)
    async with sessions() as s:
        account = await accounts.find_account(s, alice.sid)
        accounts.close_account(s, account)
        await s.commit()

    # then her key no longer authenticates; bob's does
    async with sessions() as s:
        assert await accounts.authenticate(s, alice.api_key) is None
        assert await accounts.authenticate(s, bob.api_key) is not None

    # when a purge runs before RETENTION_DAYS_CLOSED, then her data stays
    _, early = await purge(sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=29))
    assert early["customer_profile"] == 0

    # when it runs after
    await purge(sessions, RETENTION, trigger="test", now=utcnow() + timedelta(days=31))

    # then her profile is purged and stays APPROVED; bob's is untouched
    purged = await stored(sessions, mine)
    assert purged.registration_number == MARKER
    assert purged.status == Status.APPROVED.value
    assert (await stored(sessions, theirs)).registration_number == NUMBER
