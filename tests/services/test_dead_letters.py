"""Dead letters on SQLite and PostgreSQL: a letter stored with what its headers and the noted
first error say, once; replays written to the outbox, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.errors import DomainError, ErrorCode
from trusthub.messaging.messages import DecisionMade, StatusChanged, WebhookRetry, encode
from trusthub.models import ConsumerFailure, DeadLetter, OutboxMessage
from trusthub.models.base import utcnow
from trusthub.services import dead_letters, outbox
from trusthub.services.dead_letters import Arrived

DECISIONS = "th.decisions"
WEBHOOKS = "th.webhooks"
QUEUES = frozenset({DECISIONS, WEBHOOKS, "th.emails"})  # the deployment's (namespace "th")
SUBJECT = "BU" + "1" * 32
UNDECODABLE = b'{"type": "decision.made", "outcome": "MAYBE"'
LIMIT = 5


def decision(n: int = 1) -> DecisionMade:
    return DecisionMade(
        review_sid=f"RV{n:032x}",
        subject_sid=SUBJECT,
        outcome="APPROVED",
        decided_by="reviewer:test",
    )


def died(
    queue: str = DECISIONS,
    reason: str = "delivery_limit",
    *,
    exchange: str = "th.decisions",
    key: str = "decision.made",
    when: datetime | None = None,
) -> dict[str, Any]:
    """Headers as RabbitMQ writes them on a message it dead-letters."""
    at = when or utcnow().replace(microsecond=0)
    entry = {
        "count": 1,
        "reason": reason,
        "queue": queue,
        "time": at,
        "exchange": exchange,
        "routing-keys": [key],
    }
    return {"x-death": [entry], "x-first-death-queue": queue, "x-first-death-reason": reason}


async def note(sessions: SessionFactory, queue: str, message_id: str, error: str, n: int) -> None:
    async with sessions() as s:
        await dead_letters.note_failure(s, queue, message_id, error, n)
        await s.commit()


async def collect(
    sessions: SessionFactory, body: bytes, message_id: str | None, **death: Any
) -> int:
    async with sessions() as s:
        letter = await dead_letters.collect(
            s, Arrived(body, message_id, died(**death)), delivery_limit=LIMIT
        )
        await s.commit()
    assert letter is not None
    assert letter.id is not None
    return letter.id


async def letters(sessions: SessionFactory) -> list[DeadLetter]:
    async with sessions() as s:
        return list(await dead_letters.list_dead_letters(s))


async def outbox_rows(sessions: SessionFactory) -> list[OutboxMessage]:
    async with sessions() as s:
        return list((await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


# -- collecting -------------------------------------------------------------------------------


async def test_a_dead_letter_is_stored_with_its_first_error_and_deliveries(
    sessions: SessionFactory,
) -> None:
    # given a decision whose handling failed twice (two errors noted)
    message = decision()
    await note(sessions, DECISIONS, message.message_id, "RuntimeError: rules table missing", 0)
    await note(sessions, DECISIONS, message.message_id, "RuntimeError: something else", 1)
    when = datetime(2026, 12, 4, 17, 5, 8, tzinfo=UTC)

    # when it arrives in the dead-letter queue after the delivery limit
    await collect(sessions, encode(message), message.message_id, when=when)

    # then it is stored with where and why it died, what it is, and the first error
    [letter] = await letters(sessions)
    assert (letter.queue, letter.reason, letter.exchange, letter.routing_key) == (
        DECISIONS,
        "delivery_limit",
        "th.decisions",
        "decision.made",
    )
    assert (letter.message_id, letter.message_type, letter.subject_sid) == (
        message.message_id,
        "decision.made",
        SUBJECT,
    )
    assert letter.first_error == "RuntimeError: rules table missing"
    assert (letter.deliveries, letter.dead_at, letter.replayed_at) == (LIMIT + 1, when, None)
    assert letter.body == encode(message)
    # and the noted error, now kept by the letter, is gone
    async with sessions() as s:
        assert (await s.exec(select(ConsumerFailure))).all() == []


async def test_an_error_noted_for_another_queue_is_not_taken(sessions: SessionFactory) -> None:
    # given one status event that failed in the emails queue and died in the webhooks queue
    event = StatusChanged(
        subject_sid=SUBJECT,
        subject_type="CUSTOMER_PROFILE",
        account_sid="AC" + "2" * 32,
        previous_status="IN_REVIEW",
        status="APPROVED",
    )
    await note(sessions, "th.emails", event.message_id, "SMTPError: refused", 0)

    # when its webhooks dead letter arrives
    await collect(
        sessions, encode(event), event.message_id, queue=WEBHOOKS, exchange="th.events", key="k"
    )

    # then the letter has no first error, and the emails queue's note stays
    [letter] = await letters(sessions)
    assert (letter.queue, letter.first_error, letter.message_type) == (
        WEBHOOKS,
        None,
        "status.changed",
    )
    async with sessions() as s:
        [kept] = (await s.exec(select(ConsumerFailure))).all()
    assert kept.queue == "th.emails"


async def test_an_undecodable_letter_is_stored_as_such(sessions: SessionFactory) -> None:
    # given a body that was rejected as undecodable on its first delivery
    await note(sessions, DECISIONS, "poison-1", "undecodable: body: Invalid JSON", 0)

    # when it arrives in the dead-letter queue
    await collect(sessions, UNDECODABLE, "poison-1", reason="rejected")

    # then it is stored with its bytes, as undecodable, delivered once
    [letter] = await letters(sessions)
    assert (letter.message_type, letter.subject_sid, letter.body) == (
        "undecodable",
        None,
        UNDECODABLE,
    )
    assert (letter.reason, letter.deliveries) == ("rejected", 1)
    assert letter.first_error == "undecodable: body: Invalid JSON"


async def test_a_webhook_retry_letter_names_the_event_subject(sessions: SessionFactory) -> None:
    event = StatusChanged(
        subject_sid=SUBJECT,
        subject_type="CUSTOMER_PROFILE",
        account_sid="AC" + "2" * 32,
        previous_status=None,
        status="APPROVED",
    )
    retry = WebhookRetry(event=event, attempt=2, delay_ms=300)
    await collect(sessions, encode(retry), retry.message_id, queue=WEBHOOKS)
    [letter] = await letters(sessions)
    assert (letter.message_type, letter.subject_sid) == ("webhook.retry", SUBJECT)


async def test_a_letter_delivered_again_is_stored_once_and_one_that_dies_again_anew(
    sessions: SessionFactory,
) -> None:
    # given a stored dead letter
    message = decision()
    when = utcnow().replace(microsecond=0)
    await collect(sessions, encode(message), message.message_id, when=when)

    # when the same letter arrives again (the collector's ack was lost)
    async with sessions() as s:
        again = await dead_letters.collect(
            s, Arrived(encode(message), message.message_id, died(when=when)), delivery_limit=LIMIT
        )
        await s.commit()

    # then nothing more is stored
    assert again is None
    assert len(await letters(sessions)) == 1

    # when it is replayed and dies again, even within the same second
    async with sessions() as s:
        [letter] = await dead_letters.list_dead_letters(s)
        await dead_letters.replay(s, [letter.id or 0], queues=QUEUES)
        await s.commit()
    await collect(sessions, encode(message), message.message_id, when=when)

    # then that is a second letter
    assert [x.replayed_at is None for x in await letters(sessions)] == [False, True]


async def test_a_letter_without_a_message_id_gets_one_from_its_body(
    sessions: SessionFactory,
) -> None:
    # given a message published without an id, dead-lettered
    when = utcnow().replace(microsecond=0)
    await collect(sessions, b"garbage", None, when=when)

    # when it arrives again
    async with sessions() as s:
        again = await dead_letters.collect(
            s, Arrived(b"garbage", None, died(when=when)), delivery_limit=LIMIT
        )

    # then it was given an id from its body, which recognised the second arrival
    [letter] = await letters(sessions)
    assert len(letter.message_id) == 32
    assert again is None


# -- replaying --------------------------------------------------------------------------------


async def test_replay_sends_the_original_outbox_row_again_to_the_queue_it_died_in(
    sessions: SessionFactory,
) -> None:
    # given a decision published from the outbox (sent), which then died
    message = decision()
    async with sessions() as s:
        row = outbox.enqueue(s, message)
        row.sent_at = utcnow() - timedelta(minutes=5)
        await s.commit()
    letter_id = await collect(sessions, encode(message), message.message_id)

    # when it is replayed
    async with sessions() as s:
        done = await dead_letters.replay(s, [letter_id], queues=QUEUES)
        await s.commit()

    # then its outbox row is unsent again, addressed to the queue it died in, same id and body
    assert [letter.id for letter in done.replayed] == [letter_id]
    [row] = await outbox_rows(sessions)
    assert (row.message_id, row.sent_at, row.exchange, row.routing_key) == (
        message.message_id,
        None,
        "",
        DECISIONS,
    )
    assert DecisionMade.model_validate(row.payload) == message
    assert row.message_type == "decision.made"
    # and the letter says it was replayed
    [letter] = await letters(sessions)
    assert letter.replayed_at is not None
    assert letter.replays == 1


async def test_replay_of_a_message_from_elsewhere_adds_an_outbox_row(
    sessions: SessionFactory,
) -> None:
    message = decision()
    letter_id = await collect(sessions, encode(message), message.message_id)
    async with sessions() as s:
        await dead_letters.replay(s, [letter_id], queues=QUEUES)
        await s.commit()
    [row] = await outbox_rows(sessions)
    assert (row.message_id, row.routing_key, row.sent_at) == (message.message_id, DECISIONS, None)


async def test_replay_with_an_unknown_id_changes_nothing(sessions: SessionFactory) -> None:
    # given one dead letter
    message = decision()
    letter_id = await collect(sessions, encode(message), message.message_id)

    # when it is replayed together with ids that do not exist
    async with sessions() as s:
        with pytest.raises(DomainError) as caught:
            await dead_letters.replay(s, [letter_id, 9998, 9999], queues=QUEUES)

    # then the error names the unknown ids, and nothing was replayed
    [error] = caught.value.errors
    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, ("id",))
    assert error.message == "No dead letter with id 9998, 9999."
    assert await outbox_rows(sessions) == []
    assert [letter.replayed_at for letter in await letters(sessions)] == [None]


async def test_a_replayed_letter_is_replayed_again_only_when_forced(
    sessions: SessionFactory,
) -> None:
    # given a letter replayed once and a fresh one
    first, second = decision(1), decision(2)
    first_id = await collect(sessions, encode(first), first.message_id)
    second_id = await collect(sessions, encode(second), second.message_id)
    async with sessions() as s:
        await dead_letters.replay(s, [first_id], queues=QUEUES)
        await s.commit()
    async with sessions() as s:  # the relay sent it
        [row] = (await s.exec(select(OutboxMessage))).all()
        row.sent_at = utcnow()
        await s.commit()

    # when both are replayed without force
    async with sessions() as s:
        with pytest.raises(DomainError) as caught:
            await dead_letters.replay(s, [second_id, first_id], queues=QUEUES)

    # then it refuses, naming the replayed one, and replays neither
    [error] = caught.value.errors
    assert error.code == ErrorCode.CONFLICT
    assert f"Dead letter {first_id} was replayed already" in error.message
    assert [r.message_id for r in await outbox_rows(sessions) if r.sent_at is None] == []

    # when they are replayed with force
    async with sessions() as s:
        await dead_letters.replay(s, [second_id, first_id], queues=QUEUES, force=True)
        await s.commit()

    # then both go out (the first one's row again), and the first counts two replays
    rows = await outbox_rows(sessions)
    assert sorted(r.message_id for r in rows if r.sent_at is None) == sorted(
        [first.message_id, second.message_id]
    )
    assert {x.id: x.replays for x in await letters(sessions)} == {first_id: 2, second_id: 1}


async def test_an_undecodable_letter_is_not_replayed(sessions: SessionFactory) -> None:
    letter_id = await collect(sessions, UNDECODABLE, "poison-1", reason="rejected")
    async with sessions() as s:
        with pytest.raises(DomainError) as caught:
            await dead_letters.replay(s, [letter_id], queues=QUEUES, force=True)
    [error] = caught.value.errors
    assert error.code == ErrorCode.INVALID_VALUE
    assert "would be dead-lettered again" in error.message
    assert await outbox_rows(sessions) == []


async def test_a_letter_of_another_deployments_queue_is_not_replayed(
    sessions: SessionFactory,
) -> None:
    # given a letter that died in a queue of another namespace (a database shared by two)
    message = decision()
    letter_id = await collect(sessions, encode(message), message.message_id, queue="x.decisions")

    # when it is replayed
    async with sessions() as s:
        with pytest.raises(DomainError) as caught:
            await dead_letters.replay(s, [letter_id], queues=QUEUES)

    # then it is refused (the default exchange would drop it), naming the queues it could go to
    [error] = caught.value.errors
    assert error.code == ErrorCode.INVALID_VALUE
    assert error.message == (
        f"Dead letter {letter_id} died in 'x.decisions', not a queue of this deployment "
        "(th.decisions, th.emails, th.webhooks)."
    )
    assert await outbox_rows(sessions) == []


async def test_replay_all_takes_what_was_not_replayed_and_can_be(
    sessions: SessionFactory,
) -> None:
    # given, in the decisions queue, a replayed letter, a fresh one and an undecodable one,
    # and a fresh one in the webhooks queue
    replayed, fresh, elsewhere = decision(1), decision(2), decision(3)
    replayed_id = await collect(sessions, encode(replayed), replayed.message_id)
    async with sessions() as s:
        await dead_letters.replay(s, [replayed_id], queues=QUEUES)
        await s.commit()
    fresh_id = await collect(sessions, encode(fresh), fresh.message_id)
    poison_id = await collect(sessions, UNDECODABLE, "poison-1", reason="rejected")
    await collect(sessions, encode(elsewhere), elsewhere.message_id, queue=WEBHOOKS)

    # when every letter of the decisions queue is replayed
    async with sessions() as s:
        done = await dead_letters.replay_all(s, DECISIONS, queues=QUEUES)
        await s.commit()

    # then only the fresh one went, and the undecodable one was skipped with a reason
    assert [x.id for x in done.replayed] == [fresh_id]
    assert [(x.id, "dead-lettered again" in why) for x, why in done.skipped] == [(poison_id, True)]
    assert sorted(r.message_id for r in await outbox_rows(sessions)) == sorted(
        [replayed.message_id, fresh.message_id]
    )
