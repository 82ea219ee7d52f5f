"""`requestRepresentativeVerification` (reviewers)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..schema import verification_types as vt
from ..schema.context import Info
from ..services import verifications
from .common import perform


@strawberry.type
class VerificationMutation:
    @strawberry.mutation(
        description="Emails the authorized representative a single-use link to confirm or "
        "decline that they represent the business (reviewers; a new request voids the last)."
    )
    async def request_representative_verification(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The authorized representative (IT…).")
        ],
    ) -> vt.RepresentativeVerificationPayload:
        keys = verifications.link_keys(info.context.settings)
        row, errors = await perform(
            info, lambda s, a: verifications.request_verification(s, a, str(id), keys)
        )
        if row is None:
            return vt.RepresentativeVerificationPayload(user_errors=errors)
        return vt.RepresentativeVerificationPayload(
            representative_id=strawberry.ID(row.representative_sid),
            verification=vt.RepresentativeVerification.from_row(row),
        )
