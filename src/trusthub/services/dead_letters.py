"""Dead letters: the first error a consumer met (noted while the message is still being retried),
the letter itself once it reached `<ns>.dead`, the operator's list, and replays.

A replay goes through the outbox, with the message's own id, to the queue the message died in
(the default exchange routes by queue name): only that queue's consumer gets it again — a
status event replayed through its topic exchange would reach every subscriber and notifier
anew — and that consumer's inbox applies it at most once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.dead_letters import (
    UNDECODABLE,
    UNKNOWN,
    Death,
    clip,
    deliveries,
    last_death,
)
from ..domain.errors import DomainError, ErrorCode, FieldError
from ..messaging.messages import Message, WebhookRetry, decode
from ..messaging.topology import DEFAULT_EXCHANGE
from ..models import ConsumerFailure, DeadLetter, OutboxMessage
from ..models.base import utcnow

MESSAGE_ID_MAX = 128
NAME_MAX = 255
OUTBOX_MESSAGE_ID_MAX = 32


# -- recording ------------------------------------------------------------------------------


async def note_failure(
    session: AsyncSession, queue: str, message_id: str, error: str, delivery_count: int
) -> None:
    """Keep the first error of a message in a queue; later ones change nothing (one statement,
    no read first: a consumer calls this on its failure path)."""
    values = {
        "queue": clip(queue, NAME_MAX),
        "message_id": clip(message_id, MESSAGE_ID_MAX),
        "error": error,
        "delivery_count": delivery_count,
        "failed_at": utcnow(),
    }
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ConsumerFailure)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["queue", "message_id"])
    )
    await session.exec(statement)


@dataclass(frozen=True)
class Arrived:
    """A message as the collector took it off the dead-letter queue."""

    body: bytes
    message_id: str | None
    headers: Mapping[str, Any]


async def collect(
    session: AsyncSession, arrived: Arrived, *, delivery_limit: int
) -> DeadLetter | None:
    """Store a dead letter with what is known about it; None when it is stored already (the
    collector's ack was lost and the letter came again). A letter that was replayed and died
    again is a new one."""
    death = last_death(arrived.headers) or Death(UNKNOWN, UNKNOWN, "", "", None)
    message_id = clip(arrived.message_id or _body_id(arrived.body), MESSAGE_ID_MAX)
    queue = clip(death.queue, NAME_MAX)
    dead_at = death.dead_at or utcnow()
    stored = await session.exec(
        select(DeadLetter.id).where(
            DeadLetter.message_id == message_id,
            DeadLetter.queue == queue,
            DeadLetter.dead_at == dead_at,
            col(DeadLetter.replayed_at).is_(None),
        )
    )
    if stored.first() is not None:
        return None
    failure = await session.get(ConsumerFailure, (queue, message_id))
    if failure is not None:
        await session.delete(failure)  # its work is done: the letter keeps the error
    message = decoded(arrived.body)
    letter = DeadLetter(
        queue=queue,
        reason=clip(death.reason, 32),
        exchange=clip(death.exchange, NAME_MAX),
        routing_key=clip(death.routing_key, NAME_MAX),
        message_id=message_id,
        message_type=type_of(message),
        subject_sid=subject_of(message),
        body=arrived.body,
        deliveries=deliveries(
            death.reason, delivery_limit, failure.delivery_count if failure else None
        ),
        first_error=failure.error if failure else None,
        dead_at=dead_at,
    )
    session.add(letter)
    return letter


def _body_id(body: bytes) -> str:
    """An id for a message published without one: the same body gets the same id, so that its
    redelivery is still recognised."""
    return hashlib.sha256(body).hexdigest()[:32]


def decoded(body: bytes) -> Message | None:
    """The message in a body, or None when today's code cannot read it."""
    try:
        return decode(body)
    except ValueError:  # pydantic's ValidationError is one
        return None


def type_of(message: Message | None) -> str:
    return clip(str(getattr(message, "type", UNKNOWN)), 64) if message else UNDECODABLE


def subject_of(message: Message | None) -> str | None:
    if isinstance(message, WebhookRetry):
        return message.event.subject_sid
    subject = getattr(message, "subject_sid", None)
    return clip(str(subject), 34) if subject else None


# -- reading and replaying ------------------------------------------------------------------


async def list_dead_letters(
    session: AsyncSession, queue: str | None = None
) -> Sequence[DeadLetter]:
    query = select(DeadLetter).order_by(col(DeadLetter.id))
    if queue is not None:
        query = query.where(DeadLetter.queue == queue)
    return (await session.exec(query)).all()


@dataclass
class Replayed:
    replayed: list[DeadLetter] = field(default_factory=list)
    skipped: list[tuple[DeadLetter, str]] = field(default_factory=list)  # (letter, why)


async def replay(
    session: AsyncSession, ids: Sequence[int], *, queues: Collection[str], force: bool = False
) -> Replayed:
    """Replay these letters, or none of them: an unknown id, a letter replayed already (unless
    `force`) or one that cannot be replayed refuses the lot, naming each. `queues` are those a
    replay may go to (this deployment's): the default exchange silently drops a message for a
    queue that does not exist."""
    wanted = list(dict.fromkeys(ids))
    rows = await session.exec(
        select(DeadLetter).where(col(DeadLetter.id).in_(wanted)).with_for_update()
    )
    found = {letter.id: letter for letter in rows.all()}
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        raise DomainError.single(
            ErrorCode.NOT_FOUND, f"No dead letter with id {', '.join(unknown)}.", ("id",)
        )
    letters = [found[i] for i in wanted]
    problems: list[FieldError] = []
    for letter in letters:
        refusal = _refusal(letter, queues, force=force)
        if refusal is not None:
            problems.append(FieldError(refusal[0], ("id",), refusal[1]))
    if problems:
        raise DomainError(problems)
    for letter in letters:
        await _republish(session, letter)
    return Replayed(replayed=letters)


async def replay_all(
    session: AsyncSession, queue: str | None = None, *, queues: Collection[str]
) -> Replayed:
    """Replay every letter not replayed yet (of one queue); those that cannot be are skipped."""
    query = (
        select(DeadLetter)
        .where(col(DeadLetter.replayed_at).is_(None))
        .order_by(col(DeadLetter.id))
        .with_for_update()
    )
    if queue is not None:
        query = query.where(DeadLetter.queue == queue)
    result = Replayed()
    for letter in (await session.exec(query)).all():
        refusal = _refusal(letter, queues, force=False)
        if refusal is None:
            await _republish(session, letter)
            result.replayed.append(letter)
        else:
            result.skipped.append((letter, refusal[1]))
    return result


def _refusal(
    letter: DeadLetter, queues: Collection[str], *, force: bool
) -> tuple[ErrorCode, str] | None:
    if letter.replayed_at is not None and not force:
        return (
            ErrorCode.CONFLICT,
            f"Dead letter {letter.id} was replayed already, at {letter.replayed_at.isoformat()}.",
        )
    if letter.queue not in queues:
        return (
            ErrorCode.INVALID_VALUE,
            f"Dead letter {letter.id} died in {letter.queue!r}, not a queue of this deployment "
            f"({', '.join(sorted(queues))}).",
        )
    if decoded(letter.body) is None:
        return (
            ErrorCode.INVALID_VALUE,
            f"Dead letter {letter.id} is not a message this version can read: "
            "replayed, it would be dead-lettered again.",
        )
    if len(letter.message_id) > OUTBOX_MESSAGE_ID_MAX:
        return (
            ErrorCode.INVALID_VALUE,
            f"Dead letter {letter.id} has a message id longer than the outbox takes "
            f"({OUTBOX_MESSAGE_ID_MAX} characters).",
        )
    return None


async def _republish(session: AsyncSession, letter: DeadLetter) -> None:
    """An unsent outbox row with the letter's message id, addressed to the queue it died in.
    The id is unique in the outbox: the message's original row (if this database wrote it) is
    sent again."""
    existing = await session.exec(
        select(OutboxMessage).where(OutboxMessage.message_id == letter.message_id)
    )
    row = existing.first() or OutboxMessage(
        message_id=letter.message_id,
        exchange=DEFAULT_EXCHANGE,
        routing_key=letter.queue,
        message_type=letter.message_type,
        payload={},
    )
    row.exchange, row.routing_key = DEFAULT_EXCHANGE, letter.queue
    row.message_type = type_of(decoded(letter.body))  # this version may read what it could not
    row.payload = json.loads(letter.body)
    row.sent_at = None
    session.add(row)
    letter.replayed_at = utcnow()
    letter.replays += 1
