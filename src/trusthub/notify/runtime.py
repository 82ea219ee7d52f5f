"""Wiring the notifier's handlers to the webhooks and emails queues."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..config import Settings
from ..consumers.dead_letters import FailureRecorder
from ..consumers.runner import adapt
from ..db import SessionFactory
from ..messaging.broker import Broker, Consumer
from ..messaging.messages import (
    EmailRetry,
    Message,
    RepresentativeVerificationChanged,
    StatusChanged,
    WebhookRetry,
)
from ..transient import DependencyGate
from .deps import NotifierDeps, webhook_client
from .email import handle_email
from .verification_email import handle_verification_email
from .webhooks import handle_webhook


async def start_notifier(
    settings: Settings,
    sessions: SessionFactory,
    broker: Broker,
    *,
    gate: DependencyGate | None = None,
) -> tuple[list[Consumer], Callable[[], Awaitable[None]]]:
    http = webhook_client()
    deps = NotifierDeps.build(sessions, settings, broker.topology, http)

    async def webhook(message: Message) -> None:
        if isinstance(message, StatusChanged | WebhookRetry):
            await handle_webhook(message, deps)

    async def email(message: Message) -> None:
        verification = RepresentativeVerificationChanged
        if isinstance(message, verification) or (
            isinstance(message, EmailRetry) and isinstance(message.event, verification)
        ):
            await handle_verification_email(message, deps)
        elif isinstance(message, StatusChanged | EmailRetry):
            await handle_email(message, deps)

    failures = FailureRecorder(sessions)
    t = broker.topology
    limit = t.delivery_limit
    consumers = [
        await broker.consume(
            t.webhooks,
            adapt(
                webhook,
                name="webhooks",
                gate=gate,
                record_failure=failures,
                queue=t.webhooks,
                delivery_limit=limit,
            ),
        ),
        await broker.consume(
            t.emails,
            adapt(
                email,
                name="emails",
                gate=gate,
                record_failure=failures,
                queue=t.emails,
                delivery_limit=limit,
            ),
        ),
    ]
    return consumers, http.aclose
