"""Evaluate a subject (profile or trust product) against its policy and store the result:
the `evaluate` query shows it, and every submit stores the one it was judged by."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
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

# Policies are data that migrations seed and change, read at every evaluation (every submit):
# a process keeps each one's requirements this long, per database, instead of reading them each
# time. A changed policy applies everywhere within this time.
POLICY_CACHE_SECONDS = 60.0
_POLICY_CACHE_SIZE = 1_000
_policies: dict[tuple[Any, str], tuple[float, list[dict[str, Any]]]] = {}


async def policy_requirements(session: AsyncSession, policy_sid: str) -> list[dict[str, Any]]:
    bind = session.bind
    engine = bind.engine if isinstance(bind, AsyncConnection) else bind
    key = (engine.url if engine is not None else None, policy_sid)  # URLs hash as values
    now = time.monotonic()
    cached = _policies.get(key)
    if cached is not None and now - cached[0] < POLICY_CACHE_SECONDS:
        return cached[1]
    policy = await session.get(Policy, policy_sid)
    assert policy is not None  # foreign key
    if len(_policies) >= _POLICY_CACHE_SIZE:
        _policies.clear()
    _policies[key] = (now, policy.requirements)
    return policy.requirements


def forget_policies() -> None:
    """Read every policy afresh at its next use (after changing one in place)."""
    _policies.clear()


async def evaluate_subject(
    session: AsyncSession, subject: Subject, facts: ProfileFacts
) -> tuple[Outcome, Evaluation]:
    """Evaluate a subject against its policy (data) and store the result."""
    outcome = evaluate(await policy_requirements(session, subject.policy_sid), facts)
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
