"""`statusChanged`: every transition of one subject, or of all the caller's subjects."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from ..domain.enums import Role
from ..messaging.messages import RepresentativeVerificationChanged, StatusChanged
from ..schema.context import Info
from ..schema.errors import ClientError
from ..schema.events import shareable
from ..schema.review_types import StatusChangedEvent
from ..schema.verification_types import RepresentativeVerificationChangedEvent

# The hub hands one event to every subscriber that wants it: build its GraphQL object once,
# not once per subscriber, and mark it shareable, so that its result is executed once per
# operation too (schema/events.py). Recent events only; the object is plain immutable data.
_RECENT = 256
_views: OrderedDict[str, StatusChangedEvent] = OrderedDict()


def _view(event: StatusChanged) -> StatusChangedEvent:
    view = _views.get(event.event_id)
    if view is None:
        view = _views[event.event_id] = shareable(StatusChangedEvent.from_message(event))
        if len(_views) > _RECENT:
            _views.popitem(last=False)
    return view


@strawberry.type(description="Live events over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="Every status change, in order: of one subject, or of all your account's."
    )
    async def status_changed(
        self,
        info: Info,
        subject_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="A customer profile or trust product; every subject when left out."
            ),
        ] = None,
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
                if isinstance(event, StatusChanged):
                    yield _view(event)

    @strawberry.subscription(
        description="Every change of a representative verification: of one profile's "
        "representatives, or of all that the caller may see (reviewers: every account)."
    )
    async def representative_verification_changed(
        self,
        info: Info,
        customer_profile_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="One profile's representatives; all when left out."),
        ] = None,
    ) -> AsyncGenerator[RepresentativeVerificationChangedEvent, None]:
        ctx = info.context
        actor = ctx.actor
        sees_all = actor.role in (Role.ADMIN, Role.REVIEWER)
        if customer_profile_id is not None:
            row = await ctx.loaders.profile.load(str(customer_profile_id))
            if row is None or not (sees_all or ctx.can_see(row.account_sid)):
                raise ClientError(f"No object with id {str(customer_profile_id)!r}.")
        async with ctx.hub.subscribe(
            account_sid=None if sees_all else actor.account_sid,
            subject_sid=str(customer_profile_id) if customer_profile_id is not None else None,
            kind=RepresentativeVerificationChanged,
        ) as events:
            async for event in events:
                if isinstance(event, RepresentativeVerificationChanged):
                    yield RepresentativeVerificationChangedEvent.from_message(event)
