"""A status transition is recorded and published as one explicit step (`transition`); recording
history alone (as creation does) publishes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status, SubjectType
from trusthub.models import OutboxMessage, StatusChange
from trusthub.services.history import record_history
from trusthub.services.transitions import transition

from ..conftest import Acct
from .helpers import create


async def _rows(sessions: SessionFactory, sid: str) -> tuple[list[StatusChange], list[Any]]:
    async with sessions() as s:
        changes = await s.exec(
            select(StatusChange)
            .where(col(StatusChange.subject_sid) == sid)
            .order_by(col(StatusChange.id))
        )
        events = await s.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.message_type) == "status.changed")
            .order_by(col(OutboxMessage.id))
        )
        return list(changes.all()), [
            e.payload for e in events.all() if e.payload["subject_sid"] == sid
        ]


async def test_recording_history_publishes_nothing_and_a_transition_publishes_its_row(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given alice's new profile (its creation is in history, with no event)
    sid = await create(sessions, alice)
    # when one more history row is recorded alone, then a transition is made
    async with sessions() as s:
        await record_history(
            s, account_sid=alice.sid, subject_sid=sid, subject_type=SubjectType.CUSTOMER_PROFILE,
            previous=Status.DRAFT, status=Status.DRAFT, actor="reviewer",
        )  # fmt: skip
        await transition(
            s, account_sid=alice.sid, subject_sid=sid, subject_type=SubjectType.CUSTOMER_PROFILE,
            previous=Status.DRAFT, status=Status.PENDING_REVIEW, actor="reviewer",
        )  # fmt: skip
        await s.commit()
    # then history holds all three rows and only the transition is published, with its sequence
    changes, events = await _rows(sessions, sid)
    assert [(c.from_status, c.to_status) for c in changes] == [
        (None, "DRAFT"),
        ("DRAFT", "DRAFT"),
        ("DRAFT", "PENDING_REVIEW"),
    ]
    assert [(e["previous_status"], e["status"], e["sequence"]) for e in events] == [
        ("DRAFT", "PENDING_REVIEW", 3)
    ]
