"""`trusthub purge [--dry-run]`: purge the personal data whose retention is over, now."""

from __future__ import annotations

import argparse
from typing import Any

from .config import Settings


def add_parser(sub: Any) -> None:
    purge = sub.add_parser(
        "purge",
        help="purge personal data past its retention now (DATABASE_URL)",
        description='In the database at DATABASE_URL, replace with "[purged]" the personal '
        "data (names, emails, phone numbers, registration numbers) of profiles rejected and "
        "not resubmitted, or deleted, more than RETENTION_DAYS_REJECTED ago, and of profiles "
        "of accounts closed more than RETENTION_DAYS_CLOSED ago; history, reviews, "
        "evaluations, the delivery log, dead letters, outbox messages and stored responses "
        "lose the messages and addresses that may quote it; supporting documents lose their "
        "attributes, file names and files. PRUNE_BATCH_SIZE profiles per "
        "transaction: safe to interrupt and run again. Prints rows changed per table. The "
        "decisions role does this every PURGE_INTERVAL_HOURS.",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="only count what would change (recorded too)"
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from .blobs import open_blob_store
    from .db import create_engine, create_session_factory
    from .services.purge import purge

    engine = create_engine(settings.database_url, settings)
    try:
        run_id, counts = await purge(
            create_session_factory(engine),
            settings.personal_data_retention,
            trigger="cli",
            blobs=open_blob_store(settings),
            dry_run=args.dry_run,
        )
    finally:
        await engine.dispose()
    verb = "would purge" if args.dry_run else "purged"
    for table, count in counts.items():
        print(f"{table:<26} {verb} {count}")
    print(f"purge run {run_id}{' (dry run)' if args.dry_run else ''}")
    return 0
