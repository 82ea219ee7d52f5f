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
from .enums import Status, graphql_enum
from .errors import UserError
from .types import Account, CustomerProfile, Node, ReviewReason, StatusChange

graphql_enum(
    ReviewStatus,
    "Where a review stands.",
    {
        "PENDING": "With the automated reviewer.",
        "ESCALATED": "Waiting in the queue for a human reviewer (also a claim that lapsed).",
        "CLAIMED": "A human reviewer holds it until claimExpiresAt.",
        "DECIDED": "Decided; the outcome is applied to the subject.",
    },
)
graphql_enum(
    ReviewOutcome,
    "A reviewer's decision.",
    {
        "APPROVED": "The subject is vetted and goes into force.",
        "REJECTED": "The subject is turned back with reasons for the customer to fix.",
    },
)


@strawberry.type(description="One reviewer's approval of a review.")
class ReviewApproval:
    reviewer_id: strawberry.ID = strawberry.field(description="The approving reviewer's SID (AC…).")
    at: datetime = strawberry.field(description="When the approval was given (UTC).")

    @strawberry.field(description="The approving reviewer's account.")
    async def reviewer(self, info: Info) -> Account | None:
        row = await info.context.loaders.account.load(str(self.reviewer_id))
        return Account.from_row(row) if row else None


@strawberry.type(
    description="What a review is about after its customer deleted it (only DRAFT and "
    "REJECTED subjects can be deleted): the review keeps its decision, and reviewers keep "
    "the subject's status history; its data is gone."
)
class DeletedSubject(Node):
    subject_type: str = strawberry.field(description="CUSTOMER_PROFILE or TRUST_PRODUCT.")

    @strawberry.field(description="When it was deleted (from the audit log).")
    async def deleted_at(self, info: Info) -> datetime | None:
        entries = await info.context.loaders.audit_by_subject.load(str(self.id))
        deletions = [e.at for e in entries if e.action == "delete"]
        return deletions[-1] if deletions else None

    @strawberry.field(description="Every status change the subject went through.")
    async def history(self, info: Info) -> list[StatusChange]:
        rows = await info.context.loaders.history_by_subject.load(str(self.id))
        return [StatusChange.from_row(r) for r in rows]


@strawberry.type(description="The vetting of one submission (SID prefix RV); reviewers only.")
class Review(Node):
    row: strawberry.Private[models.Review]
    subject_type: str = strawberry.field(description="CUSTOMER_PROFILE or TRUST_PRODUCT.")
    submitted_at: datetime = strawberry.field(description="When the subject was submitted.")
    due_at: datetime = strawberry.field(
        description="When a decision is due (REVIEW_SLA_HOURS after submission)."
    )
    claim_expires_at: datetime | None = strawberry.field(
        description="When the current claim lapses and the review returns to the queue."
    )
    outcome: ReviewOutcome | None = strawberry.field(description="The decision; null until then.")
    reasons: list[ReviewReason] = strawberry.field(
        description="The reasons given with a rejection; empty otherwise."
    )
    escalation_reason: str | None = strawberry.field(
        description="Why the automated reviewer handed it to a human."
    )
    decided_at: datetime | None = strawberry.field(description="When it was decided.")

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

    @strawberry.field(
        description="The first approval, then the confirming one (four-eyes review); a single "
        "approval when one reviewer decided."
    )
    def approvals(self) -> list[ReviewApproval]:
        return [
            ReviewApproval(
                reviewer_id=strawberry.ID(a["reviewer"]), at=datetime.fromisoformat(a["at"])
            )
            for a in self.row.approvals
        ]

    @strawberry.field(description="An approval waits for a second, different reviewer.")
    def awaiting_confirmation(self) -> bool:
        return self.row.awaiting_confirmation and self.current_status() is not ReviewStatus.DECIDED

    @strawberry.field(
        description="The customer profile or trust product under review; a DeletedSubject "
        "once its customer has deleted it."
    )
    async def subject(self, info: Info) -> Node:
        # Reviewers read the subject of any account's review.
        from .product_types import TrustProduct

        found: Node | None
        if self.row.subject_type == SubjectType.TRUST_PRODUCT.value:
            product = await info.context.loaders.product.load(self.row.subject_sid)
            found = TrustProduct.from_row(product) if product else None
        else:
            profile = await info.context.loaders.profile.load(self.row.subject_sid)
            found = CustomerProfile.from_row(profile) if profile else None
        if found is None:
            return DeletedSubject(
                id=strawberry.ID(self.row.subject_sid), subject_type=self.row.subject_type
            )
        return found

    @strawberry.field(description="The reviewer holding the claim; null when not CLAIMED.")
    async def claimed_by(self, info: Info) -> Account | None:
        if self.row.claimed_by is None or self.current_status() is not ReviewStatus.CLAIMED:
            return None
        row = await info.context.loaders.account.load(self.row.claimed_by)
        return Account.from_row(row) if row else None


@strawberry.type(description="A review in a connection, with its cursor.")
class ReviewEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as after or before.")
    node: Review = strawberry.field(description="The review.")


@strawberry.type(description="A page of the review queue, the most urgent (earliest due) first.")
class ReviewConnection:
    edges: list[ReviewEdge] = strawberry.field(description="The page, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page sits; cursors to go on.")
    total_count: int = strawberry.field(description="How many reviews are in the queue.")


@strawberry.type(description="The result of a review mutation.")
class ReviewPayload:
    review: Review | None = strawberry.field(
        default=None, description="The review as it now stands; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the mutation was refused; empty on success."
    )


@strawberry.type(description="A status change of a customer profile or trust product.")
class StatusChangedEvent:
    event_id: strawberry.ID = strawberry.field(
        description="Unique per change; the same id as the status callback's EventId."
    )
    subject_id: strawberry.ID = strawberry.field(description="The object whose status changed.")
    subject_type: str = strawberry.field(description="CUSTOMER_PROFILE or TRUST_PRODUCT.")
    previous_status: Status | None = strawberry.field(description="The status before.")
    status: Status = strawberry.field(description="The status now.")
    reasons: list[ReviewReason] = strawberry.field(
        description="The reasons of a rejection; empty otherwise."
    )
    occurred_at: datetime = strawberry.field(description="When the change happened (UTC).")
    sequence: int = strawberry.field(
        description="Numbers the subject's changes in order (the callback's Sequence): order by it."
    )

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
