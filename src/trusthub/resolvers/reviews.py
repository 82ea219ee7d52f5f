"""Human review (reviewer role): the queue, claims and decisions."""

from __future__ import annotations

import strawberry

from .. import models
from ..domain.errors import DomainError
from ..domain.reviews import ReviewOutcome, ReviewStatus
from ..messaging.messages import ReasonPayload
from ..schema import review_types as rt
from ..schema.connections import After, Before, First, Last, PageInfo
from ..schema.context import Info
from ..schema.enums import ReasonCode
from ..schema.errors import UserError
from ..services import reviews
from .common import ClientError, page_args, perform


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
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        status: ReviewStatus | None = None,
    ) -> rt.ReviewConnection:
        args = page_args(info, first, after, last, before)
        statuses = [status] if status else [ReviewStatus.ESCALATED, ReviewStatus.CLAIMED]
        try:
            async with info.context.sessions() as session:
                page = await reviews.review_queue(
                    session, info.context.actor, statuses=statuses, args=args
                )
        except DomainError as exc:
            raise ClientError(exc.errors[0].message) from None
        edges = [
            rt.ReviewEdge(cursor=c, node=rt.Review.from_row(r))
            for r, c in zip(page.rows, page.cursors, strict=True)
        ]
        return rt.ReviewConnection(
            edges=edges, page_info=PageInfo.of(page), total_count=page.total_count
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

    @strawberry.mutation(description="Publishes the decision; the decision consumer applies it.")
    async def decide_review(self, info: Info, input: DecideReviewInput) -> rt.ReviewPayload:
        decision = reviews.HumanDecision(
            review_sid=str(input.review_id),
            outcome=ReviewOutcome(input.outcome),
            reasons=[
                ReasonPayload(code=r.code.value, field=r.field, message=r.message)
                for r in input.reasons or []
            ],
        )
        row, errors = await perform(info, lambda s, a: reviews.decide_review(s, a, decision))
        return _payload(row, errors)
