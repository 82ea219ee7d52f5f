"""The automated reviewer's representative rule (AUTO_VERIFY_REPRESENTATIVES): a clean profile
whose representatives' emails are not at the website's domain is held IN_REVIEW while they are
asked to confirm; `services/verification_reviews.py` carries the review on from their answers."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.verification import VerificationStatus, positions_to_verify
from ..domain.vetting.rules import website_domain
from ..models import AuthorizedRepresentative, CustomerProfile, RepresentativeVerification
from .reviews import AUTOMATED_REVIEWER
from .verifications import LinkKeys, answer_as_sandbox, ask


async def ask_representatives(
    session: AsyncSession,
    keys: LinkKeys,
    profile: CustomerProfile,
    reps: list[AuthorizedRepresentative],
    review_sid: str,
    sandbox: bool,
) -> bool:
    """Ask the representatives the rule picks; True when the review must wait for them."""
    rows = await session.exec(
        select(RepresentativeVerification).where(
            col(RepresentativeVerification.representative_sid).in_([r.sid for r in reps])
        )
    )
    latest = {row.position: row for row in rows.all()}
    wanted = positions_to_verify(
        {r.position: r.model_dump() for r in reps},
        website_domain(profile.model_dump()),
        {position: row.status for position, row in latest.items()},
        sandbox=sandbox,
    )
    if not wanted:
        return False
    asked = []
    for rep in reps:
        row = latest.get(rep.position)
        if rep.position not in wanted:
            continue
        if row and row.status == VerificationStatus.PENDING.value and row.review_sid == review_sid:
            continue  # asked already for this review
        asked.append(
            await ask(session, rep, AUTOMATED_REVIEWER, keys, sandbox=False, review_sid=review_sid)
        )
    await session.flush()  # every request exists before any sandbox address answers
    if sandbox:
        for row in asked:
            await answer_as_sandbox(session, row)
    return True
