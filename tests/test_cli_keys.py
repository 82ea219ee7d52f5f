"""`trusthub accounts rotate-key|revoke-key NAME|SID [--json]`, run as an operator runs them: a
real process with DATABASE_URL set, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trusthub.db import SessionFactory
from trusthub.models import Account
from trusthub.services.accounts import REVOKED_PREFIX, authenticate

from .conftest import MakeAccount
from .test_cli import Result, account_rows, trusthub


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"  # no .env there: only the environment configures the command
    path.mkdir()
    return path


async def who(sessions: SessionFactory, api_key: str) -> str | None:
    """The SID of the account the key authenticates as, if any."""
    async with sessions() as session:
        account = await authenticate(session, api_key)
    return account.sid if account else None


@pytest.mark.parametrize("command", ["rotate-key", "revoke-key"])
async def test_help_names_the_account_argument_and_json(command: str, workdir: Path) -> None:
    # when an operator asks for help
    result = await trusthub("accounts", command, "--help", cwd=workdir)
    # then it documents NAME|SID, --json and when gateways stop accepting the old key
    assert result.code == 0, result.stderr
    for word in ("NAME|SID", "--json", "AUTH_CACHE_SECONDS", "4403", "DATABASE_URL"):
        assert word in result.stdout, word


async def test_rotate_key_by_name_prints_a_new_key_and_the_old_one_stops_working(
    database_url: str, sessions: SessionFactory, make_account: MakeAccount, workdir: Path
) -> None:
    # given an account
    acme = await make_account("acme")
    created = {"sid": acme.sid, "api_key": acme.api_key}
    # when the operator rotates its key by name, as JSON, then by SID, as text
    by_name = await trusthub(
        "accounts", "rotate-key", "acme", "--json", cwd=workdir, database_url=database_url
    )
    rotated = json.loads(by_name.stdout)
    by_sid = await trusthub(
        "accounts", "rotate-key", created["sid"], cwd=workdir, database_url=database_url
    )
    # then JSON is exactly {"sid", "api_key"} with a new key, and text shows the SID and a key
    assert (by_name.code, by_sid.code) == (0, 0), by_name.stderr + by_sid.stderr
    assert set(rotated) == {"sid", "api_key"}
    assert rotated["sid"] == created["sid"]
    assert rotated["api_key"] != created["api_key"]
    [text_key] = [line.split()[1] for line in by_sid.stdout.splitlines() if "api_key" in line]
    assert created["sid"] in by_sid.stdout
    # and only the latest key authenticates, as the same account
    assert await who(sessions, text_key) == created["sid"]
    assert await who(sessions, rotated["api_key"]) is None
    assert await who(sessions, created["api_key"]) is None


async def test_revoke_key_leaves_the_account_without_a_valid_key(
    database_url: str, sessions: SessionFactory, make_account: MakeAccount, workdir: Path
) -> None:
    # given an account
    acme = await make_account("acme")
    created = {"sid": acme.sid, "api_key": acme.api_key}
    # when the operator revokes its key by SID
    result = await trusthub(
        "accounts", "revoke-key", created["sid"], "--json", cwd=workdir, database_url=database_url
    )
    # then it says so, the key no longer authenticates and the account has no valid key
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {"sid": created["sid"], "revoked": True}
    assert await who(sessions, created["api_key"]) is None
    async with sessions() as session:
        account = await session.get(Account, created["sid"])
    assert account is not None
    assert account.api_key_hash.startswith(REVOKED_PREFIX)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_unknown_or_ambiguous_accounts_exit_2_and_change_nothing(
    database_url: str, make_account: MakeAccount, workdir: Path
) -> None:
    # given two accounts named "twin" and one named "acme"
    twins = [await make_account("twin"), await make_account("twin")]
    await make_account("acme")
    before = await account_rows(database_url)

    async def run(*args: str) -> Result:
        return await trusthub("accounts", *args, cwd=workdir, database_url=database_url)

    # when the operator names an unknown account, an unknown SID and the ambiguous name
    unknown = await run("rotate-key", "nobody")
    no_sid = await run("revoke-key", "AC" + "0" * 32)
    ambiguous = [await run("rotate-key", "twin", "--json"), await run("revoke-key", "twin")]
    # then each exits 2 with a message saying what is wrong, and prints nothing on stdout
    assert [r.code for r in (unknown, no_sid, *ambiguous)] == [2, 2, 2, 2]
    assert "No account named 'nobody'" in unknown.stderr
    assert f"No account with SID AC{'0' * 32}" in no_sid.stderr
    for result in ambiguous:
        assert all(t.sid in result.stderr for t in twins), result.stderr
        assert "give the SID" in result.stderr
    assert "".join(r.stdout for r in (unknown, no_sid, *ambiguous)) == ""
    # and no account changed
    assert await account_rows(database_url) == before
