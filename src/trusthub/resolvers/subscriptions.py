"""`statusChanged`: every transition of one subject, or of all the caller's subjects."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from ..schema.context import Info
from ..schema.review_types import StatusChangedEvent
from .common import ClientError


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def status_changed(
        self, info: Info, subject_id: strawberry.ID | None = None
    ) -> AsyncGenerator[StatusChangedEvent, None]:
        ctx = info.context
        actor = ctx.actor
        if subject_id is not None:
            row = await ctx.loaders.profile.load(str(subject_id)) or await ctx.loaders.product.load(
                str(subject_id)
            )
            if row is None or not ctx.can_see(row.account_sid):
                raise ClientError(f"No object with id {str(subject_id)!r}.")
        account = None if actor.is_admin else actor.account_sid
        subject = str(subject_id) if subject_id is not None else None
        async with ctx.hub.subscribe(account_sid=account, subject_sid=subject) as events:
            async for event in events:
                yield StatusChangedEvent.from_message(event)
