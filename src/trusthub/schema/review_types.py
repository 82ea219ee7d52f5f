"""GraphQL types of the review half: reviews, status events, the delivery log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from .. import models
from ..domain.enums import SubjectType
from ..domain.reviews import ReviewOutcome, ReviewStatus, effective_status, is_breached
from ..messaging.messages import StatusChanged
from ..models.base import utcnow
from .connections import PageInfo
from .context import Info
from .enums import Status
from .errors import UserError
from .types import Account, CustomerProfile, Node, ReviewReason

strawberry.enum(ReviewStatus, name="ReviewStatus")
strawberry.enum(ReviewOutcome, name="ReviewOutcome")


@strawberry.type
class Review(Node):
    row: strawberry.Private[models.Review]
    subject_type: str
    submitted_at: datetime
    due_at: datetime
    claim_expires_at: datetime | None
    outcome: ReviewOutcome | None
    reasons: list[ReviewReason]
    escalation_reason: str | None
    decided_at: datetime | None

    @classmethod
    def from_row(cls, row: models.Review) -> Review:
        return cls(
            row=row,
            id=strawberry.ID(row.sid),
            subject_type=row.subject_type,
            submitted_at=row.submitted_at,
            due_at=row.due_at,
            claim_expires_at=row.claim_expires_at,
            outcome=ReviewOutcome(row.outcome) if row.outcome else None,
            reasons=[ReviewReason.from_dict(r) for r in row.reasons],
            escalation_reason=row.escalation_reason,
            decided_at=row.decided_at,
        )

    def current_status(self) -> ReviewStatus:
        return effective_status(self.row.status, self.row.claim_expires_at, utcnow())

    @strawberry.field(description="CLAIMED reviews whose claim lapsed read as ESCALATED.")
    def status(self) -> ReviewStatus:
        return self.current_status()

    @strawberry.field(description="Seconds since submission (until the decision, once decided).")
    def age_seconds(self) -> int:
        end = self.row.decided_at or utcnow()
        return int((end - self.row.submitted_at).total_seconds())

    @strawberry.field(description="Whether the review missed (or is missing) its due time.")
    def breached(self) -> bool:
        return is_breached(self.row.due_at, self.row.decided_at, utcnow())

    @strawberry.field
    async def subject(self, info: Info) -> Node:
        # Reviewers read the subject of any account's review.
        from .product_types import TrustProduct

        if self.row.subject_type == SubjectType.TRUST_PRODUCT.value:
            product = await info.context.loaders.product.load(self.row.subject_sid)
            assert product is not None  # a subject in review cannot be deleted
            return TrustProduct.from_row(product)
        row = await info.context.loaders.profile.load(self.row.subject_sid)
        assert row is not None  # a subject in review cannot be deleted
        return CustomerProfile.from_row(row)

    @strawberry.field
    async def claimed_by(self, info: Info) -> Account | None:
        if self.row.claimed_by is None or self.current_status() is not ReviewStatus.CLAIMED:
            return None
        row = await info.context.loaders.account.load(self.row.claimed_by)
        return Account.from_row(row) if row else None


@strawberry.type
class ReviewEdge:
    cursor: str
    node: Review


@strawberry.type
class ReviewConnection:
    edges: list[ReviewEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class ReviewPayload:
    review: Review | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StatusChangedEvent:
    event_id: strawberry.ID
    subject_id: strawberry.ID
    subject_type: str
    previous_status: Status | None
    status: Status
    reasons: list[ReviewReason]
    occurred_at: datetime
    sequence: int

    @classmethod
    def from_message(cls, event: StatusChanged) -> StatusChangedEvent:
        return cls(
            event_id=strawberry.ID(event.event_id),
            subject_id=strawberry.ID(event.subject_sid),
            subject_type=event.subject_type,
            previous_status=Status(event.previous_status) if event.previous_status else None,
            status=Status(event.status),
            reasons=[ReviewReason.from_dict(r.model_dump()) for r in event.reasons],
            occurred_at=event.occurred_at,
            sequence=event.sequence,
        )
