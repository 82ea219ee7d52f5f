"""Representative verification on SQLite and PostgreSQL: the request, the page's answers, and
the links that must not work (reused, expired, tampered)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.domain.errors import DomainError
from trusthub.domain.verification import Answer, sign_token
from trusthub.models import (
    AuditEntry,
    AuthorizedRepresentative,
    OutboxMessage,
    RepresentativeVerification,
    Review,
)
from trusthub.services import representatives, submission, verifications
from trusthub.services.reviews import AUTOMATED_REVIEWER

from ..conftest import Acct, MakeAccount
from ..factories import rep_changes
from .helpers import create_complete


async def _ask(
    sessions: SessionFactory, settings: Settings, reviewer: Acct, owner: Acct, ttl_hours: float = 1
) -> tuple[str, RepresentativeVerification]:
    sid = await create_complete(sessions, owner)
    async with sessions() as s:
        rep = (await s.exec(AuthorizedRepresentative.__table__.select())).first()  # type: ignore[attr-defined]
        keys = verifications.LinkKeys(settings.verification_secret(), timedelta(hours=ttl_hours))
        row = await verifications.request_verification(s, reviewer.actor, rep.sid, keys)
        await s.commit()
    token = sign_token(settings.verification_secret(), row.sid, row.expires_at)
    assert sid == row.profile_sid
    return token, row


async def _status(sessions: SessionFactory, sid: str) -> str:
    async with sessions() as s:
        row = await s.get(RepresentativeVerification, sid)
        assert row is not None
        return row.status


async def test_a_representative_confirms_once_through_the_page(
    sessions: SessionFactory,
    settings: Settings,
    client: httpx.AsyncClient,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given a reviewer asked alice's representative #1
    reviewer = await make_account("rita", Role.REVIEWER)
    token, row = await _ask(sessions, settings, reviewer, alice)
    assert row.status == "PENDING"
    # when the representative opens the link
    page = await client.get(f"/verify/{token}")
    # then the page names the representative and has both buttons
    assert page.status_code == 200
    assert "Grace" in page.text
    assert '<button type="submit" name="answer" value="confirm">' in page.text
    assert "<script" not in page.text
    # when they confirm
    done = await client.post(f"/verify/{token}", data={"answer": "confirm"})
    # then it is recorded, with an audit entry on the profile
    assert done.status_code == 200
    assert await _status(sessions, row.sid) == "CONFIRMED"
    async with sessions() as s:
        actions = [
            a.action
            for a in (await s.exec(AuditEntry.__table__.select())).all()  # type: ignore[attr-defined]
            if a.subject_sid == row.profile_sid
        ]
    assert "request_verification" in actions
    assert "confirm_verification" in actions
    # and the link does not work a second time, nor change anything
    again = await client.post(f"/verify/{token}", data={"answer": "decline"})
    assert again.status_code == 409
    assert await _status(sessions, row.sid) == "CONFIRMED"


async def test_tampered_and_expired_links_change_nothing(
    sessions: SessionFactory,
    settings: Settings,
    client: httpx.AsyncClient,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given a request whose link has expired already
    reviewer = await make_account("rita", Role.REVIEWER)
    token, row = await _ask(sessions, settings, reviewer, alice, ttl_hours=-1)
    # when the link is tampered with, or used after its expiry
    sid, stamp, signature = token.split(".")
    tampered = f"{sid}.{int(stamp) + 7200}.{signature}"
    bad = await client.post(f"/verify/{tampered}", data={"answer": "confirm"})
    late = await client.post(f"/verify/{token}", data={"answer": "confirm"})
    # then each gets its own 4xx page and the request is still PENDING
    assert (bad.status_code, late.status_code) == (404, 410)
    assert "expired" in late.text
    assert await _status(sessions, row.sid) == "PENDING"
    # when the expiry pass runs, the request becomes EXPIRED
    async with sessions() as s:
        assert await verifications.expire_due(s, now=row.expires_at + timedelta(seconds=1)) == 1
        await s.commit()
    assert await _status(sessions, row.sid) == "EXPIRED"


async def test_only_an_independent_reviewer_may_ask(
    sessions: SessionFactory, settings: Settings, alice: Acct, bob: Acct
) -> None:
    # given alice's profile; when bob, a customer, asks about its representative
    try:
        await _ask(sessions, settings, bob, alice)
    except DomainError as error:
        refused = error.errors[0].code.value
    else:
        refused = None
    # then he is refused
    assert refused == "FORBIDDEN"


async def test_a_reviewer_asking_again_keeps_the_held_review_waiting_for_the_answer(
    sessions: SessionFactory, settings: Settings, alice: Acct, make_account: MakeAccount
) -> None:
    # given a submitted profile whose review the automated reviewer's rule holds on rep #1
    sid = await create_complete(sessions, alice)
    keys = verifications.LinkKeys(settings.verification_secret(), timedelta(hours=1))
    async with sessions() as s:
        await submission.submit_profile(s, alice.actor, sid, accept_terms=True)
        await s.commit()
        review = (await s.exec(select(Review).where(Review.subject_sid == sid))).one()
        rep = (await s.exec(select(AuthorizedRepresentative))).one()
        await verifications.ask(
            s, rep, AUTOMATED_REVIEWER, keys, sandbox=False, review_sid=review.sid
        )
        await s.commit()
    # when a reviewer sends the representative a new link, which then expires unanswered
    reviewer = await make_account("rita", Role.REVIEWER)
    async with sessions() as s:
        row = await verifications.request_verification(s, reviewer.actor, rep.sid, keys)
        await s.commit()
    async with sessions() as s:
        assert await verifications.expire_due(s, now=row.expires_at + timedelta(seconds=1)) == 1
        await s.commit()
        escalations = (
            await s.exec(
                select(OutboxMessage).where(OutboxMessage.message_type == "review.escalated")
            )
        ).all()
    # then the held review still follows the answer: it goes to a human
    assert [e.payload["review_sid"] for e in escalations] == [review.sid]


async def test_a_confirmation_is_void_once_the_representatives_email_or_name_changes(
    sessions: SessionFactory,
    settings: Settings,
    client: httpx.AsyncClient,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given alice's representative confirmed through the page
    reviewer = await make_account("rita", Role.REVIEWER)
    token, row = await _ask(sessions, settings, reviewer, alice)
    assert (await client.post(f"/verify/{token}", data={"answer": "confirm"})).status_code == 200
    # when alice changes only the phone number, the confirmation stands
    async with sessions() as s:
        await representatives.update_representative(
            s, alice.actor, row.representative_sid, {("phoneNumber",): "+14155552671"}
        )
        await s.commit()
    assert await _status(sessions, row.sid) == "CONFIRMED"
    # when she changes the email, it was about someone else: the verification starts over
    async with sessions() as s:
        await representatives.update_representative(
            s, alice.actor, row.representative_sid, {("email",): "mallory@acme.example.com"}
        )
        await s.commit()
    async with sessions() as s:
        assert await s.get(RepresentativeVerification, row.sid) is None
        events = (
            await s.exec(
                select(OutboxMessage)
                .where(OutboxMessage.message_type == "verification.changed")
                .order_by(col(OutboxMessage.id))
            )
        ).all()
        actions = [
            a.action
            for a in (
                await s.exec(
                    select(AuditEntry)
                    .where(AuditEntry.subject_sid == row.profile_sid)
                    .order_by(col(AuditEntry.id))
                )
            ).all()
        ]
    assert [(e.payload["previous_status"], e.payload["status"]) for e in events][-1] == (
        "CONFIRMED",
        "NOT_REQUESTED",
    )
    assert actions[-2:] == ["update_representative", "reset_verification"]


async def _outbox(sessions: SessionFactory, message_type: str) -> list[dict[str, Any]]:
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.message_type == message_type)
            .order_by(col(OutboxMessage.id))
        )
        return [r.payload for r in rows.all()]


async def test_the_review_waits_for_every_representative_and_a_decline_names_its_position(
    sessions: SessionFactory, settings: Settings, alice: Acct
) -> None:
    # given a submitted profile whose review the rule holds on both representatives
    sid = await create_complete(sessions, alice)
    keys = verifications.LinkKeys(settings.verification_secret(), timedelta(hours=1))
    second = rep_changes(firstName="Alan", lastName="Turing", email="alan@acme.example.com")
    async with sessions() as s:
        await representatives.add_representative(s, alice.actor, sid, 2, second)
        await submission.submit_profile(s, alice.actor, sid, accept_terms=True)
        await s.commit()
        review = (await s.exec(select(Review).where(Review.subject_sid == sid))).one()
        reps = (
            await s.exec(
                select(AuthorizedRepresentative).order_by(AuthorizedRepresentative.position)
            )
        ).all()
        rows = [
            await verifications.ask(
                s, rep, AUTOMATED_REVIEWER, keys, sandbox=False, review_sid=review.sid
            )
            for rep in reps
        ]
        await s.commit()
    tokens = [sign_token(keys.secret, row.sid, row.expires_at) for row in rows]
    requested = len(await _outbox(sessions, "review.requested"))
    # when #1 confirms, #2 has not answered: the review waits
    async with sessions() as s:
        await verifications.answer_link(s, keys.secret, tokens[0], Answer.CONFIRM)
        await s.commit()
    assert len(await _outbox(sessions, "review.requested")) == requested
    assert await _outbox(sessions, "decision.made") == []
    # when #2 declines, the review is rejected for representative #2
    async with sessions() as s:
        await verifications.answer_link(s, keys.secret, tokens[1], Answer.DECLINE)
        await s.commit()
    [decision] = await _outbox(sessions, "decision.made")
    assert (decision["review_sid"], decision["outcome"]) == (review.sid, "REJECTED")
    assert [(r["code"], r["field"]) for r in decision["reasons"]] == [
        ("AUTHORIZED_REPRESENTATIVE_2", ["authorizedRepresentatives", "2"])
    ]
