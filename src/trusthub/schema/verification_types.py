"""Representative verification on the GraphQL surface."""

from __future__ import annotations

from datetime import datetime

import strawberry

from .. import models
from ..domain.verification import VerificationStatus
from ..messaging.messages import RepresentativeVerificationChanged
from .enums import graphql_enum
from .errors import UserError

graphql_enum(
    VerificationStatus,
    "Where a representative's confirmation of the business identity stands.",
    {
        "NOT_REQUESTED": "Nobody asked the representative yet (or their details changed since).",
        "PENDING": "A link was emailed; no answer yet.",
        "CONFIRMED": "The representative confirmed through the link.",
        "DECLINED": "The representative declined through the link.",
        "EXPIRED": "The link expired unanswered (REP_VERIFICATION_TTL_HOURS).",
    },
)


@strawberry.type(
    description="A reviewer's request that an authorized representative confirm the business "
    "identity through an emailed single-use link, and its answer."
)
class RepresentativeVerification:
    status: VerificationStatus = strawberry.field(description="Where the request stands.")
    requested_at: datetime | None = strawberry.field(
        default=None, description="When the link was sent; null before."
    )
    responded_at: datetime | None = strawberry.field(
        default=None, description="When the representative answered; null before."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the link stops working."
    )

    @classmethod
    def from_row(cls, row: models.RepresentativeVerification | None) -> RepresentativeVerification:
        if row is None:
            return cls(status=VerificationStatus.NOT_REQUESTED)
        return cls(
            status=VerificationStatus(row.status),
            requested_at=row.requested_at,
            responded_at=row.responded_at,
            expires_at=row.expires_at,
        )


@strawberry.type(description="The result of asking a representative to confirm.")
class RepresentativeVerificationPayload:
    representative_id: strawberry.ID | None = strawberry.field(
        default=None, description="The representative asked (IT…)."
    )
    verification: RepresentativeVerification | None = strawberry.field(
        default=None, description="The request as it now stands."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was sent."
    )


@strawberry.type(
    description="One change of a representative's verification (sent to reviewers and the "
    "profile's account)."
)
class RepresentativeVerificationChangedEvent:
    """One change of a representative's verification (plain data, shared by subscribers)."""

    representative_id: strawberry.ID = strawberry.field(description="The representative (IT…).")
    customer_profile_id: strawberry.ID = strawberry.field(description="Their profile (BU…).")
    position: int = strawberry.field(description="Representative 1 or 2.")
    previous_status: VerificationStatus = strawberry.field(description="The status before.")
    verification: RepresentativeVerification = strawberry.field(description="The status now.")
    occurred_at: datetime = strawberry.field(description="When it changed (UTC).")

    @classmethod
    def from_message(
        cls, event: RepresentativeVerificationChanged
    ) -> RepresentativeVerificationChangedEvent:
        return cls(
            representative_id=strawberry.ID(event.representative_sid),
            customer_profile_id=strawberry.ID(event.profile_sid),
            position=event.position,
            previous_status=VerificationStatus(event.previous_status),
            verification=RepresentativeVerification(
                status=VerificationStatus(event.status),
                requested_at=event.requested_at,
                responded_at=event.responded_at,
                expires_at=event.expires_at,
            ),
            occurred_at=event.occurred_at,
        )
