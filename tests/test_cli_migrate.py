"""`trusthub migrate REV` both ways, and the one-line hints for a database that was never
migrated or does not exist, run as an operator runs them: real processes, real databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from trusthub.migrate import alembic_config

from .conftest import _pg_url
from .empty_databases import empty_database
from .test_cli import account_rows, trusthub
from .test_migrations import head_revision, inspect


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(backend, tmp_path) as url:
        yield url


def previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    down = script.get_revision(head_revision()).down_revision
    assert isinstance(down, str)
    return down


def assert_one_line_hint(stderr: str, *words: str) -> None:
    assert "Traceback" not in stderr, stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("error: "), line
    assert [w for w in words if w not in line] == [], line


async def test_migrate_to_an_older_revision_downgrades_and_back_up(
    empty_database_url: str, workdir: Path
) -> None:
    # given a database at the newest revision
    head, older = head_revision(), previous_revision()
    first = await trusthub("migrate", cwd=workdir, database_url=empty_database_url)
    assert first.code == 0, first.stderr

    # when the operator migrates it to the revision before
    down = await trusthub("migrate", older, cwd=workdir, database_url=empty_database_url)

    # then it says what it did, and the database is at that revision, its schema behind the models
    assert down.code == 0, down.stderr
    assert f"downgraded from revision {head} to {older}" in down.stdout
    rolled_back = await inspect(empty_database_url)
    assert rolled_back["revision"] == older
    assert rolled_back["diff"] != []

    # when it migrates to the same revision again, then nothing happens, and it says so
    again = await trusthub("migrate", older, cwd=workdir, database_url=empty_database_url)
    assert again.code == 0, again.stderr
    assert f"already at revision {older}" in again.stdout

    # when it migrates to head
    up = await trusthub("migrate", cwd=workdir, database_url=empty_database_url)

    # then the schema is the models' again
    assert up.code == 0, up.stderr
    assert f"upgraded from revision {older} to {head}" in up.stdout
    restored = await inspect(empty_database_url)
    assert (restored["revision"], restored["diff"]) == (head, [])


async def test_migrate_to_an_unknown_revision_fails_and_changes_nothing(
    database_url: str, workdir: Path
) -> None:
    # given a migrated database
    # when the operator names a revision the migrations do not have
    result = await trusthub("migrate", "0042", cwd=workdir, database_url=database_url)

    # then it fails with one line naming the revision and the known ones
    assert result.code == 2
    assert_one_line_hint(result.stderr, "'0042'", head_revision(), "head", "base")
    # and the database stays at the newest revision
    assert (await inspect(database_url))["revision"] == head_revision()


async def test_accounts_on_an_unmigrated_database_hint_at_migrate(
    empty_database_url: str, workdir: Path
) -> None:
    # given a database nobody migrated
    # when the operator lists or creates accounts in it
    listing = await trusthub("accounts", "list", cwd=workdir, database_url=empty_database_url)
    creating = await trusthub(
        "accounts", "create", "acme", cwd=workdir, database_url=empty_database_url
    )

    # then each fails with one line naming `trusthub migrate`, not a traceback
    for result in (listing, creating):
        assert result.code == 2
        assert result.stdout == ""
        assert_one_line_hint(result.stderr, "no trusthub tables", "trusthub migrate")


async def test_a_database_that_does_not_exist_is_named(workdir: Path) -> None:
    # given a PostgreSQL URL (with a password) naming a database that does not exist
    missing = f"trusthub_missing_{uuid.uuid4().hex[:8]}"
    scheme, _, rest = _pg_url(missing).partition("://")
    user, _, host = rest.partition("@")
    url = f"{scheme}://{user.split(':')[0]}:s3cret@{host}"

    # when the operator runs commands against it
    listing = await trusthub("accounts", "list", cwd=workdir, database_url=url)
    migrating = await trusthub("migrate", cwd=workdir, database_url=url)

    # then each fails with one line naming the database, without the password
    for result in (listing, migrating):
        assert result.code == 2
        assert_one_line_hint(result.stderr, "does not exist", missing, "DATABASE_URL")
        assert "s3cret" not in result.stderr


async def test_the_default_database_beside_make_dev_says_where_the_dev_one_is(
    workdir: Path,
) -> None:
    # given the file `make dev` uses in the working directory, migrated, and DATABASE_URL unset
    dev_file = (workdir / "trusthub-dev.db").resolve()
    made = await trusthub("migrate", cwd=workdir, database_url=f"sqlite:///{dev_file}")
    assert made.code == 0, made.stderr

    # when the operator lists accounts there without DATABASE_URL
    result = await trusthub("accounts", "list", cwd=workdir)

    # then the hint names `trusthub migrate` and the DATABASE_URL of the dev file
    assert result.code == 2
    assert_one_line_hint(result.stderr, "trusthub migrate", f"DATABASE_URL=sqlite:///{dev_file}")
    assert await account_rows(f"sqlite:///{dev_file}") == []
