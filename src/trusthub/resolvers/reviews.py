"""Human review (reviewer role): the queue, claims and decisions."""

from __future__ import annotations

import strawberry

from .. import models
from ..domain.errors import DomainError
from ..domain.reviews import ReviewOutcome, ReviewStatus
from ..messaging.messages import ReasonPayload
from ..schema import review_types as rt
from ..schema.context import Info
from ..schema.enums import ReasonCode
from ..schema.errors import UserError
from ..schema.types import PageInfo
from ..services import human_review as reviews
from ..services.profiles import decode_cursor, encode_cursor
from .common import ClientError, page_size, perform


@strawberry.input
class ReviewReasonInput:
    code: ReasonCode
    message: str
    field: list[str] | None = None


@strawberry.input
class DecideReviewInput:
    review_id: strawberry.ID
    outcome: ReviewOutcome
    reasons: list[ReviewReasonInput] | None = None


def _payload(row: models.Review | None, errors: list[UserError]) -> rt.ReviewPayload:
    return rt.ReviewPayload(review=rt.Review.from_row(row) if row else None, user_errors=errors)


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="Open reviews of every account, most urgent first (reviewers).")
    async def review_queue(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: ReviewStatus | None = None,
    ) -> rt.ReviewConnection:
        size = page_size(info, first)
        statuses = [status] if status else [ReviewStatus.ESCALATED, ReviewStatus.CLAIMED]
        try:
            cursor = decode_cursor(after) if after else None
            async with info.context.sessions() as session:
                rows, more, total = await reviews.review_queue(
                    session, info.context.actor, statuses=statuses, first=size, after=cursor
                )
        except DomainError as exc:
            raise ClientError(exc.errors[0].message) from None
        edges = [
            rt.ReviewEdge(cursor=encode_cursor(r.due_at, r.sid), node=rt.Review.from_row(r))
            for r in rows
        ]
        return rt.ReviewConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
            total_count=total,
        )


@strawberry.type
class ReviewMutation:
    @strawberry.mutation
    async def claim_review(self, info: Info, id: strawberry.ID) -> rt.ReviewPayload:
        ttl = info.context.settings.claim_ttl_seconds
        row, errors = await perform(
            info, lambda s, a: reviews.claim_review(s, a, str(id), ttl_seconds=ttl)
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description="Publishes the decision; the decision consumer applies it. Under four-eyes "
        "review a first approval is recorded (awaitingConfirmation) until a second reviewer "
        "confirms it; a rejection applies at once."
    )
    async def decide_review(self, info: Info, input: DecideReviewInput) -> rt.ReviewPayload:
        decision = reviews.HumanDecision(
            review_sid=str(input.review_id),
            outcome=ReviewOutcome(input.outcome),
            reasons=[
                ReasonPayload(code=r.code.value, field=r.field, message=r.message)
                for r in input.reasons or []
            ],
        )
        four_eyes = info.context.settings.four_eyes_review
        row, errors = await perform(
            info, lambda s, a: reviews.decide_review(s, a, decision, four_eyes=four_eyes)
        )
        return _payload(row, errors)
