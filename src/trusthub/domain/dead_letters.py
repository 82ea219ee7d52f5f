"""What a dead letter says about itself: where and why it died (RabbitMQ's `x-death` headers,
which the in-process broker writes the same way), how often it was delivered, and the error
text worth keeping. Pure functions: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

UNDECODABLE = "undecodable"
ERROR_MAX = 1000
UNKNOWN = "unknown"
# Reasons RabbitMQ gives in x-death (and the in-process broker copies).
DELIVERY_LIMIT = "delivery_limit"
REJECTED = "rejected"
EXPIRED = "expired"


@dataclass(frozen=True)
class Death:
    """The death that brought a message to the dead-letter queue."""

    queue: str
    reason: str
    exchange: str
    routing_key: str
    dead_at: datetime | None


def last_death(headers: Mapping[str, Any]) -> Death | None:
    """The most recent death: `x-death` lists them newest first (a webhook retry that expired in
    a delay queue, then kept failing in `<ns>.webhooks`, has two). Without `x-death`, the
    `x-first-death-*` headers; None when the message carries neither."""
    deaths = headers.get("x-death")
    if isinstance(deaths, list | tuple) and deaths and isinstance(deaths[0], Mapping):
        entry = deaths[0]
        keys = entry.get("routing-keys") or []
        return Death(
            queue=str(entry.get("queue") or UNKNOWN),
            reason=str(entry.get("reason") or UNKNOWN),
            exchange=str(entry.get("exchange") or ""),
            routing_key=str(keys[0]) if isinstance(keys, list | tuple) and keys else "",
            dead_at=_utc(entry.get("time")),
        )
    queue = headers.get("x-first-death-queue")
    if queue is None:
        return None
    return Death(
        queue=str(queue),
        reason=str(headers.get("x-first-death-reason") or UNKNOWN),
        exchange=str(headers.get("x-first-death-exchange") or ""),
        routing_key="",
        dead_at=None,
    )


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def deliveries(reason: str, delivery_limit: int, failed_delivery: int | None) -> int:
    """How often the message was delivered before it died. The dead-letter queue counts its own
    deliveries afresh, so this is worked out: a quorum queue dead-letters on the delivery after
    the limit; otherwise the last failed delivery the consumer recorded tells (a rejected
    message was delivered at least once, an expired one perhaps never)."""
    if reason == DELIVERY_LIMIT:
        return delivery_limit + 1
    if failed_delivery is not None:
        return failed_delivery + 1
    return 0 if reason == EXPIRED else 1


def describe_error(error: BaseException) -> str:
    """The error text kept for an operator: the exception's type and message, without what
    could carry personal data beyond it — a body that failed validation is summarised by field
    and problem (not its values), a failed SQL statement loses its statement and parameters."""
    if isinstance(error, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
            for e in error.errors(include_url=False, include_input=False, include_context=False)
        )
        text = f"{UNDECODABLE}: {problems}"
    else:
        message = str(error).split("\n[SQL:", 1)[0].strip()
        text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return clip(text, ERROR_MAX)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
