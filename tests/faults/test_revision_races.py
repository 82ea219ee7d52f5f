"""Two gateways applying decisions, a revision approved (the decision delivered twice) while the
customer renames the approved profile through one of them: the revision's data and every rename
survive, and the revision is applied once."""

from __future__ import annotations

import asyncio

import httpx
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.messaging.amqp import AmqpBroker
from trusthub.messaging.messages import DecisionMade, encode
from trusthub.messaging.topology import Topology
from trusthub.models import CustomerProfile, InboxMessage, Review, StatusChange
from trusthub.services import profiles, revisions, submission

from ..conftest import AMQP_URL, Acct
from .conftest import Stack
from .support import graphql, queue_counts, submit_profile, transitions, wait_until

RENAMES = 12
RENAME = """
mutation Rename($input: UpdateCustomerProfileInput!) {
  updateCustomerProfile(input: $input) { customerProfile { friendlyName } userErrors { code } }
}
"""


async def _submitted_revision(sessions: SessionFactory, alice: Acct) -> tuple[str, str, str]:
    """An approved profile and its submitted revision (a new office): (original, revision,
    the revision's review)."""
    sid = await submit_profile(sessions, alice)
    async with sessions() as s:
        row = await s.get(CustomerProfile, sid)
        assert row is not None
        row.status = "APPROVED"  # approved earlier; reviews are tested elsewhere
        await s.commit()
    async with sessions() as s:
        rev = (await revisions.revise_profile(s, alice.actor, sid)).sid
        await profiles.update_profile(s, alice.actor, rev, {("address", "street1"): "1 New St"})
        await submission.submit_profile(s, alice.actor, rev, accept_terms=True)
        await s.commit()
        review = (await s.exec(select(Review).where(Review.subject_sid == rev))).one()
    return sid, rev, review.sid


async def test_a_revision_approved_during_renames_loses_nothing_and_applies_once(
    stack: Stack, namespace: str, sessions: SessionFactory, alice: Acct
) -> None:
    # given two gateways that both apply decisions, and a submitted revision of an approved
    # profile (no reviewer runs: the decision below is the only one)
    gateway_a = await stack.gateway("gateway-a")
    await stack.gateway("gateway-b")
    sid, rev, review_sid = await _submitted_revision(sessions, alice)
    decision = DecisionMade(
        review_sid=review_sid, subject_sid=rev, outcome="APPROVED", decided_by="reviewer:fault"
    )

    async def publish_twice() -> None:
        broker = AmqpBroker(Topology(namespace=namespace), url=AMQP_URL)
        await broker.connect()
        try:
            for _ in range(2):
                await broker.publish(
                    "decisions", "decision.made", encode(decision), message_id=decision.message_id
                )
                await asyncio.sleep(0.05)
        finally:
            await broker.close()

    async def rename(http: httpx.AsyncClient) -> list[list[dict[str, str]]]:
        errors = []
        for n in range(RENAMES):
            data = await graphql(
                http, alice, RENAME, input={"id": sid, "friendlyName": f"Acme {n}"}
            )
            errors.append(data["updateCustomerProfile"]["userErrors"])
            await asyncio.sleep(0.02)
        return errors

    # when the decision is delivered twice while alice renames the profile through gateway A
    async with httpx.AsyncClient(base_url=gateway_a.base_url, timeout=10.0) as http:
        rename_errors, _ = await asyncio.gather(rename(http), publish_twice())

    async def applied() -> bool:
        async with sessions() as s:
            row = await s.get(CustomerProfile, rev)
            return row is not None and row.status == "APPROVED"

    async def drained() -> bool:
        return await queue_counts(f"{namespace}.decisions") == (0, 0)

    await wait_until(applied, within=15, what="the revision is approved")
    await wait_until(drained, within=20, what="both copies are consumed")

    # then every rename went through, and the last one is the name
    assert rename_errors == [[]] * RENAMES, stack.report()
    async with sessions() as s:
        original = await s.get(CustomerProfile, sid)
        assert original is not None
        assert (original.status, original.friendly_name, original.street1) == (
            "APPROVED",
            f"Acme {RENAMES - 1}",
            "1 New St",
        )
        # and the revision was applied once, by that decision
        applied_rows = await s.exec(
            select(StatusChange).where(
                StatusChange.subject_sid == sid, col(StatusChange.revision_sid).is_not(None)
            )
        )
        assert [(r.actor, r.revision_sid) for r in applied_rows.all()] == [("reviewer:fault", rev)]
        inbox = await s.exec(
            select(InboxMessage).where(InboxMessage.message_id == decision.decision_id)
        )
        assert [(m.consumer, m.outcome) for m in inbox.all()] == [("decisions", "applied")]
    assert (await transitions(sessions, [rev]))[rev] == [
        (None, "DRAFT"),
        ("DRAFT", "PENDING_REVIEW"),
        ("PENDING_REVIEW", "IN_REVIEW"),
        ("IN_REVIEW", "APPROVED"),
    ]
