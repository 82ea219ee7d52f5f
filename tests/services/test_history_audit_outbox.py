"""What a change leaves behind, on SQLite and PostgreSQL: history rows for transitions, an audit
entry for every edit, and outbox rows written in the change's own transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import ProfileKind, ProfileTier
from trusthub.models import (
    AuditEntry,
    AuthorizedRepresentative,
    CustomerProfile,
    OutboxMessage,
    StatusChange,
)
from trusthub.services import profiles, representatives, submission
from trusthub.services.profiles import NewProfile

from ..conftest import Acct
from ..factories import rep_changes
from .helpers import count, create, create_complete, refused, stored


async def history(sessions: SessionFactory, sid: str) -> list[tuple[str | None, str, str]]:
    async with sessions() as s:
        query = (
            select(StatusChange)
            .where(col(StatusChange.subject_sid) == sid)
            .order_by(col(StatusChange.id))
        )
        return [(r.from_status, r.to_status, r.actor) for r in (await s.exec(query)).all()]


async def audit_trail(sessions: SessionFactory, sid: str) -> list[tuple[str, str, list[str]]]:
    async with sessions() as s:
        query = select(AuditEntry).where(col(AuditEntry.subject_sid) == sid)
        query = query.order_by(col(AuditEntry.id))
        return [(r.action, r.actor, r.changed_fields) for r in (await s.exec(query)).all()]


async def outbox(sessions: SessionFactory) -> list[OutboxMessage]:
    async with sessions() as s:
        return list((await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


def payload_of(rows: list[OutboxMessage], message_type: str) -> dict[str, Any]:
    [row] = [r for r in rows if r.message_type == message_type]
    return row.payload


# -- history ------------------------------------------------------------------------------------


async def test_creation_and_submit_are_recorded_in_history(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a compliant profile alice created
    sid = await create_complete(sessions, alice)
    created = await history(sessions, sid)
    # when she submits it
    async with sessions() as s:
        await submission.submit_profile(s, alice.actor, sid, accept_terms=True)
        await s.commit()
    # then history shows creation into DRAFT, then DRAFT to PENDING_REVIEW, both by alice
    assert created == [(None, "DRAFT", alice.sid)]
    assert await history(sessions, sid) == [
        (None, "DRAFT", alice.sid),
        ("DRAFT", "PENDING_REVIEW", alice.sid),
    ]


async def test_edits_are_not_transitions(sessions: SessionFactory, alice: Acct) -> None:
    # given a draft
    sid = await create(sessions, alice)
    # when alice edits it
    async with sessions() as s:
        await profiles.update_profile(s, alice.actor, sid, {("friendlyName",): "Acme 2"})
        await s.commit()
    # then history still holds the creation only
    assert await history(sessions, sid) == [(None, "DRAFT", alice.sid)]


# -- audit --------------------------------------------------------------------------------------


async def test_every_edit_is_audited_with_its_actor_and_changed_fields(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile alice created with a name and an email only
    sid = await create(
        sessions,
        alice,
        NewProfile(
            ProfileKind.BUSINESS,
            ProfileTier.PRIMARY,
            None,
            {("friendlyName",): "Acme", ("notificationEmail",): "ops@acme.example.com"},
        ),
    )
    # when she edits it (one value unchanged), and adds, changes and removes a representative
    async with sessions() as s:
        await profiles.update_profile(
            s,
            alice.actor,
            sid,
            {("friendlyName",): "Acme", ("address", "city"): "Paris", ("statusCallback",): None},
        )
        await profiles.update_profile(
            s, alice.actor, sid, {("business", "websiteUrl"): "https://acme.example.com"}
        )
        await representatives.add_representative(s, alice.actor, sid, 2, rep_changes())
        await s.commit()
    async with sessions() as s:
        rep = (await s.exec(select(col(AuthorizedRepresentative.sid)))).one()
        await representatives.update_representative(s, alice.actor, rep, {("lastName",): "Hop"})
        await representatives.remove_representative(s, alice.actor, rep)
        await s.commit()
    # then each edit is an audit entry naming alice and only the fields it changed
    rep_fields = sorted(
        f"authorizedRepresentatives.2.{f}"
        for f in ("firstName", "lastName", "email", "phoneNumber", "businessTitle", "jobPosition")
    )
    assert await audit_trail(sessions, sid) == [
        ("create", alice.sid, ["friendlyName", "notificationEmail"]),
        ("update", alice.sid, ["address.city"]),
        ("update", alice.sid, ["business.websiteUrl"]),
        ("add_representative", alice.sid, rep_fields),
        ("update_representative", alice.sid, ["authorizedRepresentatives.2.lastName"]),
        ("remove_representative", alice.sid, rep_fields),
    ]


async def test_deleting_is_audited_and_refused_edits_are_not(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a draft
    sid = await create(sessions, alice)
    # when alice sends a refused edit, then deletes the profile
    async with sessions() as s:
        await refused(profiles.update_profile(s, alice.actor, sid, {("friendlyName",): ""}))
    async with sessions() as s:
        await profiles.delete_profile(s, alice.actor, sid)
        await s.commit()
    # then the trail shows the creation and the deletion only
    assert [action for action, _, _ in await audit_trail(sessions, sid)] == ["create", "delete"]


# -- outbox -------------------------------------------------------------------------------------


async def test_submit_writes_its_review_request_and_status_event_to_the_outbox(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a compliant draft (creation publishes nothing)
    sid = await create_complete(sessions, alice)
    assert await outbox(sessions) == []
    # when alice submits it
    async with sessions() as s:
        await submission.submit_profile(s, alice.actor, sid, accept_terms=True)
        await s.commit()
    # then one review request and one status change wait unsent in the outbox
    rows = await outbox(sessions)
    assert sorted(r.message_type for r in rows) == ["review.requested", "status.changed"]
    assert all(r.sent_at is None for r in rows)
    requested = payload_of(rows, "review.requested")
    changed = payload_of(rows, "status.changed")
    assert (requested["subject_sid"], requested["account_sid"]) == (sid, alice.sid)
    assert requested["evaluation_sid"].startswith("EL")
    assert (changed["subject_sid"], changed["previous_status"], changed["status"]) == (
        sid,
        "DRAFT",
        "PENDING_REVIEW",
    )


async def test_a_submit_and_its_outbox_rows_commit_or_roll_back_together(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a compliant draft
    sid = await create_complete(sessions, alice)
    # when the submit's transaction is rolled back after the service wrote everything
    async with sessions() as s:
        await submission.submit_profile(s, alice.actor, sid, accept_terms=True)
        pending = await s.exec(select(col(OutboxMessage.message_type)))
        written = sorted(pending.all())
        await s.rollback()
    # then the rows were in that transaction, and none of it remains: no message, no transition
    assert written == ["review.requested", "status.changed"]
    assert await outbox(sessions) == []
    assert (await stored(sessions, sid)).status == "DRAFT"
    assert await history(sessions, sid) == [(None, "DRAFT", alice.sid)]


async def test_a_refused_submit_writes_nothing_to_the_outbox(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a draft without representative #1
    sid = await create(sessions, alice)
    # when alice submits it and the caller rolls back on the refusal
    async with sessions() as s:
        await refused(submission.submit_profile(s, alice.actor, sid, accept_terms=True))
        await s.rollback()
    # then no message waits and the profile never left DRAFT
    assert await count(sessions, OutboxMessage) == 0
    assert await count(sessions, StatusChange, col(StatusChange.to_status) == "PENDING_REVIEW") == 0
    assert await count(sessions, CustomerProfile, col(CustomerProfile.status) == "DRAFT") == 1
