"""`trusthub prune`, run as an operator runs it: a real process with DATABASE_URL set."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from trusthub.db import SessionFactory
from trusthub.models.base import utcnow

from .conftest import MakeAccount
from .retention_rows import Left, attempts, inbox, left, outbox
from .test_cli import COMMAND_TIMEOUT, TRUSTHUB, Result, cli_env, trusthub


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


async def old_rows(sessions: SessionFactory, account_sid: str) -> Left:
    """Rows older than the default retentions (a week; thirty days for the delivery log), and
    recent and unsent ones; returns the ones that must stay."""
    long_ago = utcnow() - timedelta(days=45)
    await outbox(sessions, 5, sent_at=long_ago)
    await inbox(sessions, 4, processed_at=long_ago)
    await attempts(sessions, account_sid, 3, attempted_at=long_ago)
    return Left(
        outbox=await outbox(sessions, 1, sent_at=utcnow()),
        unsent=await outbox(sessions, 2, sent_at=None),
        inbox=await inbox(sessions, 1),
        attempts=await attempts(sessions, account_sid, 1),
    )


async def test_help_names_the_settings_and_the_dry_run(workdir: Path) -> None:
    # when an operator asks for help
    result = await trusthub("prune", "--help", cwd=workdir)
    # then it says what is pruned, after which setting, and offers a dry run
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("usage: trusthub prune")
    for word in (
        "--dry-run",
        "OUTBOX_RETENTION_HOURS",
        "INBOX_RETENTION_HOURS",
        "DELIVERY_ATTEMPT_RETENTION_DAYS",
        "PRUNE_BATCH_SIZE",
        "DATABASE_URL",
    ):
        assert word in result.stdout, word


async def test_prune_dry_run_counts_then_prune_deletes(
    database_url: str, sessions: SessionFactory, make_account: MakeAccount, workdir: Path
) -> None:
    # given old, recent and unsent rows
    account = await make_account()
    kept = await old_rows(sessions, account.sid)
    everything = await left(sessions)

    # when the operator asks what would be pruned
    dry = await trusthub("prune", "--dry-run", cwd=workdir, database_url=database_url)

    # then the old rows are counted per table, and nothing was deleted
    assert dry.code == 0, dry.stderr
    assert dry.stdout.split("\n") == [
        "outbox_message    would delete 5",
        "inbox_message     would delete 4",
        "delivery_attempt  would delete 3",
        "idempotency_key   would delete 0",
        "",
    ]
    assert await left(sessions) == everything

    # when the operator prunes
    done = await trusthub("prune", cwd=workdir, database_url=database_url)

    # then the old rows are gone, counted, and the recent and unsent ones stay
    assert done.code == 0, done.stderr
    assert "outbox_message    deleted 5" in done.stdout
    assert "inbox_message     deleted 4" in done.stdout
    assert "delivery_attempt  deleted 3" in done.stdout
    assert await left(sessions) == kept


async def test_prune_refuses_a_retention_shorter_than_the_retry_horizon(
    database_url: str, sessions: SessionFactory, make_account: MakeAccount, workdir: Path
) -> None:
    # given old rows
    account = await make_account()
    await old_rows(sessions, account.sid)
    everything = await left(sessions)

    # when the operator prunes with a one-hour outbox retention
    proc = await asyncio.create_subprocess_exec(
        TRUSTHUB,
        "prune",
        cwd=workdir,
        env=cli_env(database_url, OUTBOX_RETENTION_HOURS="1"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
    result = Result(proc.returncode or 0, out.decode(), err.decode())

    # then it refuses, naming the setting and its least value, and deletes nothing
    assert result.code == 2
    assert "OUTBOX_RETENTION_HOURS must be at least" in result.stderr
    assert "Traceback" not in result.stderr
    assert await left(sessions) == everything
