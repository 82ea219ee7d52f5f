"""GraphQL types of the review half: reviews, status events, the delivery log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from .. import models
from ..domain.enums import SubjectType
from ..domain.reviews import ReviewOutcome, ReviewStatus, effective_status, is_breached
from ..messaging.messages import StatusChanged
from ..models.base import utcnow
from .context import Info
from .enums import Status
from .errors import UserError
from .types import Account, CustomerProfile, Node, PageInfo, ReviewReason, StatusChange

strawberry.enum(ReviewStatus, name="ReviewStatus")
strawberry.enum(ReviewOutcome, name="ReviewOutcome")


@strawberry.type(description="One reviewer's approval of a review.")
class ReviewApproval:
    reviewer_id: strawberry.ID
    at: datetime

    @strawberry.field
    async def reviewer(self, info: Info) -> Account | None:
        row = await info.context.loaders.account.load(str(self.reviewer_id))
        return Account.from_row(row) if row else None


@strawberry.type(
    description="What a review is about after its customer deleted it (only DRAFT and "
    "REJECTED subjects can be deleted): the review keeps its decision, and reviewers keep "
    "the subject's status history; its data is gone."
)
class DeletedSubject(Node):
    subject_type: str

    @strawberry.field(description="When it was deleted (from the audit log).")
    async def deleted_at(self, info: Info) -> datetime | None:
        entries = await info.context.loaders.audit_by_subject.load(str(self.id))
        deletions = [e.at for e in entries if e.action == "delete"]
        return deletions[-1] if deletions else None

    @strawberry.field
    async def history(self, info: Info) -> list[StatusChange]:
        rows = await info.context.loaders.history_by_subject.load(str(self.id))
        return [StatusChange.from_row(r) for r in rows]


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

    @strawberry.field(description="A DeletedSubject once its customer has deleted it.")
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
