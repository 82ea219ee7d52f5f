"""`trusthub dead-letters list|replay`, run as an operator runs it: a real process with
DATABASE_URL set, over letters the collector stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.messaging.messages import DecisionMade, encode
from trusthub.models import DeadLetter, OutboxMessage
from trusthub.services import dead_letters
from trusthub.services.dead_letters import Arrived

from .test_cli import trusthub

# The queues of the default namespace (`trusthub`), which the command replays into.
DECISIONS, WEBHOOKS = "trusthub.decisions", "trusthub.webhooks"
WHEN = datetime(2026, 12, 4, 17, 5, 8, tzinfo=UTC)
UNDECODABLE = b'{"type": "decision.made", "outcome": "MAYBE"'


def decision(n: int) -> DecisionMade:
    return DecisionMade(
        review_sid=f"RV{n:032x}",
        subject_sid=f"BU{n:032x}",
        outcome="REJECTED",
        decided_by="reviewer:test",
    )


async def store(
    sessions: SessionFactory,
    body: bytes,
    message_id: str,
    queue: str = DECISIONS,
    error: str | None = None,
) -> int:
    """A dead letter as the collector stores it (with the error the consumer noted)."""
    headers = {
        "x-death": [
            {
                "count": 1,
                "reason": "delivery_limit",
                "queue": queue,
                "time": WHEN,
                "exchange": "trusthub.decisions",
                "routing-keys": ["decision.made"],
            }
        ]
    }
    async with sessions() as s:
        if error is not None:
            await dead_letters.note_failure(s, queue, message_id, error, 0)
        letter = await dead_letters.collect(s, Arrived(body, message_id, headers), delivery_limit=5)
        await s.commit()
    assert letter is not None
    assert letter.id is not None
    return letter.id


async def state(sessions: SessionFactory) -> tuple[list[tuple[int | None, int]], list[str]]:
    """(letter id, replays) of every letter, and the message ids in the outbox."""
    async with sessions() as s:
        letters = (await s.exec(select(DeadLetter).order_by(col(DeadLetter.id)))).all()
        rows = (await s.exec(select(OutboxMessage.message_id))).all()
    return [(x.id, x.replays) for x in letters], sorted(rows)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("command", "words"),
    [
        pytest.param(("dead-letters",), ("list", "replay", "DATABASE_URL"), id="dead-letters"),
        pytest.param(
            ("dead-letters", "list"),
            ("--queue", "--json", "first error", "DATABASE_URL"),
            id="list",
        ),
        pytest.param(
            ("dead-letters", "replay"),
            ("ID", "--all", "--queue", "--force", "DATABASE_URL"),
            id="replay",
        ),
    ],
)
async def test_help_documents_the_commands(
    command: tuple[str, ...], words: tuple[str, ...], workdir: Path
) -> None:
    result = await trusthub(*command, "--help", cwd=workdir)
    assert result.code == 0, result.stderr
    assert [w for w in words if w not in result.stdout] == [], result.stdout


async def test_list_shows_each_letter_as_a_table_and_as_json(
    sessions: SessionFactory, database_url: str, workdir: Path
) -> None:
    # given a decision that failed in the decisions queue and an undecodable body elsewhere
    message = decision(1)
    first = await store(
        sessions, encode(message), message.message_id, error="RuntimeError: rules missing"
    )
    second = await store(sessions, UNDECODABLE, "poison-1", queue=WEBHOOKS)

    # when the operator lists them, as a table, as JSON, and one queue's
    table = await trusthub("dead-letters", "list", cwd=workdir, database_url=database_url)
    as_json = await trusthub(
        "dead-letters", "list", "--json", cwd=workdir, database_url=database_url
    )
    listing = ("dead-letters", "list", "--queue", WEBHOOKS, "--json")
    one_queue = await trusthub(*listing, cwd=workdir, database_url=database_url)

    # then the JSON has every documented field of each
    assert (table.code, as_json.code, one_queue.code) == (0, 0, 0), table.stderr
    listed = json.loads(as_json.stdout)
    assert listed[0] == {
        "id": first,
        "queue": DECISIONS,
        "reason": "delivery_limit",
        "exchange": "trusthub.decisions",
        "routing_key": "decision.made",
        "message_id": message.message_id,
        "type": "decision.made",
        "subject": message.subject_sid,
        "first_error": "RuntimeError: rules missing",
        "deliveries": 6,
        "dead_at": WHEN.isoformat(),
        "replayed_at": None,
        "replays": 0,
    }
    assert (listed[1]["id"], listed[1]["type"], listed[1]["first_error"]) == (
        second,
        "undecodable",
        None,
    )
    assert [x["id"] for x in json.loads(one_queue.stdout)] == [second]
    # and the table has a header and one line per letter, with the same facts
    header, *lines = table.stdout.splitlines()
    assert header.split()[:4] == ["ID", "QUEUE", "TYPE", "SUBJECT"]
    assert "FIRST ERROR" in header
    assert len(lines) == 2
    assert lines[0].split()[:5] == [
        str(first),
        DECISIONS,
        "decision.made",
        message.subject_sid,
        "6",
    ]
    assert lines[0].endswith("RuntimeError: rules missing")
    assert lines[1].split()[:4] == [str(second), WEBHOOKS, "undecodable", "-"]


async def test_an_empty_list(database_url: str, workdir: Path) -> None:
    table = await trusthub("dead-letters", "list", cwd=workdir, database_url=database_url)
    as_json = await trusthub(
        "dead-letters", "list", "--json", cwd=workdir, database_url=database_url
    )
    assert (table.code, table.stdout, as_json.code) == (0, "", 0)
    assert "no dead letters" in table.stderr
    assert json.loads(as_json.stdout) == []


async def test_replay_with_an_unknown_id_fails_and_changes_nothing(
    sessions: SessionFactory, database_url: str, workdir: Path
) -> None:
    # given one dead letter
    message = decision(1)
    known = await store(sessions, encode(message), message.message_id)
    before = await state(sessions)

    # when the operator replays it together with an id that does not exist
    result = await trusthub(
        "dead-letters", "replay", str(known), "424242", cwd=workdir, database_url=database_url
    )

    # then the command fails naming the unknown id, and nothing was replayed
    assert result.code == 2
    assert "No dead letter with id 424242." in result.stderr
    assert "nothing was replayed" in result.stderr
    assert result.stdout == ""
    assert await state(sessions) == before == ([(known, 0)], [])


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("1", "--all"), "give dead letter IDs or --all, not both", id="ids-and-all"),
        pytest.param((), "give the IDs of the dead letters to replay, or --all", id="nothing"),
        pytest.param(("1", "--queue", DECISIONS), "--queue goes with --all", id="queue-and-ids"),
        pytest.param(("--all", "--force"), "--force goes with IDs", id="all-and-force"),
        pytest.param(("one",), "argument ID: invalid int value: 'one'", id="not-a-number"),
    ],
)
async def test_replay_refuses_bad_arguments(
    args: tuple[str, ...], message: str, database_url: str, workdir: Path
) -> None:
    result = await trusthub("dead-letters", "replay", *args, cwd=workdir, database_url=database_url)
    assert result.code == 2
    assert message in result.stderr


async def test_replay_all_of_a_queue_says_what_it_did(
    sessions: SessionFactory, database_url: str, workdir: Path
) -> None:
    # given two letters of the decisions queue (one undecodable) and one of the webhooks queue
    mine, theirs = decision(1), decision(2)
    replayable = await store(sessions, encode(mine), mine.message_id)
    poison = await store(sessions, UNDECODABLE, "poison-1")
    other = await store(sessions, encode(theirs), theirs.message_id, queue=WEBHOOKS)

    # when the operator replays every letter of the decisions queue, twice
    replay_all = ("dead-letters", "replay", "--all", "--queue", DECISIONS)
    first = await trusthub(*replay_all, cwd=workdir, database_url=database_url)
    second = await trusthub(*replay_all, cwd=workdir, database_url=database_url)

    # then the first replays the readable one, says why the other was skipped
    assert first.code == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"replayed {replayable}: decision.made {mine.subject_sid} (message {mine.message_id}) "
        f"to {DECISIONS}",
        f"skipped {poison}: Dead letter {poison} is not a message this version can read: "
        "replayed, it would be dead-lettered again.",
    ]
    # and the second has nothing new to replay
    assert second.code == 0, second.stderr
    assert second.stdout.splitlines()[0].startswith(f"skipped {poison}:")
    assert len(second.stdout.splitlines()) == 1
    # and the webhooks queue's letter was left alone
    assert await state(sessions) == ([(replayable, 1), (poison, 0), (other, 0)], [mine.message_id])
