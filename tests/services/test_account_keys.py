"""API key lifecycle on SQLite and PostgreSQL: finding an account by NAME or SID, rotating and
revoking its key, and the gateway's re-check of the keys its WebSockets hold."""

from __future__ import annotations

from trusthub.app import Authenticator
from trusthub.db import SessionFactory
from trusthub.domain.errors import ErrorCode
from trusthub.models import Account
from trusthub.services import accounts

from ..conftest import Acct, MakeAccount
from .helpers import codes, refused


async def test_find_account_by_sid_or_unique_name(
    sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given alice, and two accounts named "twin"
    twins = [await make_account("twin"), await make_account("twin")]
    async with sessions() as s:
        # when accounts are looked up by SID, by name, by an unknown name or SID, by "twin"
        by_sid = await accounts.find_account(s, alice.sid)
        by_name = await accounts.find_account(s, "alice")
        unknown = await refused(accounts.find_account(s, "nobody"))
        no_sid = await refused(accounts.find_account(s, "AC" + "f" * 32))
        ambiguous = await refused(accounts.find_account(s, "twin"))
    # then SID and unique name find alice; the others say what is wrong
    assert (by_sid.sid, by_name.sid) == (alice.sid, alice.sid)
    assert codes(unknown) == codes(no_sid) == {(ErrorCode.NOT_FOUND, ("account",))}
    assert codes(ambiguous) == {(ErrorCode.INVALID_VALUE, ("account",))}
    assert all(t.sid in ambiguous.errors[0].message for t in twins)


async def test_revoking_leaves_no_key_and_rotating_issues_one_again(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given alice's key
    # when it is revoked
    async with sessions() as s:
        account = await s.get(Account, alice.sid)
        assert account is not None
        accounts.revoke_api_key(s, account)
        await s.commit()
    # then it no longer authenticates and the account has no valid key
    async with sessions() as s:
        assert await accounts.authenticate(s, alice.api_key) is None
        account = await s.get(Account, alice.sid)
        assert account is not None
        assert account.api_key_hash.startswith(accounts.REVOKED_PREFIX)
        # when a new key is issued
        key = await accounts.rotate_api_key(s, account)
        await s.commit()
    # then that one authenticates as alice
    async with sessions() as s:
        found = await accounts.authenticate(s, key)
    assert found is not None
    assert found.sid == alice.sid


async def test_refresh_forgets_a_rotated_key_at_once(
    sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given a gateway that remembers keys for a minute, and knows alice's and bob's
    authenticate = Authenticator(sessions, ttl=60)
    assert await authenticate(alice.api_key) is not None
    assert await authenticate(bob.api_key) is not None
    # when alice's key is rotated and the open connections' keys are re-checked
    async with sessions() as s:
        account = await s.get(Account, alice.sid)
        assert account is not None
        await accounts.rotate_api_key(s, account)
        await s.commit()
    digests = {accounts.hash_api_key(k) for k in (alice.api_key, bob.api_key)}
    found = await authenticate.refresh(digests)
    # then only bob's key is still found, and the gateway refuses alice's old one from now on
    assert {d: a.sid for d, a in found.items()} == {accounts.hash_api_key(bob.api_key): bob.sid}
    assert await authenticate(alice.api_key) is None
    bob_again = await authenticate(bob.api_key)
    assert bob_again is not None
    assert bob_again.sid == bob.sid
