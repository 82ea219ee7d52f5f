"""Steps shared by the notification tests: profiles, events, and reading what the handlers
stored (the delivery log and the retries written to the outbox)."""

from __future__ import annotations

import json
import socket
from typing import Any

from sqlmodel import col, select
from standardwebhooks import Webhook
from twilio.request_validator import RequestValidator

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Status, SubjectType
from trusthub.messaging.messages import (
    EmailRetry,
    ReasonPayload,
    StatusChanged,
    WebhookRetry,
    decode,
)
from trusthub.models import Account, CustomerProfile, DeliveryAttempt, OutboxMessage
from trusthub.services import profiles

from ..conftest import Acct
from ..factories import business_profile
from .conftest import Received

REASONS = [
    ReasonPayload(
        code="BUSINESS_REGISTRATION_ID",
        field=["business", "registrationNumber"],
        message="EIN prefix 00 is not a valid IRS campus prefix.",
    ),
    ReasonPayload(
        code="EMAIL_DOMAIN",
        field=["authorizedRepresentatives", "1", "email"],
        message="grace@gmail.com is not on acme.example.com & its subdomains.",
    ),
]


# The receivers of these tests listen on 127.0.0.1: profiles may name them only where private
# networks are allowed (as in `trusthub dev`).
LOOPBACK_ALLOWED = Settings(_env_file=None, webhook_allow_private_networks=True)  # type: ignore[call-arg]


async def make_profile(
    sessions: SessionFactory,
    owner: Acct,
    *,
    callback: str | None = None,
    changes: dict[tuple[str, ...], Any] | None = None,
) -> str:
    """A complete business profile with the given status callback; returns its SID."""
    extra: dict[tuple[str, ...], Any] = dict(changes or {})
    if callback is not None:
        extra[("statusCallback",)] = callback
    async with sessions() as s:
        row = await profiles.create_profile(
            s, owner.actor, business_profile(changes=extra), settings=LOOPBACK_ALLOWED
        )
        await s.commit()
    return row.sid


def status_changed(
    owner: Acct,
    subject_sid: str,
    status: Status = Status.REJECTED,
    previous: Status | None = Status.IN_REVIEW,
    reasons: list[ReasonPayload] | None = None,
) -> StatusChanged:
    return StatusChanged(
        subject_sid=subject_sid,
        subject_type=SubjectType.CUSTOMER_PROFILE.value,
        account_sid=owner.sid,
        previous_status=previous.value if previous else None,
        status=status.value,
        sequence=3,
        reasons=REASONS if reasons is None else reasons,
    )


async def secrets_of(sessions: SessionFactory, owner: Acct) -> tuple[str, str]:
    """The account's auth token and webhook secret, as the customer's backend holds them."""
    async with sessions() as s:
        account = await s.get(Account, owner.sid)
    assert account is not None
    return account.auth_token, account.webhook_secret


async def attempts(sessions: SessionFactory, event_id: str, channel: str) -> list[DeliveryAttempt]:
    async with sessions() as s:
        query = (
            select(DeliveryAttempt)
            .where(DeliveryAttempt.event_id == event_id, DeliveryAttempt.channel == channel)
            .order_by(col(DeliveryAttempt.id))
        )
        return list((await s.exec(query)).all())


async def outbox(sessions: SessionFactory, message_type: str) -> list[Any]:
    """Every message of one type written to the outbox, decoded as the relay would publish it."""
    async with sessions() as s:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.message_type == message_type)
            .order_by(col(OutboxMessage.id))
        )
        rows = (await s.exec(query)).all()
    return [decode(json.dumps(row.payload).encode()) for row in rows]


async def retries(sessions: SessionFactory) -> list[WebhookRetry]:
    found = await outbox(sessions, "webhook.retry")
    assert all(isinstance(m, WebhookRetry) for m in found)
    return found


async def email_retries(sessions: SessionFactory) -> list[EmailRetry]:
    found = await outbox(sessions, "email.retry")
    assert all(isinstance(m, EmailRetry) for m in found)
    return found


async def store_directly(sessions: SessionFactory, sid: str, **columns: Any) -> None:
    """Write profile columns without the write-time checks: data stored before they existed."""
    async with sessions() as s:
        row = await s.get(CustomerProfile, sid)
        assert row is not None
        for name, value in columns.items():
            setattr(row, name, value)
        await s.commit()


class FakeDns:
    """A resolver for `NotifierDeps.resolve`: names given addresses without touching DNS, every
    lookup recorded; an unknown name fails as getaddrinfo does."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


def assert_signed(request: Received, auth_token: str, secret: str) -> None:
    """What a receiver checks: either signature, against the URL it was called on."""
    signature = request.headers["x-twilio-signature"]
    assert RequestValidator(auth_token).validate(request.url, request.form, signature)
    Webhook(secret).verify(request.body, request.headers, json_parse=False)
