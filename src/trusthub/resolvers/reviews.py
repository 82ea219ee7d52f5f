"""Human review (reviewer role): the queue, claims and decisions."""

from __future__ import annotations

from typing import Annotated

import strawberry

from .. import models
from ..domain.errors import DomainError
from ..domain.reviews import ReviewOutcome, ReviewStatus
from ..messaging.messages import ReasonPayload
from ..schema import review_types as rt
from ..schema.connections import After, Before, First, Last, PageInfo
from ..schema.context import Info
from ..schema.enums import ReasonCode
from ..schema.errors import ClientError, UserError
from ..schema.paging import page_args
from ..services import human_review as reviews
from .common import perform


@strawberry.input(description="One reason for a rejection or withdrawal, for the customer.")
class ReviewReasonInput:
    code: ReasonCode = strawberry.field(description="The category of the problem.")
    message: str = strawberry.field(description="What is wrong and what to do about it.")
    field: list[str] | None = strawberry.field(
        default=None,
        description='Path of the field at fault, e.g. ["address", "street1"]; left out '
        "for the subject as a whole.",
    )


@strawberry.input(description="A reviewer's decision on a review they hold.")
class DecideReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The review (RV…).")
    outcome: ReviewOutcome = strawberry.field(description="APPROVED or REJECTED.")
    reasons: list[ReviewReasonInput] | None = strawberry.field(
        default=None, description="Why; needed to reject."
    )


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
        status: Annotated[
            ReviewStatus | None,
            strawberry.argument(
                description="Only reviews in this status; ESCALATED and CLAIMED when left out."
            ),
        ] = None,
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
    @strawberry.mutation(
        description="Take an escalated review for CLAIM_TTL_SECONDS, so no other reviewer "
        "decides it meanwhile (reviewers)."
    )
    async def claim_review(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The review (RV…).")],
    ) -> rt.ReviewPayload:
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
    async def decide_review(
        self,
        info: Info,
        input: Annotated[
            DecideReviewInput, strawberry.argument(description="The review and the decision.")
        ],
    ) -> rt.ReviewPayload:
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
