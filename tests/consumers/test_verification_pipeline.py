"""AUTO_VERIFY_REPRESENTATIVES through the real pipeline (relay, reviewer, decision consumer and
the expiry pass in one Runtime; in-process broker on SQLite and PostgreSQL, and once on
RabbitMQ): a representative at another domain than the website's is asked, and the answer (or
its absence) decides where the review goes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlmodel import select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.domain.reviews import ReviewStatus
from trusthub.domain.verification import Answer, sign_token
from trusthub.models import RepresentativeVerification, Review
from trusthub.runtime import Runtime
from trusthub.services import reviews, verifications

from ..conftest import AMQP_URL, Acct, MakeAccount, delete_namespace
from .test_pipeline import PIPELINE, history, submitted_profile, wait_for_status

OTHER_DOMAIN = "grace@acme-holdings.com"  # the website is acmetelecom.com

StartRuntime = Callable[..., Awaitable[Runtime]]


@pytest.fixture
async def start_runtime(
    settings: Settings, sessions: SessionFactory, namespace: str
) -> AsyncIterator[StartRuntime]:
    """Start the pipeline with settings overridden (memory broker unless told otherwise)."""
    started: list[tuple[Runtime, str]] = []

    async def start(**overrides: Any) -> Runtime:
        values = {"broker_url": "memory://", "broker_namespace": namespace, **overrides}
        rt = Runtime(settings.model_copy(update=values), sessions, PIPELINE)
        await rt.start()
        started.append((rt, values["broker_url"]))
        return rt

    yield start
    for rt, url in started:
        await rt.stop()
        await delete_namespace(url, namespace)


async def wait_verification(
    sessions: SessionFactory, profile_sid: str, wanted: str, within: float = 15
) -> RepresentativeVerification:
    async with asyncio.timeout(within):
        while True:
            async with sessions() as s:
                row = (
                    await s.exec(
                        select(RepresentativeVerification).where(
                            RepresentativeVerification.profile_sid == profile_sid
                        )
                    )
                ).first()
            if row is not None and row.status == wanted:
                return row
            await asyncio.sleep(0.05)


async def review_of(sessions: SessionFactory, sid: str) -> Review:
    async with sessions() as s:
        return (await s.exec(select(Review).where(Review.subject_sid == sid))).one()


async def wait_review(
    sessions: SessionFactory, sid: str, wanted: ReviewStatus, within: float = 15
) -> Review:
    async with asyncio.timeout(within):
        while True:
            review = await review_of(sessions, sid)
            if review.status == wanted.value:
                return review
            await asyncio.sleep(0.05)


async def held_then_confirmed(
    rt: Runtime, sessions: SessionFactory, settings: Settings, alice: Acct
) -> None:
    # given a sound profile whose representative's email is not at the website's domain
    sid = await submitted_profile(sessions, alice, {}, rep={"email": OTHER_DOMAIN})
    rt.relay.wake()
    # when the automated reviewer has looked at it
    row = await wait_verification(sessions, sid, "PENDING")
    # then the review is held IN_REVIEW, with the automated reviewer, waiting for the answer
    await wait_for_status(sessions, sid, Status.IN_REVIEW)
    await asyncio.sleep(0.5)  # nothing else happens meanwhile
    review = await review_of(sessions, sid)
    assert review.status == ReviewStatus.PENDING.value
    assert row.review_sid == review.sid
    assert row.email == OTHER_DOMAIN
    # when the representative confirms through the link
    token = sign_token(settings.verification_secret(), row.sid, row.expires_at)
    async with sessions() as s:
        answered = await verifications.answer_link(
            s, settings.verification_secret(), token, Answer.CONFIRM
        )
        await s.commit()
    assert not isinstance(answered, verifications.LinkProblem)
    rt.relay.wake()
    # then the review goes on: vetted again and approved by the automated reviewer
    await wait_for_status(sessions, sid, Status.APPROVED)
    assert (await review_of(sessions, sid)).decided_by == reviews.AUTOMATED_REVIEWER
    assert [h[1] for h in await history(sessions, sid)] == [
        "DRAFT",
        "PENDING_REVIEW",
        "IN_REVIEW",
        "APPROVED",
    ]


async def test_a_representative_at_another_domain_is_asked_and_confirms(
    start_runtime: StartRuntime, sessions: SessionFactory, settings: Settings, alice: Acct
) -> None:
    rt = await start_runtime(auto_verify_representatives=True)
    await held_then_confirmed(rt, sessions, settings, alice)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_representative_is_asked_and_confirms_over_rabbitmq(
    start_runtime: StartRuntime, sessions: SessionFactory, settings: Settings, alice: Acct
) -> None:
    shared = {"broker_url": AMQP_URL, "rep_verification_secret": "k" * 32}
    rt = await start_runtime(auto_verify_representatives=True, **shared)
    await held_then_confirmed(rt, sessions, settings.model_copy(update=shared), alice)


async def test_sandbox_magic_representatives_confirm_or_decline_by_themselves(
    start_runtime: StartRuntime, sessions: SessionFactory, make_account: MakeAccount
) -> None:
    rt = await start_runtime(auto_verify_representatives=True)
    sandbox = await make_account("sandy", sandbox=True)
    # given two sandbox profiles whose representatives are magic addresses
    confirming = await submitted_profile(
        sessions, sandbox, {}, rep={"email": "grace+sandbox-confirm@acmetelecom.com"}
    )
    declining = await submitted_profile(
        sessions, sandbox, {}, rep={"email": "grace+sandbox-decline@acmetelecom.com"}
    )
    rt.relay.wake()
    # when the pipeline runs
    approved = await wait_for_status(sessions, confirming, Status.APPROVED)
    rejected = await wait_for_status(sessions, declining, Status.REJECTED)
    # then one was asked and confirmed, the other asked and declined: rejected for #1
    assert approved.reasons == []
    assert (await wait_verification(sessions, confirming, "CONFIRMED")).responded_at
    assert (await wait_verification(sessions, declining, "DECLINED")).responded_at
    assert [(r["code"], r["field"]) for r in rejected.reasons] == [
        ("AUTHORIZED_REPRESENTATIVE_1", ["authorizedRepresentatives", "1"])
    ]


async def test_an_unanswered_request_expires_to_a_human(
    start_runtime: StartRuntime, sessions: SessionFactory, alice: Acct
) -> None:
    # given links that last a second, and the expiry pass running every 0.2 s
    rt = await start_runtime(
        auto_verify_representatives=True,
        rep_verification_ttl_hours=1 / 3600,
        sweep_interval_seconds=0.2,
    )
    sid = await submitted_profile(sessions, alice, {}, rep={"email": OTHER_DOMAIN})
    rt.relay.wake()
    await wait_verification(sessions, sid, "PENDING")
    # when nobody answers in time
    await wait_verification(sessions, sid, "EXPIRED")
    # then the review is escalated to a human, the profile still IN_REVIEW
    review = await wait_review(sessions, sid, ReviewStatus.ESCALATED)
    assert review.escalation_reason is not None
    assert "did not answer" in review.escalation_reason
    assert (await wait_for_status(sessions, sid, Status.IN_REVIEW)).status == "IN_REVIEW"


async def test_with_the_setting_off_another_domain_is_rejected_as_before(
    start_runtime: StartRuntime, sessions: SessionFactory, alice: Acct
) -> None:
    rt = await start_runtime()
    # given the same profile, with AUTO_VERIFY_REPRESENTATIVES off (the default)
    sid = await submitted_profile(sessions, alice, {}, rep={"email": OTHER_DOMAIN})
    rt.relay.wake()
    # then the automated reviewer rejects the email's domain and asks nobody
    row = await wait_for_status(sessions, sid, Status.REJECTED)
    assert [(r["code"], r["field"]) for r in row.reasons] == [
        ("EMAIL_DOMAIN", ["authorizedRepresentatives", "1", "email"])
    ]
    async with sessions() as s:
        assert (await s.exec(select(RepresentativeVerification))).all() == []
