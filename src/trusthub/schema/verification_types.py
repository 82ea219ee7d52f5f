"""Representative verification on the GraphQL surface."""

from __future__ import annotations

from datetime import datetime

import strawberry

from .. import models
from ..domain.verification import VerificationStatus
from ..messaging.messages import RepresentativeVerificationChanged
from .errors import UserError

strawberry.enum(VerificationStatus, name="VerificationStatus")


@strawberry.type
class RepresentativeVerification:
    status: VerificationStatus
    requested_at: datetime | None = None
    responded_at: datetime | None = None
    expires_at: datetime | None = None

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


@strawberry.type
class RepresentativeVerificationPayload:
    representative_id: strawberry.ID | None = None
    verification: RepresentativeVerification | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RepresentativeVerificationChangedEvent:
    """One change of a representative's verification (plain data, shared by subscribers)."""

    representative_id: strawberry.ID
    customer_profile_id: strawberry.ID
    position: int
    previous_status: VerificationStatus
    verification: RepresentativeVerification
    occurred_at: datetime

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
