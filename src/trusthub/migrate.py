"""Running Alembic migrations from code (CLI, `dev`, tests)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from .config import normalize_database_url, sqlite_path

ROOT = Path(__file__).resolve().parents[2]


class MigrationTargetError(ValueError):
    """A revision the migrations do not have (or a database at one they do not know)."""


@dataclass(frozen=True)
class Migration:
    """What `migrate` did: `direction` is "upgraded", "downgraded" or "unchanged"."""

    direction: str
    before: str | None
    after: str | None

    def describe(self) -> str:
        before, after = self.before or "base (no tables)", self.after or "base (no tables)"
        if self.direction == "unchanged":
            return f"database already at revision {after}: nothing to do"
        return f"database {self.direction} from revision {before} to {after}"


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = normalize_database_url(database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision` (synchronous: call it outside a running event loop)."""
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def migrate(database_url: str, revision: str = "head") -> Migration:
    """Move the database to `revision`, up or down: Alembic's `upgrade` to an older revision
    does nothing, so an operator rolling back would be told "done" with the schema unchanged.
    Synchronous: call it outside a running event loop."""
    config = alembic_config(database_url)
    order = _revisions(config)  # base first
    target = _resolve(config, revision)
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    current = current_revision(database_url)
    if current is not None and current not in order:
        raise MigrationTargetError(
            f"the database is at revision {current}, which this version of trusthub does not "
            f"know (its newest is {order[-1]}): run the newer version's `trusthub migrate`"
        )
    position = {rev: i for i, rev in enumerate(order)}
    here = -1 if current is None else position[current]
    there = -1 if target is None else position[target]
    if there > here:
        command.upgrade(config, str(target))
        return Migration("upgraded", current, target)
    if there < here:
        command.downgrade(config, target or "base")
        return Migration("downgraded", current, target)
    return Migration("unchanged", current, target)


def current_revision(database_url: str) -> str | None:
    """The revision recorded in the database (None: no migration applied yet)."""
    from .db import create_engine

    async def read() -> str | None:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _revisions(config: Config) -> list[str]:
    script = ScriptDirectory.from_config(config)
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def _resolve(config: Config, revision: str) -> str | None:
    """The revision id `revision` names (None for base); a clear error for an unknown one."""
    script = ScriptDirectory.from_config(config)
    if revision in ("head", "heads"):
        return script.get_current_head()
    if revision == "base":
        return None
    try:
        found = script.get_revision(revision)
    except CommandError:
        found = None
    if found is None:
        known = ", ".join(_revisions(config))
        raise MigrationTargetError(
            f"no migration revision {revision!r}: give one of {known}, head or base"
        )
    return str(found.revision)


__all__ = ["Migration", "MigrationTargetError", "current_revision", "migrate"]
