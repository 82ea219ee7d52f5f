"""`trusthub dev`: everything in one process on a local SQLite file, with three accounts whose
keys are printed (a customer, a reviewer and a sandbox customer) so that submitting, human
review and sandbox outcomes can all be tried at once, and the exact commands that reach the same
database from another terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import Settings, get_settings, sqlite_path
from .domain.enums import Role

DEV_DATABASE_URL = "sqlite+aiosqlite:///./trusthub-dev.db"
DEV_BLOB_KEY_FILE = Path("trusthub-dev-blob.key")
DEMO_ACCOUNT = "demo"


@dataclass(frozen=True)
class DevAccount:
    """One of the accounts `dev` keeps, found by name and given a new key at each start."""

    label: str
    name: str
    role: Role
    sandbox: bool = False


DEV_ACCOUNTS = (
    DevAccount("demo", DEMO_ACCOUNT, Role.CUSTOMER),
    DevAccount("reviewer", "dev-reviewer", Role.REVIEWER),
    DevAccount("sandbox", "dev-sandbox", Role.CUSTOMER, sandbox=True),
)


def dev(args: argparse.Namespace) -> int:
    import os

    from .cli import _serve

    os.environ.setdefault("DATABASE_URL", DEV_DATABASE_URL)
    os.environ["BROKER_URL"] = "memory://"  # one process: the in-process broker
    os.environ.setdefault("SMTP_URL", "log://")  # show decision emails in the log
    os.environ["DEV_MODE"] = "true"
    if "BLOB_ENCRYPTION_KEYS" not in os.environ:  # documents are encrypted in dev too
        os.environ["BLOB_ENCRYPTION_KEYS"] = json.dumps({"dev": dev_blob_key(DEV_BLOB_KEY_FILE)})
        os.environ["BLOB_ENCRYPTION_KEY_ID"] = "dev"
    # Local receivers (127.0.0.1, localhost) are what status callbacks call in development.
    os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
    from .web.cors import dev_origins

    get_settings.cache_clear()
    settings = get_settings()
    host, port = args.host or settings.host, args.port or settings.port
    if "CORS_ALLOW_ORIGINS" not in os.environ:  # pages served by the dev server itself
        os.environ["CORS_ALLOW_ORIGINS"] = json.dumps(dev_origins(host, port))
        get_settings.cache_clear()
        settings = get_settings()
    from .migrate import upgrade

    upgrade(settings.database_url)
    keys = asyncio.run(_dev_keys(settings))
    print(banner(settings, host, port, keys), flush=True)
    return _serve(settings, host, port)


def banner(settings: Settings, host: str, port: int, keys: dict[str, str]) -> str:
    from .cli_hints import shown_url
    from .web.graphiql import graphiql_url

    lines = [f"\n  trusthub dev — database {shown_url(settings.database_url)}"]
    for account in DEV_ACCOUNTS:
        what = f"{account.label} API key ({account.name}, {account.role.value.lower()}"
        what += ", sandbox)" if account.sandbox else ")"
        lines.append(f"  {what}: {keys[account.label]}")
        lines.append(f"    GraphiQL: {graphiql_url(host, port, keys[account.label])}")
    lines.append("  (new keys at each start)")
    if settings.blob_encryption_keys.keys() == {"dev"}:
        lines.append(
            f"  documents are encrypted with a generated dev key kept in {DEV_BLOB_KEY_FILE} "
            "(set BLOB_ENCRYPTION_KEYS and BLOB_ENCRYPTION_KEY_ID to use your own)"
        )
    if settings.four_eyes_review:
        lines.append(
            "  four-eyes review is on: a human approval needs a second reviewer "
            "(accounts create … --role reviewer), or start with FOUR_EYES_REVIEW=false"
        )
    if settings.webhook_allow_private_networks:
        lines.append(
            "  status callbacks may call private and loopback addresses "
            "(WEBHOOK_ALLOW_PRIVATE_NETWORKS=true): for development only"
        )
    lines.append("  the same database from another terminal:")
    lines.extend(f"    {command}" for command in cli_commands(settings.database_url))
    return "\n".join(lines) + "\n"


def dev_blob_key(path: Path) -> str:
    """The dev blob key (base64), generated once and kept beside the dev database, so that
    documents uploaded before a restart still open after it."""
    import base64
    import os

    if path.is_file():
        return path.read_text().strip()
    key = base64.b64encode(os.urandom(32)).decode()
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def cli_commands(database_url: str) -> list[str]:
    """Copy-paste `trusthub` commands for this database: the CLI's own default is another file
    (./trusthub.db), so each names DATABASE_URL, with a SQLite path made absolute."""
    path = sqlite_path(database_url)
    url = f"sqlite:///{path.resolve()}" if path is not None else database_url
    program = sys.argv[0] if Path(sys.argv[0]).name == "trusthub" else "trusthub"
    prefix = f"DATABASE_URL={shlex.quote(url)} {shlex.quote(program)}"
    return [
        f"{prefix} accounts list",
        f"{prefix} accounts create NAME --role customer|reviewer|admin [--sandbox]",
    ]


async def _dev_keys(settings: Settings) -> dict[str, str]:
    """Create or re-key each dev account; a new key at each start, as nothing stored the old."""
    from .db import create_engine, create_session_factory
    from .services import accounts

    engine = create_engine(settings.database_url, settings)
    keys: dict[str, str] = {}
    try:
        async with create_session_factory(engine)() as session:
            for wanted in DEV_ACCOUNTS:
                account = await accounts.find_account_by_name(session, wanted.name)
                if account is None:
                    issued = await accounts.create_account(
                        session, wanted.name, wanted.role, sandbox=wanted.sandbox
                    )
                    keys[wanted.label] = issued.api_key
                else:
                    keys[wanted.label] = await accounts.rotate_api_key(session, account)
            await session.commit()
    finally:
        await engine.dispose()
    return keys
