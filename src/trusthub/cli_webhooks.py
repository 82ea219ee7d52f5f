"""`trusthub webhooks replay`: schedule a new series of attempts of given-up status callbacks,
through the outbox (any running relay publishes them; the notifier delivers them)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .config import Settings


def add_parser(sub: Any) -> None:
    webhooks = sub.add_parser(
        "webhooks",
        help="replay status callbacks that were given up",
        description="Status callbacks in the database at DATABASE_URL.",
    )
    actions = webhooks.add_subparsers(dest="webhooks_command", required=True, metavar="ACTION")
    replay = actions.add_parser(
        "replay",
        help="schedule given-up callbacks again",
        description="Schedule a new series of attempts (up to WEBHOOK_MAX_ATTEMPTS, to each "
        "subject's current statusCallback) of the given events' status callbacks, or of every "
        "given-up one with --given-up, in the database at DATABASE_URL. Only callbacks that "
        "were given up are replayed; a running relay and notifier deliver them.",
    )
    replay.add_argument("event_ids", nargs="*", metavar="EVENT_ID", help="events to replay")
    replay.add_argument(
        "--given-up", action="store_true", help="every status callback that was given up"
    )
    replay.add_argument("--account", metavar="SID", help="only this account's callbacks")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from .db import create_engine, create_session_factory
    from .domain.errors import DomainError
    from .services import redelivery

    if bool(args.event_ids) == bool(args.given_up):
        print("error: give EVENT_IDs or --given-up (not both)", file=sys.stderr)
        return 2
    engine = create_engine(settings.database_url, settings)
    failed = 0
    try:
        sessions = create_session_factory(engine)
        async with sessions() as session:
            events = list(args.event_ids) or await redelivery.given_up_events(session, args.account)
        for event_id in events:
            async with sessions() as session:
                try:
                    retry = await redelivery.redeliver(
                        session,
                        event_id,
                        account_sid=args.account,
                        delay_ms=min(settings.webhook_retry_delays_ms),
                    )
                except DomainError as exc:
                    failed += 1
                    print(f"{event_id}: not replayed: {exc}", file=sys.stderr)
                    continue
                await session.commit()
            print(f"{event_id}: scheduled (attempt {retry.attempt})")
    finally:
        await engine.dispose()
    if not events:
        print("no given-up status callbacks", file=sys.stderr)
    return 1 if failed else 0
