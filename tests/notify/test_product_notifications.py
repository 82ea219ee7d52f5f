"""Trust products get the same status callbacks and decision emails as customer profiles."""

from __future__ import annotations

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status, SubjectType
from trusthub.domain.products import TrustProductKind
from trusthub.messaging.messages import StatusChanged
from trusthub.notify.email import handle_email
from trusthub.notify.webhooks import handle_webhook
from trusthub.services import products

from ..conftest import Acct
from .conftest import MailServer, MakeDeps, Receiver
from .helpers import LOOPBACK_ALLOWED, attempts, make_profile

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


async def shaken_product(sessions: SessionFactory, owner: Acct, callback: str) -> str:
    profile = await make_profile(sessions, owner)
    async with sessions() as s:
        row = await products.create_product(
            s,
            owner.actor,
            products.NewProduct(
                TrustProductKind.SHAKEN_STIR,
                profile,
                {
                    ("friendlyName",): "Acme SHAKEN",
                    ("notificationEmail",): "voice@acme.example.com",
                    ("statusCallback",): callback,
                },
            ),
            settings=LOOPBACK_ALLOWED,
        )
        await s.commit()
    return row.sid


def approved(owner: Acct, sid: str) -> StatusChanged:
    return StatusChanged(
        subject_sid=sid,
        subject_type=SubjectType.TRUST_PRODUCT.value,
        account_sid=owner.sid,
        previous_status=Status.IN_REVIEW.value,
        status=Status.APPROVED.value,
        sequence=4,
    )


async def test_a_products_decision_is_called_back_and_emailed(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    mail_server: MailServer,
    alice: Acct,
) -> None:
    # given a SHAKEN/STIR product with its own status callback and notification email
    sid = await shaken_product(sessions, alice, receiver.url)
    deps = await make_deps(smtp_url=mail_server.url())
    event = approved(alice, sid)
    # when its approval is notified
    await handle_webhook(event, deps)
    await handle_email(event, deps)
    # then the product's URL got the callback, and its address the email
    [request] = receiver.requests
    assert (request.form["Sid"], request.form["SubjectType"], request.form["Status"]) == (
        sid,
        "TRUST_PRODUCT",
        "APPROVED",
    )
    [message] = mail_server.mailbox.messages
    assert message["To"] == "voice@acme.example.com"
    assert message["Subject"] == "Your trust product Acme SHAKEN was approved"
    assert [a.succeeded for a in await attempts(sessions, event.event_id, "WEBHOOK")] == [True]
