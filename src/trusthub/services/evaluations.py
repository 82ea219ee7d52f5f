"""Evaluate a subject (profile or trust product) against its policy and store the result:
the `evaluate` query shows it, and every submit stores the one it was judged by."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.evaluation import Outcome, ProfileFacts, evaluate
from ..domain.sids import SidPrefix, new_sid
from ..models import AuthorizedRepresentative, CustomerProfile, Evaluation, Policy
from ..models.base import utcnow
from .actor import Actor
from .documents import document_facts
from .profiles import get_profile
from .subjects import Subject


async def evaluate_subject(
    session: AsyncSession, subject: Subject, facts: ProfileFacts
) -> tuple[Outcome, Evaluation]:
    """Evaluate a subject against its policy (data) and store the result."""
    policy = await session.get(Policy, subject.policy_sid)
    assert policy is not None  # foreign key
    outcome = evaluate(policy.requirements, facts)
    return outcome, record_evaluation(session, subject, outcome)


def record_evaluation(session: AsyncSession, subject: Subject, outcome: Outcome) -> Evaluation:
    row = Evaluation(
        sid=new_sid(SidPrefix.EVALUATION),
        account_sid=subject.account_sid,
        subject_sid=subject.sid,
        policy_sid=subject.policy_sid,
        status=outcome.status.value,
        results=[
            {
                "requirement": r.requirement,
                "passed": r.passed,
                "failures": [{**asdict(f), "field": list(f.field)} for f in r.failures],
            }
            for r in outcome.results
        ],
    )
    session.add(row)
    return row


async def profile_facts(session: AsyncSession, profile: CustomerProfile) -> ProfileFacts:
    reps = await session.exec(
        select(AuthorizedRepresentative).where(
            col(AuthorizedRepresentative.profile_sid) == profile.sid
        )
    )
    primary = None
    if profile.primary_profile_sid:
        row = await session.get(CustomerProfile, profile.primary_profile_sid)
        primary = row.model_dump() if row else None
    return ProfileFacts(
        values=profile.model_dump(),
        representatives={r.position: r.model_dump() for r in reps.all()},
        primary=primary,
        documents=await document_facts(session, profile.sid),
        now=utcnow(),
    )


async def evaluate_profile_row(
    session: AsyncSession, profile: CustomerProfile
) -> tuple[Outcome, Evaluation]:
    return await evaluate_subject(session, profile, await profile_facts(session, profile))


async def evaluate_profile(session: AsyncSession, actor: Actor, sid: str) -> Evaluation:
    profile = await get_profile(session, actor, sid)
    _, row = await evaluate_profile_row(session, profile)
    await session.flush()
    return row
