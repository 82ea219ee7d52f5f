"""Status callbacks: a signed, form-encoded POST to the subject's URL for every status change,
retried through the delay queues until delivered or `webhook_max_attempts` is reached.

One message is one attempt. Its outcome (the delivery log row) and the next attempt (a
`WebhookRetry` outbox row) commit together, so the message is acked only once both are stored; a
redelivered message whose attempt is already logged is a no-op. The HTTP request runs outside any
database transaction, so a slow receiver never holds a connection or a lock."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from ..messaging.messages import StatusChanged, WebhookRetry
from ..models import Account, DeliveryAttempt
from ..models.base import utcnow
from ..services.deliveries import Channel, clip_error, was_delivered
from ..services.outbox import enqueue
from ..services.subjects import load_subject
from .deps import NotifierDeps
from .signing import standard_webhooks_headers, twilio_signature

log = logging.getLogger(__name__)

BACKOFF_BASE_MS = 1_000
BACKOFF_FACTOR = 2
BACKOFF_CAP_MS = 3_600_000
BODY_SNIPPET_BYTES = 256


@dataclass(frozen=True)
class Target:
    url: str
    auth_token: str
    webhook_secret: str


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str | None = None  # None: delivered
    retry_after_ms: int | None = None

    @property
    def delivered(self) -> bool:
        return self.error is None


# -- the request ------------------------------------------------------------------------------


def callback_fields(event: StatusChanged) -> dict[str, str]:
    """The form fields of a status callback (DESIGN.md, Notifications)."""
    reasons = [r.model_dump() for r in event.reasons]
    return {
        "AccountSid": event.account_sid,
        "Sid": event.subject_sid,
        "SubjectType": event.subject_type,
        "Status": event.status,
        "PreviousStatus": event.previous_status or "",
        "Reasons": json.dumps(reasons, separators=(",", ":")),
        "EventId": event.event_id,
        "OccurredAt": event.occurred_at.astimezone(UTC)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z"),
    }


def signed_request(
    target: Target, event: StatusChanged, timestamp: int
) -> tuple[str, dict[str, str]]:
    """The body and headers of one attempt: the same `webhook-id` (the event id) on every attempt
    so that receivers can drop duplicates; the timestamp is the attempt's own."""
    fields = callback_fields(event)
    body = urlencode(fields)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio_signature(target.auth_token, target.url, fields),
        **standard_webhooks_headers(target.webhook_secret, event.event_id, timestamp, body),
    }
    return body, headers


async def _post(deps: NotifierDeps, target: Target, event: StatusChanged) -> Outcome:
    started_at, started = utcnow(), time.monotonic()
    try:
        body, headers = signed_request(target, event, int(time.time()))
    except ValueError as exc:  # an unusable whsec_ secret: logged, retried (it may be rotated)
        return Outcome(started_at, 0, error=f"cannot sign the callback: {exc}")
    timeout = deps.settings.webhook_timeout_seconds
    status_code: int | None = None
    error: str | None = None
    retry_after: int | None = None
    try:
        # httpx's timeout bounds each read; this one bounds the whole attempt (a trickling
        # receiver cannot hold the notifier).
        async with asyncio.timeout(timeout):
            request = deps.http.stream(
                "POST", target.url, content=body, headers=headers, timeout=timeout
            )
            async with request as response:
                status_code = response.status_code
                if not response.is_success:
                    snippet = await _snippet(response)
                    error = f"HTTP {status_code}" + (f": {snippet}" if snippet else "")
                    retry_after = retry_after_ms(response.headers.get("Retry-After"), utcnow())
    except (TimeoutError, httpx.TimeoutException):
        error = f"timed out after {timeout:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(started_at, duration_ms, status_code, error, retry_after)


async def _snippet(response: httpx.Response) -> str:
    """The start of an error response, for the delivery log (never the whole body)."""
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= BODY_SNIPPET_BYTES:
            break
    return data[:BODY_SNIPPET_BYTES].decode("utf-8", "replace").strip()


# -- when to try again ------------------------------------------------------------------------


def retry_after_ms(value: str | None, now: datetime) -> int | None:
    """`Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; None if absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value) * 1000
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - now).total_seconds() * 1000))


def backoff_ms(attempt: int, rand: Callable[[], float] = random.random) -> int:
    """Exponential backoff with "equal jitter" after attempt number `attempt`: the ceiling is
    1 s · 2^(attempt-1); half of it is fixed (so waits grow attempt after attempt), half random
    (so a burst of failing callbacks does not come back in lockstep)."""
    ceiling = min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * BACKOFF_FACTOR ** min(attempt - 1, 32))
    return int(ceiling / 2 + rand() * ceiling / 2)


def wanted_delay_ms(attempt: int, retry_after: int | None) -> int:
    """The backoff, or the receiver's `Retry-After` when it asks for longer."""
    return max(backoff_ms(attempt), retry_after or 0)


# -- the handler ------------------------------------------------------------------------------


async def handle_webhook(message: StatusChanged | WebhookRetry, deps: NotifierDeps) -> None:
    """Make one delivery attempt of a status callback, log it, and schedule the next on failure."""
    event, attempt = (
        (message.event, message.attempt) if isinstance(message, WebhookRetry) else (message, 1)
    )
    async with deps.sessions() as session:
        if await was_delivered(session, event.event_id, Channel.WEBHOOK, or_attempt=attempt):
            return
        target = await _target(session, event)
    if target is None:
        return
    outcome = await _post(deps, target, event)
    async with deps.sessions() as session:
        _record(session, deps, event, attempt, target, outcome)
        await session.commit()


async def _target(session: AsyncSession, event: StatusChanged) -> Target | None:
    """The subject's callback URL (read at each attempt: the customer may have changed it) and
    its account's signing secrets; None when there is nothing to call."""
    profile = await load_subject(session, event.subject_type, event.subject_sid)
    if profile is None or not profile.status_callback:
        return None
    account = await session.get(Account, profile.account_sid)
    if account is None:
        return None
    return Target(profile.status_callback, account.auth_token, account.webhook_secret)


def _record(
    session: AsyncSession,
    deps: NotifierDeps,
    event: StatusChanged,
    attempt: int,
    target: Target,
    outcome: Outcome,
) -> None:
    """The attempt's log row and, after a failure with attempts left, the next attempt."""
    next_attempt_at, error = None, outcome.error
    if not outcome.delivered:
        if attempt < deps.settings.webhook_max_attempts:
            delay_ms = deps.topology.retry_delay_for(
                wanted_delay_ms(attempt, outcome.retry_after_ms)
            )
            enqueue(session, WebhookRetry(event=event, attempt=attempt + 1, delay_ms=delay_ms))
            next_attempt_at = utcnow() + timedelta(milliseconds=delay_ms)
        else:
            error = f"{error}; gave up after {attempt} attempts"
        log.warning(
            "webhook %s attempt %d to %s failed: %s", event.event_id, attempt, target.url, error
        )
    session.add(
        DeliveryAttempt(
            account_sid=event.account_sid,
            subject_sid=event.subject_sid,
            event_id=event.event_id,
            channel=Channel.WEBHOOK.value,
            target=target.url,
            attempt=attempt,
            succeeded=outcome.delivered,
            status_code=outcome.status_code,
            error=clip_error(error),
            duration_ms=outcome.duration_ms,
            next_attempt_at=next_attempt_at,
            attempted_at=outcome.started_at,
        )
    )
