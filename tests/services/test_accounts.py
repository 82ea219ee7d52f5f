"""Accounts on SQLite and PostgreSQL: hashed API keys, and each account kept to its own profiles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from trusthub.db import SessionFactory
from trusthub.domain.enums import ProfileKind, Role, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.pagination import PageArgs
from trusthub.models import Account, AuditEntry, AuthorizedRepresentative
from trusthub.services import accounts, evaluations, profiles, representatives, submission
from trusthub.services.actor import Actor
from trusthub.services.profiles import ProfileFilter

from ..conftest import Acct, MakeAccount
from ..factories import rep_changes
from .helpers import (
    codes,
    count,
    create,
    create_complete,
    force,
    individual_profile,
    refused,
    stored,
)

# -- API keys -----------------------------------------------------------------------------------


async def test_api_keys_are_stored_hashed(sessions: SessionFactory, alice: Acct) -> None:
    # given alice's account, created with a key shown once
    # when the stored row is read
    async with sessions() as s:
        row = await s.get(Account, alice.sid)
    # then the key appears nowhere in it, only its digest and a short prefix to recognise it
    assert row is not None
    assert all(alice.api_key not in str(value) for value in row.model_dump().values())
    assert row.api_key_hash == accounts.hash_api_key(alice.api_key)
    assert alice.api_key.startswith(row.api_key_prefix)
    assert len(row.api_key_prefix) < len(alice.api_key) // 2


async def test_authenticate_finds_the_account_by_key_and_rejects_others(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given alice's and bob's keys
    # when each key, a wrong one and malformed ones are presented
    async with sessions() as s:
        found_alice = await accounts.authenticate(s, alice.api_key)
        found_bob = await accounts.authenticate(s, bob.api_key)
        wrong = await accounts.authenticate(s, alice.api_key[:-1] + "x")
        empty = await accounts.authenticate(s, "")
        unprefixed = await accounts.authenticate(s, alice.api_key.removeprefix("th_"))
        digest = await accounts.authenticate(s, accounts.hash_api_key(alice.api_key))
    # then only the real keys find their accounts
    assert found_alice is not None
    assert found_bob is not None
    assert (found_alice.sid, found_alice.role) == (alice.sid, "CUSTOMER")
    assert found_bob.sid == bob.sid
    assert (wrong, empty, unprefixed, digest) == (None, None, None, None)


async def test_a_rotated_key_replaces_the_old_one(sessions: SessionFactory, alice: Acct) -> None:
    # given alice's account
    # when her key is rotated
    async with sessions() as s:
        account = await s.get(Account, alice.sid)
        assert account is not None
        new_key = await accounts.rotate_api_key(s, account)
        await s.commit()
    # then the new key works and the old one does not
    async with sessions() as s:
        assert await accounts.authenticate(s, alice.api_key) is None
        found = await accounts.authenticate(s, new_key)
    assert found is not None
    assert found.sid == alice.sid


async def test_accounts_get_distinct_secrets_and_a_checked_name(
    sessions: SessionFactory,
) -> None:
    # given two new accounts, and a blank name
    async with sessions() as s:
        one = await accounts.create_account(s, "one", Role.REVIEWER, sandbox=True)
        two = await accounts.create_account(s, "two", Role.ADMIN)
        await s.commit()
    async with sessions() as s:
        error = await refused(accounts.create_account(s, "  ", Role.CUSTOMER))
    # then their secrets differ, are shaped as documented, and the blank name is refused
    assert one.account.sid.startswith("AC")
    assert len({one.api_key, two.api_key, one.auth_token, two.auth_token}) == 4
    assert one.webhook_secret.startswith("whsec_")
    assert one.webhook_secret != two.webhook_secret
    assert codes(error) == {(ErrorCode.INVALID_VALUE, ("name",))}
    async with sessions() as s:
        names = (await s.exec(select(col(Account.name)))).all()
    assert sorted(names) == ["one", "two"]


# -- isolation ----------------------------------------------------------------------------------

Call = Callable[[AsyncSession, Actor], Awaitable[Any]]


async def test_an_account_cannot_read_or_change_another_accounts_profile(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given alice's profile with representative #1
    sid = await create_complete(sessions, alice)
    async with sessions() as s:
        rep = (await s.exec(select(col(AuthorizedRepresentative.sid)))).one()
    before = (await stored(sessions, sid)).model_dump()
    audited = await count(sessions, AuditEntry)
    attempts: dict[str, Call] = {
        "get": lambda s, a: profiles.get_profile(s, a, sid),
        "update": lambda s, a: profiles.update_profile(s, a, sid, {("friendlyName",): "Bob's"}),
        "delete": lambda s, a: profiles.delete_profile(s, a, sid),
        "evaluate": lambda s, a: evaluations.evaluate_profile(s, a, sid),
        "submit": lambda s, a: submission.submit_profile(s, a, sid, accept_terms=True),
        "add rep": lambda s, a: representatives.add_representative(s, a, sid, 2, rep_changes()),
        "update rep": lambda s, a: representatives.update_representative(
            s, a, rep, {("firstName",): "Bob"}
        ),
        "remove rep": lambda s, a: representatives.remove_representative(s, a, rep),
    }
    for name, call in attempts.items():
        # when bob tries it with alice's IDs
        async with sessions() as s:
            error = await refused(call(s, bob.actor))
            await s.commit()  # even committing whatever is left must change nothing
        # then it reads as not found
        assert [e.code for e in error.errors] == [ErrorCode.NOT_FOUND], name
    # and alice's profile, representative and audit trail are untouched
    assert (await stored(sessions, sid)).model_dump() == before
    assert await count(sessions, AuthorizedRepresentative) == 1
    assert await count(sessions, AuditEntry) == audited


async def test_listing_shows_only_the_accounts_own_profiles_and_admins_see_all(
    sessions: SessionFactory, alice: Acct, bob: Acct, make_account: MakeAccount
) -> None:
    # given profiles of alice (one rejected) and bob, and an admin
    mine = [await create(sessions, alice) for _ in range(3)]
    await create(sessions, alice, individual_profile())
    theirs = await create(sessions, bob)
    await force(sessions, mine[0], Status.REJECTED)
    admin = await make_account("root", Role.ADMIN)
    # when alice pages through her business profiles two at a time
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        async with sessions() as s:
            page = await profiles.list_profiles(
                s, alice.actor, ProfileFilter(kind=ProfileKind.BUSINESS), PageArgs(2, after=after)
            )
        seen += [r.sid for r in page.rows]
        pages += 1
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    async with sessions() as s:
        rejected = await profiles.list_profiles(
            s, alice.actor, ProfileFilter(status=Status.REJECTED), PageArgs(10)
        )
        everything = await profiles.list_profiles(s, admin.actor, ProfileFilter(), PageArgs(10))
        bobs = await profiles.list_profiles(s, bob.actor, ProfileFilter(), PageArgs(10))
    # then she sees each of hers once, in creation order, and never bob's
    assert (seen, pages, page.total_count) == (mine, 2, 3)
    assert [r.sid for r in rejected.rows] == [mine[0]]
    assert [r.sid for r in bobs.rows] == [theirs]
    # and the admin sees all five
    assert everything.total_count == 5
