"""The delivery log as an account reads it (the GraphQL field's service), on SQLite and
PostgreSQL: its own attempts on both channels, nobody else's."""

from __future__ import annotations

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.notify.email import handle_email
from trusthub.notify.webhooks import handle_webhook
from trusthub.services.deliveries import list_attempts

from ..conftest import Acct, MakeAccount
from .conftest import MailServer, MakeDeps, Receiver, Reply
from .helpers import make_profile, retries, status_changed

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


async def test_account_reads_every_attempt_of_its_subject_and_only_its_own(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    mail_server: MailServer,
    make_account: MakeAccount,
    alice: Acct,
    bob: Acct,
) -> None:
    # given: alice's rejection was called back twice (one failure) and emailed once
    deps = await make_deps(smtp_url=mail_server.url())
    admin = await make_account("root", Role.ADMIN)
    sid = await make_profile(sessions, alice, callback=receiver.url)
    bobs = await make_profile(sessions, bob, callback=receiver.url)
    event = status_changed(alice, sid, Status.REJECTED)
    receiver.answer(Reply(500))
    await handle_webhook(event, deps)
    [retry] = await retries(sessions)
    await handle_webhook(retry, deps)
    await handle_email(event, deps)
    await handle_webhook(status_changed(bob, bobs, Status.APPROVED, reasons=[]), deps)

    # when
    async with sessions() as s:
        mine = await list_attempts(s, alice.actor, sid)
        peeked = await list_attempts(s, bob.actor, sid)
        as_admin = await list_attempts(s, admin.actor, sid)

    # then
    assert [(a.channel, a.attempt, a.succeeded, a.status_code) for a in mine] == [
        ("WEBHOOK", 1, False, 500),
        ("WEBHOOK", 2, True, 200),
        ("EMAIL", 1, True, None),
    ]
    assert {a.event_id for a in mine} == {event.event_id}
    assert [a.target for a in mine] == [receiver.url, receiver.url, "ops@acme.example.com"]
    assert peeked == []
    assert [a.id for a in as_admin] == [a.id for a in mine]
