"""The delivery log as an account reads it (`CustomerProfile.deliveryAttempts`), on SQLite and
PostgreSQL: its own attempts on both channels, nobody else's."""

from __future__ import annotations

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.notify.email import handle_email
from trusthub.notify.webhooks import handle_webhook

from ..conftest import Acct, GraphQLClient, MakeAccount
from .conftest import MailServer, MakeDeps, Receiver, Reply
from .helpers import make_profile, retries, status_changed

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

DELIVERY_LOG = """
query Log($id: ID!) {
  customerProfile(id: $id) {
    deliveryAttempts { channel attempt succeeded statusCode eventId target attemptedAt }
  }
}
"""


async def test_account_reads_every_attempt_of_its_subject_and_only_its_own(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    mail_server: MailServer,
    make_account: MakeAccount,
    gql: GraphQLClient,
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

    # when each account reads alice's profile's delivery log
    mine = (await gql(DELIVERY_LOG, {"id": sid}, account=alice))["customerProfile"]
    peeked = (await gql(DELIVERY_LOG, {"id": sid}, account=bob))["customerProfile"]
    as_admin = (await gql(DELIVERY_LOG, {"id": sid}, account=admin))["customerProfile"]

    # then alice sees her attempts on both channels, oldest first
    attempts = mine["deliveryAttempts"]
    assert [(a["channel"], a["attempt"], a["succeeded"], a["statusCode"]) for a in attempts] == [
        ("WEBHOOK", 1, False, 500),
        ("WEBHOOK", 2, True, 200),
        ("EMAIL", 1, True, None),
    ]
    assert {a["eventId"] for a in attempts} == {event.event_id}
    assert [a["target"] for a in attempts] == [
        receiver.url,
        receiver.url,
        "ops@acme.example.com",
    ]
    # and bob sees nothing of it, and an admin sees the same log
    assert peeked is None
    assert as_admin == mine
