"""The broker drops every connection of the gateway and the reviewer (twice) while customers keep
submitting over HTTP: the processes reconnect and every submitted profile is still decided."""

from __future__ import annotations

import asyncio

import httpx

from trusthub.db import SessionFactory

from ..conftest import Acct
from .conftest import Stack
from .support import (
    close_connections,
    create_profile_over_graphql,
    statuses,
    submit_over_graphql,
    transitions,
    wait_until_final,
)

DROPS = 2


async def test_no_submission_is_lost_when_the_broker_drops_connections(
    stack: Stack, namespace: str, sessions: SessionFactory, alice: Acct
) -> None:
    # given a gateway (outbox relay and decision consumer inside) and a reviewer worker
    gateway = await stack.gateway()
    await stack.worker("reviewer")
    submitted: list[str] = []
    done = asyncio.Event()

    async def keep_submitting() -> None:
        async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10.0) as http:
            while not done.is_set():
                sid = await create_profile_over_graphql(http, alice)
                await submit_over_graphql(http, alice, sid)
                submitted.append(sid)

    # when profiles keep being submitted over GraphQL while RabbitMQ force-closes the
    # processes' connections, twice
    submitter = asyncio.create_task(keep_submitting())
    closed: list[int] = []
    counts_at_drop: list[int] = []
    try:
        for _ in range(DROPS):
            await asyncio.sleep(0.5)
            counts_at_drop.append(len(submitted))
            closed.append(await close_connections(namespace))
        await asyncio.sleep(0.5)
    finally:
        done.set()
        await asyncio.wait_for(submitter, 15)

    # then both processes lost their connection each time, while submissions were coming in
    assert closed == [2] * DROPS, stack.report()
    assert counts_at_drop[0] > 0
    assert len(submitted) > counts_at_drop[-1]
    # and every submitted profile is approved, none lost, none decided twice
    await wait_until_final(sessions, submitted, within=30)
    assert set((await statuses(sessions, submitted)).values()) == {"APPROVED"}, stack.report()
    history = await transitions(sessions, submitted)
    for sid in submitted:
        assert history[sid] == [
            (None, "DRAFT"),
            ("DRAFT", "PENDING_REVIEW"),
            ("PENDING_REVIEW", "IN_REVIEW"),
            ("IN_REVIEW", "APPROVED"),
        ], (sid, history[sid])
    # and the processes are still running
    assert all(p.alive for p in stack.procs), stack.report()
