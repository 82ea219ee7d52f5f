"""GraphQL types of the delivery log (status callbacks and emails) and of a redelivery."""

from __future__ import annotations

from datetime import datetime

import strawberry

from .. import models
from ..services.deliveries import given_up
from .errors import UserError


@strawberry.type(description="One attempt to deliver a status callback or an email.")
class DeliveryAttempt:
    event_id: strawberry.ID = strawberry.field(
        description="The status event delivered (the webhook-id header of a callback)."
    )
    channel: str = strawberry.field(description="WEBHOOK (status callback) or EMAIL.")
    target: str = strawberry.field(description="The callback URL or the email address.")
    attempt: int = strawberry.field(description="1 for the first attempt, then 2, 3…")
    succeeded: bool = strawberry.field(
        description="A 2xx answer from the callback, or the mail server accepting the email."
    )
    status_code: int | None = strawberry.field(
        description="The HTTP status the receiver answered; null when none came back."
    )
    error: str | None = strawberry.field(
        description="Why it failed: the HTTP status and its standard phrase, a timeout, a "
        "refused address… never the receiver's response body."
    )
    duration_ms: int | None = strawberry.field(description="How long the attempt took.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next retry is due; null after success or the last attempt."
    )
    given_up: bool = strawberry.field(
        description="It failed and nothing more was scheduled: the attempts ran out, or "
        "retrying could not help (e.g. a target address that is not allowed). A given-up "
        "status callback can be redelivered (redeliverStatusCallback)."
    )
    attempted_at: datetime = strawberry.field(description="When the attempt started (UTC).")

    @classmethod
    def from_row(cls, row: models.DeliveryAttempt) -> DeliveryAttempt:
        return cls(
            event_id=strawberry.ID(row.event_id),
            channel=row.channel,
            target=row.target,
            attempt=row.attempt,
            succeeded=row.succeeded,
            status_code=row.status_code,
            error=row.error,
            duration_ms=row.duration_ms,
            next_attempt_at=row.next_attempt_at,
            given_up=given_up(row),
            attempted_at=row.attempted_at,
        )


@strawberry.type(description="A new series of attempts scheduled for a given-up callback.")
class RedeliveryPayload:
    event_id: strawberry.ID | None = strawberry.field(description="The event redelivered.")
    attempt: int | None = strawberry.field(description="The number of the next attempt.")
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was scheduled (NOT_FOUND, CONFLICT…); empty on success."
    )
