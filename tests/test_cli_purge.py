"""`trusthub purge` and `trusthub accounts close`, run as an operator runs them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select

from trusthub.db import SessionFactory
from trusthub.domain.privacy import MARKER
from trusthub.models import Account, PurgeRun

from .conftest import MakeAccount
from .services.helpers import stored
from .services.purge_rows import NUMBER, rejected_profile
from .test_cli import COMMAND_TIMEOUT, TRUSTHUB, Result, cli_env, trusthub


async def purge_command(*args: str, cwd: Path, database_url: str, **env: str) -> Result:
    """`trusthub purge` with settings of the test's choosing in its environment."""
    proc = await asyncio.create_subprocess_exec(
        TRUSTHUB, "purge", *args, cwd=cwd, env=cli_env(database_url, **env),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


async def test_purge_dry_run_then_purge(
    database_url: str, sessions: SessionFactory, make_account: MakeAccount, workdir: Path
) -> None:
    # given a closed account's profile (RETENTION_DAYS_CLOSED is 0 below: due at once)
    account = await make_account("leaver")
    sid = await rejected_profile(sessions, account)
    closed = await trusthub("accounts", "close", "leaver", cwd=workdir, database_url=database_url)
    assert closed.code == 0, closed.stderr
    assert account.sid in closed.stdout
    async with sessions() as s:
        row = await s.get(Account, account.sid)
    assert row is not None
    assert row.closed_at is not None

    # when the operator asks what a purge would do
    dry = await purge_command(
        "--dry-run", cwd=workdir, database_url=database_url, RETENTION_DAYS_CLOSED="0"
    )

    # then it prints the counts per table, and changed nothing
    assert dry.code == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert "customer_profile           would purge 1" in lines
    assert "authorized_representative  would purge 1" in lines
    assert lines[-1].endswith("(dry run)")
    assert (await stored(sessions, sid)).registration_number == NUMBER

    # when the operator purges
    done = await purge_command(cwd=workdir, database_url=database_url, RETENTION_DAYS_CLOSED="0")

    # then the same counts were purged, and both runs are recorded
    assert done.code == 0, done.stderr
    assert "customer_profile           purged 1" in done.stdout.splitlines()
    assert (await stored(sessions, sid)).registration_number == MARKER
    async with sessions() as s:
        runs = (await s.exec(select(PurgeRun).order_by(PurgeRun.id))).all()  # type: ignore[arg-type]
    assert [(r.trigger, r.dry_run) for r in runs] == [("cli", True), ("cli", False)]


async def test_closing_an_unknown_account_exits_2(database_url: str, workdir: Path) -> None:
    result = await trusthub("accounts", "close", "nobody", cwd=workdir, database_url=database_url)
    assert result.code == 2
    assert "No account named 'nobody'" in result.stderr
