"""The `trusthub` command. Configuration comes from the environment or `.env` (see config.py)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from . import cli_dead_letters, cli_operations, cli_purge, cli_webhooks
from .cli_hints import database_hint
from .config import Settings, get_settings
from .domain.enums import Role

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession


def _parser() -> argparse.ArgumentParser:
    env = ", ".join(sorted(n.upper() for n in Settings.model_fields))
    parser = argparse.ArgumentParser(
        prog="trusthub",
        description="trusthub: customer profiles, reviews and trust products over GraphQL.",
        epilog=f"Configuration is read from the environment or a .env file: {env}. "
        "See docs/operators.md for each setting.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = sub.add_parser(
        "dev",
        help="run everything in one process on SQLite, with a demo account and GraphiQL",
        description="Migrate a local SQLite file (DATABASE_URL, default ./trusthub-dev.db), "
        "create or refresh three accounts (demo customer, reviewer, sandbox customer), print "
        "each API key with its GraphiQL URL and the `trusthub accounts` commands for this "
        "database, and serve with GraphiQL, introspection and unmasked errors on.",
    )
    dev.add_argument("--host", default=None, help="bind address (default HOST or 127.0.0.1)")
    dev.add_argument("--port", type=int, default=None, help="port (default PORT or 8000)")

    serve = sub.add_parser(
        "serve",
        help="serve the GraphQL gateway (DATABASE_URL)",
        description="Serve /graphql, /healthz and /readyz with uvicorn over the database at "
        "DATABASE_URL. Run `trusthub migrate` first. GraphiQL and introspection follow "
        "GRAPHIQL / INTROSPECTION / DEV_MODE.",
    )
    serve.add_argument("--host", default=None, help="bind address (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")

    worker = sub.add_parser(
        "worker",
        help="run a queue worker (BROKER_URL, DATABASE_URL)",
        description="Run one worker role until SIGTERM/SIGINT; any number of each may run. "
        "Each also runs an outbox relay (relays share the work). Roles: reviewer (automated "
        "vetting of review requests), decisions (applies decisions and escalations, and "
        "stores dead letters; also inside `serve` unless RUN_CONSUMERS=false), notifier "
        "(status callbacks and email), relay (only the outbox relay).",
    )
    worker.add_argument("role", choices=["reviewer", "decisions", "notifier", "relay"])

    migrate = sub.add_parser(
        "migrate",
        help="apply database migrations (DATABASE_URL)",
        description="Move the database at DATABASE_URL to the given revision (default head): "
        "upgrade to a newer one, downgrade to an older one (base: no tables), and say which. "
        "An unknown revision exits with status 2.",
    )
    migrate.add_argument("revision", nargs="?", default="head", help="target revision")

    accounts = sub.add_parser(
        "accounts",
        help="create and list accounts (tenants), rotate and revoke their API keys",
        description="Create and list the accounts in the database at DATABASE_URL; rotate or "
        "revoke their API keys.",
    )
    acc = accounts.add_subparsers(dest="accounts_command", required=True, metavar="ACTION")
    create = acc.add_parser(
        "create",
        help="create an account and print its secrets (shown once)",
        description="Create an account in the database at DATABASE_URL. Prints the API key "
        "(Authorization: Bearer <key>), the auth token (keys X-Twilio-Signature) and the "
        "webhook secret (Standard Webhooks). They are shown once.",
    )
    create.add_argument("name", help="account name")
    create.add_argument(
        "--role", choices=["customer", "reviewer", "admin"], default="customer", help="role"
    )
    create.add_argument("--sandbox", action="store_true", help="a sandbox (test) account")
    create.add_argument(
        "--json",
        action="store_true",
        help='print {"sid", "api_key", "auth_token", "webhook_secret"} as JSON',
    )
    listing = acc.add_parser(
        "list",
        help="list accounts (no secrets)",
        description="List the accounts in the database at DATABASE_URL, without their secrets.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    _key_parsers(acc)

    prune = sub.add_parser(
        "prune",
        help="delete old outbox, inbox and delivery-log rows now (DATABASE_URL)",
        description="In the database at DATABASE_URL, delete sent outbox rows older than "
        "OUTBOX_RETENTION_HOURS, inbox rows "
        "older than INBOX_RETENTION_HOURS and delivery attempts older than "
        "DELIVERY_ATTEMPT_RETENTION_DAYS, PRUNE_BATCH_SIZE rows per transaction, and print how "
        "many went from each table. The decisions role does this every PRUNE_INTERVAL_SECONDS; "
        "this command is for a backlog or a check.",
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="only count the rows that would be deleted"
    )
    cli_purge.add_parser(sub)
    cli_webhooks.add_parser(sub)
    cli_dead_letters.add_parser(sub)
    cli_operations.add_parser(sub)

    sub.add_parser(
        "schema",
        help="print the GraphQL schema (SDL)",
        description="Print the gateway's GraphQL schema as SDL, types and fields in alphabetical "
        "order: what schema.graphql holds (`trusthub schema > schema.graphql`). Needs no "
        "database.",
    )
    return parser


def _key_parsers(acc: Any) -> None:
    after = (
        "Gateways refuse the old key within AUTH_CACHE_SECONDS, over HTTP and on open "
        "WebSockets (closed with 4403). Exits 2 if no account (or several) has that NAME."
    )
    rotate = acc.add_parser(
        "rotate-key",
        help="give an account a new API key and print it (shown once)",
        description="Replace the API key of the account NAME or SID in the database at "
        f"DATABASE_URL; print the new one. {after}",
    )
    rotate.add_argument("account", metavar="NAME|SID", help="account name or SID (AC…)")
    rotate.add_argument("--json", action="store_true", help='print {"sid", "api_key"} as JSON')
    revoke = acc.add_parser(
        "revoke-key",
        help="leave an account without a valid API key",
        description="Revoke the API key of the account NAME or SID in the database at "
        f"DATABASE_URL; `rotate-key` issues a new one. {after}",
    )
    revoke.add_argument("account", metavar="NAME|SID", help="account name or SID (AC…)")
    revoke.add_argument("--json", action="store_true", help='print {"sid", "revoked"} as JSON')
    close = acc.add_parser(
        "close",
        help="close an account: it no longer authenticates; its personal data is purged later",
        description="Close the account NAME or SID in the database at DATABASE_URL: its API "
        "key stops working (within AUTH_CACHE_SECONDS on gateways) and `trusthub purge` empties "
        "its profiles' personal data RETENTION_DAYS_CLOSED later. Closing again keeps the first "
        "date. Exits 2 if no account (or several) has that NAME.",
    )
    close.add_argument("account", metavar="NAME|SID", help="account name or SID (AC…)")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:  # a setting out of range: say which, without a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problem = settings.startup_problem() if args.command in ("serve", "worker") else None
    if problem is not None:  # refuse at once, rather than fail at first use
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from .logs import configure_logging

    configure_logging(settings)
    if args.command == "schema":
        from .gateway_schema import schema_sdl

        sys.stdout.write(schema_sdl(settings))
        return 0
    try:
        return _dispatch(args, settings)
    except (DBAPIError, OSError) as exc:  # an unmigrated or missing database: a one-line hint
        hint = database_hint(exc, settings)
        if hint is None:
            raise
        print(hint, file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        return _migrate(settings, args.revision)
    if args.command == "accounts":
        return asyncio.run(_accounts(args, settings))
    if args.command == "prune":
        return asyncio.run(_prune(settings, dry_run=args.dry_run))
    if args.command == "purge":
        return asyncio.run(cli_purge.run(args, settings))
    if args.command == "webhooks":
        return asyncio.run(cli_webhooks.run(args, settings))
    if args.command == "dead-letters":
        return asyncio.run(cli_dead_letters.run(args, settings))
    if args.command == "operations":
        return asyncio.run(cli_operations.run(args, settings))
    if args.command == "worker":
        return _run_fast(_worker(settings, args.role))
    if args.command == "serve":
        return _serve(settings, args.host, args.port, workers=args.workers)
    if args.command == "dev":
        from .cli_dev import dev

        return dev(args)
    return 2  # argparse rejects unknown commands before this


def _migrate(settings: Settings, revision: str) -> int:
    # Alembic announces its plugins at INFO on import; the migrations it runs stay in the log.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from .migrate import MigrationTargetError, migrate

    try:
        done = migrate(settings.database_url, revision)
    except MigrationTargetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(done.describe())
    return 0


async def _accounts(args: argparse.Namespace, settings: Settings) -> int:
    from .db import create_engine, create_session_factory
    from .domain.errors import DomainError
    from .services import accounts

    engine = create_engine(settings.database_url, settings)
    try:
        async with create_session_factory(engine)() as session:
            if args.accounts_command in ("rotate-key", "revoke-key", "close"):
                return await _key_command(args, session)
            if args.accounts_command == "list":
                rows = await accounts.list_accounts(session)
                data = [
                    {
                        "sid": a.sid,
                        "name": a.name,
                        "role": a.role.lower(),
                        "sandbox": a.sandbox,
                        "created_at": a.created_at.isoformat(),
                    }
                    for a in rows
                ]
                if args.json:
                    print(json.dumps(data, indent=2))
                else:
                    for a in data:
                        sandbox = " sandbox" if a["sandbox"] else ""
                        print(f"{a['sid']}  {a['role']:<8}{sandbox}  {a['name']}")
                return 0
            try:
                issued = await accounts.create_account(
                    session, args.name, Role(args.role.upper()), sandbox=args.sandbox
                )
            except DomainError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            await session.commit()
    finally:
        await engine.dispose()
    secrets = {
        "sid": issued.account.sid,
        "api_key": issued.api_key,
        "auth_token": issued.auth_token,
        "webhook_secret": issued.webhook_secret,
    }
    if args.json:
        print(json.dumps(secrets))
    else:
        for key, value in secrets.items():
            print(f"{key:<15} {value}")
        print("Keep these now: they are not shown again.", file=sys.stderr)
    return 0


async def _key_command(args: argparse.Namespace, session: AsyncSession) -> int:
    """rotate-key / revoke-key NAME|SID: one transaction; exit 2 when the account is unknown."""
    from .domain.errors import DomainError
    from .services import accounts

    try:
        account = await accounts.find_account(session, args.account)
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.accounts_command == "close":
        accounts.close_account(session, account)
        await session.commit()
        assert account.closed_at is not None
        print(f"Account {account.sid} ({account.name}) closed at {account.closed_at.isoformat()}.")
        return 0
    if args.accounts_command == "revoke-key":
        accounts.revoke_api_key(session, account)
        await session.commit()
        if args.json:
            print(json.dumps({"sid": account.sid, "revoked": True}))
        else:
            print(f"API key of {account.sid} ({account.name}) revoked.")
        return 0
    api_key = await accounts.rotate_api_key(session, account)
    await session.commit()
    if args.json:
        print(json.dumps({"sid": account.sid, "api_key": api_key}))
    else:
        print(f"{'sid':<15} {account.sid}\n{'api_key':<15} {api_key}")
        print("Keep it now: it is not shown again.", file=sys.stderr)
    return 0


async def _prune(settings: Settings, *, dry_run: bool) -> int:
    from .db import create_engine, create_session_factory
    from .pruner import count_prunable, prune

    engine = create_engine(settings.database_url, settings)
    try:
        sessions = create_session_factory(engine)
        if dry_run:
            counts = await count_prunable(sessions, settings.retention)
        else:
            counts = await prune(sessions, settings.retention)
    finally:
        await engine.dispose()
    verb = "would delete" if dry_run else "deleted"
    for table, count in counts.by_table().items():
        print(f"{table.value:<17} {verb} {count}")
    return 0


def _run_fast(main: Coroutine[Any, Any, int]) -> int:
    """Run a long-lived worker on uvloop when it is installed (as uvicorn does for `serve`):
    consumers spend their time in socket I/O, which uvloop does with less CPU."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover (uvicorn[standard] brings it on Linux and macOS)
        return asyncio.run(main)
    return uvloop.run(main)


async def _worker(settings: Settings, role: str) -> int:
    import signal

    from .db import create_engine, create_session_factory
    from .runtime import ProcessRole, Runtime

    engine = create_engine(settings.database_url, settings)
    runtime = Runtime(
        settings, create_session_factory(engine), frozenset({ProcessRole(role), ProcessRole.RELAY})
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await runtime.start()
    listener = None
    if settings.metrics_port is not None:
        from .metrics import Scrape
        from .metrics_listener import MetricsListener

        listener = MetricsListener(Scrape(engine), settings.host, settings.metrics_port)
        await listener.start()
    print(f"trusthub worker {role} running (namespace {settings.broker_namespace})", flush=True)
    beat = asyncio.create_task(_heartbeat(runtime, settings.heartbeat_file))
    try:
        await stop.wait()
    finally:
        beat.cancel()
        if listener is not None:
            await listener.stop()
        await runtime.stop()
        await engine.dispose()
    return 0


async def _heartbeat(runtime: Any, path: str | None, every: float = 5.0) -> None:
    from pathlib import Path

    if path is None:
        return
    while True:
        if runtime.broker.is_connected:
            await asyncio.to_thread(Path(path).touch)
        await asyncio.sleep(every)


def _serve(settings: Settings, host: str | None, port: int | None, *, workers: int = 1) -> int:
    import os

    import uvicorn

    from .logs import logging_config

    # uvicorn's workers import the app anew; they read the same environment.
    os.environ["DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "trusthub.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=logging_config(settings),
        **uvicorn_options(settings),
    )
    return 0


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `serve` and `dev` run uvicorn (the end-to-end tests' server too)."""
    return {
        # A WebSocket message is bounded as an HTTP body is (`body_limit`): uvicorn closes
        # the connection (1009) on a larger one instead of buffering its default 16 MiB.
        "ws_max_size": settings.max_body_bytes,
        # Subscription events are a few hundred bytes of JSON: compressing them saves little,
        # and each connection's zlib state costs memory and every message a deflate call.
        "ws_per_message_deflate": False,
    }


if __name__ == "__main__":
    sys.exit(main())
