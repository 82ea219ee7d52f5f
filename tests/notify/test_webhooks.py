"""Status callbacks against a real HTTP receiver, on SQLite and PostgreSQL: what the customer's
backend receives and checks, and what the delivery log says about every attempt.

Retries are driven by handing the handler the `WebhookRetry` messages it wrote to the outbox, as
the delay queues would (no broker needed at this level)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.messaging.messages import StatusChanged, WebhookRetry
from trusthub.models import Account
from trusthub.notify.deps import NotifierDeps
from trusthub.notify.webhooks import handle_webhook
from trusthub.services import representatives, submission

from ..conftest import Acct
from ..factories import rep_changes
from .conftest import MakeDeps, Receiver, Reply, free_port
from .helpers import (
    REASONS,
    assert_signed,
    attempts,
    make_profile,
    outbox,
    retries,
    secrets_of,
    status_changed,
)


async def deliver(
    deps: NotifierDeps, sessions: SessionFactory, event: StatusChanged
) -> list[WebhookRetry]:
    """Handle the event, then every retry it leads to; return the retries written."""
    await handle_webhook(event, deps)
    seen = 0
    while len(written := await retries(sessions)) > seen:
        for retry in written[seen:]:
            await handle_webhook(retry, deps)
        seen = len(written)
    return written


async def test_callback_carries_every_field_signed_both_ways(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid, Status.REJECTED, Status.IN_REVIEW)
    auth_token, secret = await secrets_of(sessions, alice)

    # when
    await handle_webhook(event, deps)

    # then
    [request] = receiver.requests
    assert request.url == receiver.url
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "AccountSid": alice.sid,
        "Sid": sid,
        "SubjectType": "CUSTOMER_PROFILE",
        "Status": "REJECTED",
        "PreviousStatus": "IN_REVIEW",
        "Reasons": request.form["Reasons"],
        "EventId": event.event_id,
        "Sequence": "3",
        "OccurredAt": request.form["OccurredAt"],
    }
    assert json.loads(request.form["Reasons"]) == [
        {
            "code": "BUSINESS_REGISTRATION_ID",
            "field": ["business", "registrationNumber"],
            "message": REASONS[0].message,
        },
        {
            "code": "EMAIL_DOMAIN",
            "field": ["authorizedRepresentatives", "1", "email"],
            "message": REASONS[1].message,
        },
    ]
    assert datetime.fromisoformat(request.form["OccurredAt"]) == event.occurred_at
    assert request.headers["webhook-id"] == event.event_id
    assert abs(int(request.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    assert_signed(request, auth_token, secret)
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert (logged.attempt, logged.succeeded, logged.status_code) == (1, True, 200)
    assert (logged.target, logged.subject_sid, logged.error) == (receiver.url, sid, None)
    assert logged.next_attempt_at is None
    assert logged.duration_ms is not None
    assert await retries(sessions) == []


async def test_submitting_a_profile_calls_back_with_its_real_event(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given: a complete profile submitted through the services, as the gateway does
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=receiver.url)
    async with sessions() as s:
        await representatives.add_representative(s, alice.actor, sid, 1, rep_changes())
        await s.commit()
    async with sessions() as s:
        await submission.submit_profile(s, alice.actor, sid, accept_terms=True)
        await s.commit()
    [event] = await outbox(sessions, "status.changed")
    auth_token, secret = await secrets_of(sessions, alice)

    # when
    await handle_webhook(event, deps)

    # then
    [request] = receiver.requests
    assert request.form["Sid"] == sid
    assert (request.form["PreviousStatus"], request.form["Status"]) == ("DRAFT", "PENDING_REVIEW")
    assert json.loads(request.form["Reasons"]) == []
    assert request.form["EventId"] == request.headers["webhook-id"] == event.event_id
    # the same number the subscription event carries for this transition
    assert request.form["Sequence"] == str(event.sequence)
    assert event.sequence >= 1
    assert_signed(request, auth_token, secret)


async def test_receiver_failing_three_times_then_succeeding_gets_it_on_the_fourth(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given
    deps = await make_deps(webhook_max_attempts=5)
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)
    auth_token, secret = await secrets_of(sessions, alice)
    receiver.answer(Reply(500), Reply(503), Reply(502))

    # when
    written = await deliver(deps, sessions, event)

    # then: four requests, one webhook-id, each signed on its own
    assert len(receiver.requests) == 4
    assert {r.headers["webhook-id"] for r in receiver.requests} == {event.event_id}
    assert {r.form["EventId"] for r in receiver.requests} == {event.event_id}
    for request in receiver.requests:
        assert_signed(request, auth_token, secret)
    log = await attempts(sessions, event.event_id, "WEBHOOK")
    assert [a.attempt for a in log] == [1, 2, 3, 4]
    assert [a.status_code for a in log] == [500, 503, 502, 200]
    assert [a.succeeded for a in log] == [False, False, False, True]
    assert log[0].error is not None
    assert log[0].error.startswith("HTTP 500")
    # each failure scheduled the next attempt, later and later
    assert [r.attempt for r in written] == [2, 3, 4]
    assert all(r.event == event for r in written)
    delays = [r.delay_ms for r in written]
    assert delays == sorted(delays)
    assert delays[-1] > delays[0]
    for row, retry in zip(log, written, strict=False):
        assert row.next_attempt_at is not None
        wait = row.next_attempt_at - row.attempted_at
        assert wait >= timedelta(milliseconds=retry.delay_ms)
        assert wait < timedelta(milliseconds=retry.delay_ms, seconds=30)
    assert log[-1].next_attempt_at is None


def _in_100_seconds() -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=100), usegmt=True)


@pytest.mark.parametrize(
    ("status", "retry_after", "expected_delay_ms"),
    [
        (429, lambda: "20", 30_000),  # seconds: the first delay queue of at least 20 s
        (503, _in_100_seconds, 120_000),  # an HTTP date
        (429, lambda: "0", 1_000),  # asking for less than the backoff does not shorten it
    ],
)
async def test_retry_after_is_honoured(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    alice: Acct,
    status: int,
    retry_after: object,
    expected_delay_ms: int,
) -> None:
    # given
    assert callable(retry_after)
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)
    receiver.answer(Reply(status, headers={"Retry-After": retry_after()}))

    # when
    await handle_webhook(event, deps)

    # then
    [retry] = await retries(sessions)
    assert (retry.attempt, retry.delay_ms) == (2, expected_delay_ms)
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert (logged.status_code, logged.succeeded) == (status, False)
    assert logged.next_attempt_at is not None
    assert logged.next_attempt_at - logged.attempted_at >= timedelta(milliseconds=expected_delay_ms)


async def test_slow_receiver_times_out_and_is_retried(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given: the first answer comes long after the timeout
    deps = await make_deps(webhook_timeout_seconds=0.15)
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)
    receiver.answer(Reply(200, delay=0.6))

    # when
    written = await deliver(deps, sessions, event)

    # then
    first, second = await attempts(sessions, event.event_id, "WEBHOOK")
    assert not first.succeeded
    assert first.status_code is None
    assert first.error is not None
    assert "timed out" in first.error
    assert first.duration_ms is not None
    assert first.duration_ms < 550
    assert second.succeeded
    assert second.attempt == 2
    assert [r.attempt for r in written] == [2]
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event.event_id] * 2


async def test_unreachable_receiver_is_logged_and_retried(
    sessions: SessionFactory, make_deps: MakeDeps, alice: Acct
) -> None:
    # given: nothing listens on the callback's port
    deps = await make_deps()
    url = f"http://127.0.0.1:{free_port()}/hooks/status"
    sid = await make_profile(sessions, alice, callback=url)
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert (logged.succeeded, logged.status_code, logged.target) == (False, None, url)
    assert logged.error is not None
    assert "ConnectError" in logged.error
    [retry] = await retries(sessions)
    assert retry.attempt == 2


async def test_gives_up_after_the_maximum_attempts(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given
    deps = await make_deps(webhook_max_attempts=3)
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)
    receiver.answer(*[Reply(500)] * 10)

    # when
    written = await deliver(deps, sessions, event)

    # then
    assert len(receiver.requests) == 3
    assert [r.attempt for r in written] == [2, 3]
    log = await attempts(sessions, event.event_id, "WEBHOOK")
    assert [(a.attempt, a.succeeded) for a in log] == [(1, False), (2, False), (3, False)]
    assert log[-1].error is not None
    assert "gave up after 3 attempts" in log[-1].error
    assert log[-1].next_attempt_at is None


async def test_redelivered_event_is_not_sent_again_once_delivered(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given: delivered on the second attempt
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)
    receiver.answer(Reply(500))
    [retry] = await deliver(deps, sessions, event)

    # when: the broker redelivers both messages
    await handle_webhook(event, deps)
    await handle_webhook(retry, deps)

    # then
    assert len(receiver.requests) == 2
    log = await attempts(sessions, event.event_id, "WEBHOOK")
    assert [(a.attempt, a.succeeded) for a in log] == [(1, False), (2, True)]
    assert len(await retries(sessions)) == 1


async def test_redelivered_failed_attempt_does_not_fork_a_second_retry_chain(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given: the first attempt failed and its retry is scheduled
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)
    receiver.answer(Reply(500), Reply(500))
    await handle_webhook(event, deps)

    # when: the same message comes again (e.g. the ack was lost)
    await handle_webhook(event, deps)

    # then
    assert len(receiver.requests) == 1
    assert len(await attempts(sessions, event.event_id, "WEBHOOK")) == 1
    assert len(await retries(sessions)) == 1


async def test_profile_without_callback_url_gets_no_request(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=None)
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    assert receiver.requests == []
    assert await attempts(sessions, event.event_id, "WEBHOOK") == []
    assert await retries(sessions) == []


async def test_unusable_webhook_secret_is_a_logged_failed_attempt_not_a_crash(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given: a secret that is not base64 after whsec_ (so no receiver could verify with it)
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=receiver.url)
    async with sessions() as s:
        account = await s.get(Account, alice.sid)
        assert account is not None
        account.webhook_secret = "whsec_a"
        await s.commit()
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then: nothing unsigned went out; the attempt is logged and retried (the secret may be
    # rotated meanwhile)
    assert receiver.requests == []
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert not logged.succeeded
    assert logged.error is not None
    assert logged.error.startswith("cannot sign the callback")
    assert [r.attempt for r in await retries(sessions)] == [2]
