"""GraphQL types of the delivery log (status callbacks and emails) and of a redelivery."""

from __future__ import annotations

from datetime import datetime

import strawberry

from .. import models
from ..services.deliveries import given_up
from .errors import UserError


@strawberry.type(description="One attempt to deliver a status callback or an email.")
class DeliveryAttempt:
    event_id: strawberry.ID
    channel: str
    target: str
    attempt: int
    succeeded: bool
    status_code: int | None
    error: str | None = strawberry.field(
        description="Why it failed: the HTTP status and its standard phrase, a timeout, a "
        "refused address… never the receiver's response body."
    )
    duration_ms: int | None
    next_attempt_at: datetime | None
    given_up: bool = strawberry.field(
        description="It failed and nothing more was scheduled: the attempts ran out, or "
        "retrying could not help (e.g. a target address that is not allowed). A given-up "
        "status callback can be redelivered (redeliverStatusCallback)."
    )
    attempted_at: datetime

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
    event_id: strawberry.ID | None
    attempt: int | None = strawberry.field(description="The number of the next attempt.")
    user_errors: list[UserError]
