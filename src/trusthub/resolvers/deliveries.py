"""The delivery log's mutation: redeliver a given-up status callback of the caller's account."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..schema.context import Info
from ..schema.delivery_types import RedeliveryPayload
from ..services import redelivery
from .common import perform


@strawberry.type
class DeliveryMutation:
    @strawberry.mutation(
        description="Schedule a new series of attempts of a status callback that was given up "
        "(see deliveryAttempts.givenUp), to the subject's current statusCallback. Its first "
        "attempt follows within seconds; the delivery log shows it."
    )
    async def redeliver_status_callback(
        self,
        info: Info,
        event_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The status event (deliveryAttempts.eventId)."),
        ],
    ) -> RedeliveryPayload:
        delay_ms = min(info.context.settings.webhook_retry_delays_ms)
        retry, errors = await perform(
            info,
            lambda s, a: redelivery.redeliver(
                s,
                str(event_id),
                account_sid=None if a.is_admin else a.account_sid,
                delay_ms=delay_ms,
            ),
        )
        return RedeliveryPayload(
            event_id=event_id if retry else None,
            attempt=retry.attempt if retry else None,
            user_errors=errors,
        )
