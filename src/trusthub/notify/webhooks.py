"""Status callbacks: a signed, form-encoded POST to the subject's URL for every status change,
retried through the delay queues until delivered or `webhook_max_attempts` is reached.

One message is one attempt. Its outcome (the delivery log row) and the next attempt (a
`WebhookRetry` outbox row) commit together, so the message is acked only once both are stored; a
redelivered message whose attempt is already logged is a no-op. The HTTP request runs outside any
database transaction, so a slow receiver never holds a connection or a lock. Whatever the stored
URL, the receiver or the event hold, an attempt ends as a logged outcome, never as an exception
that would have the message redelivered until it is dead-lettered."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC
from http import HTTPStatus
from urllib.parse import urlencode

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.retries import retry_after_ms
from ..messaging.messages import StatusChanged, WebhookRetry
from ..models import Account
from ..models.base import utcnow
from ..services.deliveries import Attempt, Channel, Outcome, record_attempt, was_delivered
from ..services.profiles import callback_rules
from ..services.subjects import load_subject
from ..tracing import outgoing_headers, webhook_span
from .deps import NotifierDeps
from .signing import standard_webhooks_headers, twilio_signature
from .targets import Route, TargetNotAllowed, TargetUnresolved, parse_target, routes


@dataclass(frozen=True)
class Target:
    url: str
    auth_token: str
    webhook_secret: str


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
        # Per subject, the subscription event's `sequence`: receivers order callbacks by it
        # (retries and parallel notifiers can deliver a later change first).
        "Sequence": str(event.sequence),
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


@dataclass(frozen=True)
class _Result:
    status_code: int | None = None
    error: str | None = None
    retry_after_ms: int | None = None
    permanent: bool = False


async def _post(deps: NotifierDeps, target: Target, event: StatusChanged) -> Outcome:
    started_at, started = utcnow(), time.monotonic()
    with webhook_span(event.subject_sid, event.event_id) as span:
        result = await _attempt(deps, target, event)
        if span is not None and result.status_code is not None:
            span.set_attribute("http.response.status_code", result.status_code)
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(
        started_at,
        duration_ms,
        status_code=result.status_code,
        error=result.error,
        retry_after_ms=result.retry_after_ms,
        permanent=result.permanent,
    )


async def _attempt(deps: NotifierDeps, target: Target, event: StatusChanged) -> _Result:
    try:
        body, headers = signed_request(target, event, int(time.time()))
    except ValueError as exc:  # an unusable whsec_ secret: logged, retried (it may be rotated)
        return _Result(error=f"cannot sign the callback: {exc}")
    timeout = deps.settings.webhook_timeout_seconds
    rules = callback_rules(deps.settings)
    try:
        # httpx's timeout bounds each read; this one bounds the whole attempt, name resolution
        # included (a trickling receiver cannot hold the notifier).
        async with asyncio.timeout(timeout):
            url = parse_target(target.url, rules)
            choices = await routes(url, rules, deps.resolve)
            return await _send(deps, choices, body, headers)
    except TargetNotAllowed as exc:
        return _Result(error=str(exc), permanent=True)
    except TargetUnresolved as exc:
        return _Result(error=str(exc))
    except (TimeoutError, httpx.TimeoutException):
        return _Result(error=f"timed out after {timeout:g} s")


async def _send(
    deps: NotifierDeps, choices: list[Route], body: str, headers: dict[str, str]
) -> _Result:
    """POST to the first checked address that accepts a connection; the response body is
    never read (the delivery log shows the status, not what an arbitrary server answered)."""
    result = _Result(error="no address to call")
    for route in choices:
        try:
            request = deps.http.build_request(
                "POST",
                route.url,
                content=body,
                headers={**headers, **outgoing_headers(), "Host": route.host_header},
                extensions=route.extensions(),
                timeout=deps.settings.webhook_timeout_seconds,
            )
        except (httpx.InvalidURL, ValueError) as exc:  # e.g. a header that cannot be encoded
            return _Result(error=f"cannot build the request: {_describe(exc)}", permanent=True)
        try:
            response = await deps.http.send(request, stream=True)
        except httpx.ConnectError as exc:
            result = _Result(error=_describe(exc))
            continue  # the name's next address, if it has several
        except httpx.LocalProtocolError as exc:  # our request is malformed: retrying won't help
            return _Result(error=f"cannot send the request: {_describe(exc)}", permanent=True)
        except httpx.TimeoutException:
            raise
        except httpx.HTTPError as exc:
            return _Result(error=_describe(exc))
        await response.aclose()
        if response.is_success:
            return _Result(status_code=response.status_code)
        return _Result(
            status_code=response.status_code,
            error=_status_error(response.status_code),
            retry_after_ms=retry_after_ms(response.headers.get("Retry-After"), utcnow()),
        )
    return result


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _status_error(code: int) -> str:
    """`HTTP 503 Service Unavailable`: the code and its standard phrase, not the receiver's
    own reason phrase or body (a short reason the customer can act on, nothing more)."""
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


# -- the handler ------------------------------------------------------------------------------


async def handle_webhook(message: StatusChanged | WebhookRetry, deps: NotifierDeps) -> None:
    """Make one delivery attempt of a status callback, log it, and schedule the next on failure."""
    if isinstance(message, WebhookRetry):
        event, number, first = message.event, message.attempt, message.first_attempt
    else:
        event, number, first = message, 1, 1
    async with deps.sessions() as session:
        if await was_delivered(session, event.event_id, Channel.WEBHOOK, or_attempt=number):
            return
        target = await _target(session, event)
    if target is None:
        return
    outcome = await _post(deps, target, event)
    async with deps.sessions() as session:
        record_attempt(
            session,
            Attempt(Channel.WEBHOOK, event, number, first, target.url),
            outcome,
            max_attempts=deps.settings.webhook_max_attempts,
            delays_ms=deps.topology.retry_delays_ms,
        )
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
