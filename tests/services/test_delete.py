"""Deleting profiles on SQLite and PostgreSQL: only drafts and rejected ones, never a needed one."""

from __future__ import annotations

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.domain.errors import ErrorCode
from trusthub.models import AuthorizedRepresentative
from trusthub.services import profiles

from ..conftest import Acct, MakeAccount
from .helpers import LOCKED, codes, count, create, create_complete, force, load, refused, secondary


async def test_drafts_and_rejected_profiles_can_be_deleted(
    sessions: SessionFactory, alice: Acct
) -> None:
    for status in (Status.DRAFT, Status.REJECTED):
        # given a profile with a representative
        sid = await create_complete(sessions, alice)
        await force(sessions, sid, status)
        # when alice deletes it
        async with sessions() as s:
            deleted = await profiles.delete_profile(s, alice.actor, sid)
            await s.commit()
        # then it and its representative are gone
        assert deleted == sid
        assert await load(sessions, sid) is None, status
        assert await count(sessions, AuthorizedRepresentative) == 0, status


async def test_a_customer_cannot_delete_a_profile_in_review_or_approved(
    sessions: SessionFactory, alice: Acct
) -> None:
    for status in LOCKED:
        # given a profile under review or approved
        sid = await create(sessions, alice)
        await force(sessions, sid, status)
        # when alice deletes it
        async with sessions() as s:
            error = await refused(profiles.delete_profile(s, alice.actor, sid))
        # then it is refused and the profile stays
        assert [e.code for e in error.errors] == [ErrorCode.LOCKED], status
        assert await load(sessions, sid) is not None, status


async def test_an_admin_deletes_an_approved_profile_unless_a_secondary_depends_on_it(
    sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given two approved primaries of alice, one with a secondary, and an admin
    admin = await make_account("root", Role.ADMIN)
    lone = await create(sessions, alice)
    parent = await create(sessions, alice)
    child = await create(sessions, alice, secondary(parent))
    await force(sessions, lone, Status.APPROVED)
    await force(sessions, parent, Status.APPROVED)
    # when the admin deletes both
    async with sessions() as s:
        await profiles.delete_profile(s, admin.actor, lone)
        await s.commit()
    async with sessions() as s:
        error = await refused(profiles.delete_profile(s, admin.actor, parent))
    # then the lone one is gone; the one with a dependent secondary stays
    assert await load(sessions, lone) is None
    assert [e.code for e in error.errors] == [ErrorCode.LOCKED]
    assert await load(sessions, parent) is not None
    assert await load(sessions, child) is not None


async def test_a_draft_primary_with_a_secondary_cannot_be_deleted(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a draft primary with a secondary
    parent = await create(sessions, alice)
    await create(sessions, alice, secondary(parent))
    # when alice deletes the primary
    async with sessions() as s:
        error = await refused(profiles.delete_profile(s, alice.actor, parent))
    # then it is refused and stays
    assert codes(error) == {(ErrorCode.LOCKED, ("id",))}
    assert await load(sessions, parent) is not None
