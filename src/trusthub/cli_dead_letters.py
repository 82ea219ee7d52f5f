"""`trusthub dead-letters list|replay`: what the dead-letter collector stored, and sending it
back. Kept beside cli.py so that the command file stays small."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .config import Settings
from .models import DeadLetter

TABLE_ERROR_WIDTH = 80


def add_parser(sub: Any) -> None:
    """Add `dead-letters` and its actions to the `trusthub` command's subparsers."""
    parser = sub.add_parser(
        "dead-letters",
        help="list and replay dead letters",
        description="List the messages that were dead-lettered (stored by the decision "
        "consumer's collector in the database at DATABASE_URL) and replay them.",
    )
    actions = parser.add_subparsers(dest="dead_letters_command", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list",
        help="list dead letters",
        description="List the dead letters in the database at DATABASE_URL: id, queue, message "
        "type, subject, first error, deliveries, when it died and when it was replayed.",
    )
    listing.add_argument("--queue", metavar="Q", help="only those that died in queue Q")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    replay = actions.add_parser(
        "replay",
        help="send dead letters back to the queue they died in",
        description="Send dead letters back, through the outbox of the database at "
        "DATABASE_URL, to the queue each died in (of BROKER_NAMESPACE), with its own message "
        "id (consumers apply it at most once). A running relay publishes them. Unknown or "
        "already replayed IDs refuse the whole command (exit 2) and change nothing.",
    )
    replay.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead letter ids")
    replay.add_argument(
        "--all",
        action="store_true",
        help="every dead letter not replayed yet (those this version cannot read are skipped)",
    )
    replay.add_argument("--queue", metavar="Q", help="with --all: only those of queue Q")
    replay.add_argument("--force", action="store_true", help="replay IDs replayed already")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from .db import create_engine, create_session_factory
    from .domain.errors import DomainError, ErrorCode
    from .runtime import topology_for
    from .services import dead_letters

    if args.dead_letters_command == "replay" and (problem := _replay_usage(args)) is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    engine = create_engine(settings.database_url, settings)
    try:
        async with create_session_factory(engine)() as session:
            if args.dead_letters_command == "list":
                _print_list(await dead_letters.list_dead_letters(session, args.queue), args.json)
                return 0
            queues = topology_for(settings).dead_lettering_queues()
            try:
                if args.all:
                    done = await dead_letters.replay_all(session, args.queue, queues=queues)
                else:
                    done = await dead_letters.replay(
                        session, args.ids, queues=queues, force=args.force
                    )
            except DomainError as exc:
                for error in exc.errors:
                    hint = " (--force replays it again)" if error.code == ErrorCode.CONFLICT else ""
                    print(f"error: {error.message}{hint}", file=sys.stderr)
                print("nothing was replayed", file=sys.stderr)
                return 2
            await session.commit()
    finally:
        await engine.dispose()
    for letter in done.replayed:
        print(f"replayed {letter.id}: {_what(letter)} to {letter.queue}")
    for letter, why in done.skipped:
        print(f"skipped {letter.id}: {why}")
    if not done.replayed and not done.skipped:
        print("nothing to replay")
    return 0


def _replay_usage(args: argparse.Namespace) -> str | None:
    if args.all and args.ids:
        return "give dead letter IDs or --all, not both"
    if not args.all and not args.ids:
        return "give the IDs of the dead letters to replay, or --all"
    if args.queue is not None and not args.all:
        return "--queue goes with --all"
    if args.force and args.all:
        return "--force goes with IDs (--all replays only what was not replayed yet)"
    return None


def _what(letter: DeadLetter) -> str:
    subject = f" {letter.subject_sid}" if letter.subject_sid else ""
    return f"{letter.message_type}{subject} (message {letter.message_id})"


def as_json(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "queue": letter.queue,
        "reason": letter.reason,
        "exchange": letter.exchange,
        "routing_key": letter.routing_key,
        "message_id": letter.message_id,
        "type": letter.message_type,
        "subject": letter.subject_sid,
        "first_error": letter.first_error,
        "deliveries": letter.deliveries,
        "dead_at": letter.dead_at.isoformat(),
        "replayed_at": letter.replayed_at.isoformat() if letter.replayed_at else None,
        "replays": letter.replays,
    }


def _print_list(letters: Sequence[DeadLetter], as_json_array: bool) -> None:
    if as_json_array:
        print(json.dumps([as_json(letter) for letter in letters], indent=2))
        return
    if not letters:
        print("no dead letters", file=sys.stderr)
        return
    header = ("ID", "QUEUE", "TYPE", "SUBJECT", "DELIVERIES", "DEAD AT", "REPLAYED AT")
    rows = [
        (
            str(letter.id),
            letter.queue,
            letter.message_type,
            letter.subject_sid or "-",
            str(letter.deliveries),
            letter.dead_at.isoformat(timespec="seconds"),
            letter.replayed_at.isoformat(timespec="seconds") if letter.replayed_at else "-",
            _one_line(letter.first_error or "-"),
        )
        for letter in letters
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [(*header, "FIRST ERROR"), *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TABLE_ERROR_WIDTH else line[: TABLE_ERROR_WIDTH - 1] + "…"
