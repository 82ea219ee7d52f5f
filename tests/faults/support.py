"""What the fault tests share: submitting profiles, reading what an operator would read (statuses,
history, inbox, queues), and reaching into RabbitMQ with `rabbitmqctl` the way an operator does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx
from sqlmodel import col, select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.models import CustomerProfile, InboxMessage, StatusChange
from trusthub.services import profiles, representatives, submission

from ..conftest import Acct
from ..factories import ADDRESS, BUSINESS, REPRESENTATIVE, business_profile, rep_changes

FINAL = frozenset({"APPROVED", "REJECTED"})
RABBITMQCTL_TIMEOUT = 20.0

# What the automated reviewer approves: a website, emails and phone numbers that belong together.
# (555-01xx numbers and example.com domains are fiction: it rejects those.)
REAL_LOOKING: dict[tuple[str, ...], Any] = {
    ("business", "websiteUrl"): "https://acmetelecom.com",
    ("notificationEmail",): "compliance@acmetelecom.com",
}
REAL_REP = {"email": "grace@acmetelecom.com", "phoneNumber": "+14155552671"}
# An EIN without a valid IRS campus prefix: rejected (BUSINESS_REGISTRATION_ID).
BAD_EIN: dict[tuple[str, ...], Any] = {("business", "registrationNumber"): "00-1234567"}


# Status callbacks in these tests go to a receiver on 127.0.0.1: allowed as in `trusthub dev`
# (the workers get WEBHOOK_ALLOW_PRIVATE_NETWORKS=true too).
LOOPBACK_ALLOWED = Settings(_env_file=None, webhook_allow_private_networks=True)  # type: ignore[call-arg]


async def submit_profile(
    sessions: SessionFactory, account: Acct, changes: dict[tuple[str, ...], Any] | None = None
) -> str:
    """Create, complete and submit a business profile through the services; return its SID."""
    async with sessions() as s:
        row = await profiles.create_profile(
            s,
            account.actor,
            business_profile(changes={**REAL_LOOKING, **(changes or {})}),
            settings=LOOPBACK_ALLOWED,
        )
        await representatives.add_representative(
            s, account.actor, row.sid, 1, rep_changes(**REAL_REP)
        )
        await submission.submit_profile(s, account.actor, row.sid, accept_terms=True)
        await s.commit()
        return row.sid


# -- over GraphQL, as a frontend does -------------------------------------------------------

CREATE_PROFILE = """
mutation Create($input: CreateCustomerProfileInput!) {
  createCustomerProfile(input: $input) { customerProfile { id status } userErrors { code field } }
}
"""
ADD_REPRESENTATIVE = """
mutation AddRep($input: AddAuthorizedRepresentativeInput!) {
  addAuthorizedRepresentative(input: $input) { customerProfile { id } userErrors { code field } }
}
"""
SUBMIT_PROFILE = """
mutation Submit($input: SubmitInput!) {
  submitCustomerProfile(input: $input) { customerProfile { id status } userErrors { code field } }
}
"""


async def graphql(http: httpx.AsyncClient, account: Acct, query: str, **variables: Any) -> Any:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def create_profile_over_graphql(http: httpx.AsyncClient, account: Acct) -> str:
    """A complete draft with representative #1, through the gateway at `http`."""
    business = {**BUSINESS, "websiteUrl": "https://acmetelecom.com"}
    profile = {
        "kind": "BUSINESS",
        "friendlyName": "Acme",
        "notificationEmail": "compliance@acmetelecom.com",
        "business": business,
        "address": dict(ADDRESS),
    }
    created = (await graphql(http, account, CREATE_PROFILE, input=profile))["createCustomerProfile"]
    assert created["userErrors"] == [], created
    sid: str = created["customerProfile"]["id"]
    rep = {**REPRESENTATIVE, **REAL_REP, "profileId": sid, "position": 1}
    added = await graphql(http, account, ADD_REPRESENTATIVE, input=rep)
    assert added["addAuthorizedRepresentative"]["userErrors"] == [], added
    return sid


async def submit_over_graphql(http: httpx.AsyncClient, account: Acct, sid: str) -> None:
    submitted = await graphql(http, account, SUBMIT_PROFILE, input={"id": sid, "acceptTerms": True})
    payload = submitted["submitCustomerProfile"]
    assert payload["userErrors"] == [], payload
    assert payload["customerProfile"]["status"] == "PENDING_REVIEW", payload


# -- what an operator reads in the database ---------------------------------------------------


async def statuses(sessions: SessionFactory, sids: Iterable[str]) -> dict[str, str]:
    async with sessions() as s:
        rows = await s.exec(select(CustomerProfile).where(col(CustomerProfile.sid).in_(list(sids))))
        return {r.sid: r.status for r in rows.all()}


async def transitions(
    sessions: SessionFactory, sids: Iterable[str]
) -> dict[str, list[tuple[str | None, str]]]:
    """Each profile's history, oldest first: (from, to)."""
    wanted = list(sids)
    found: dict[str, list[tuple[str | None, str]]] = {sid: [] for sid in wanted}
    async with sessions() as s:
        rows = await s.exec(
            select(StatusChange)
            .where(col(StatusChange.subject_sid).in_(wanted))
            .order_by(col(StatusChange.id))
        )
        for r in rows.all():
            found[r.subject_sid].append((r.from_status, r.to_status))
    return found


async def inbox_count(sessions: SessionFactory, consumer: str) -> int:
    async with sessions() as s:
        rows = await s.exec(select(InboxMessage).where(InboxMessage.consumer == consumer))
        return len(rows.all())


async def wait_until(
    check: Callable[[], Awaitable[bool]], *, within: float, what: str, interval: float = 0.05
) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting until {what}")
        await asyncio.sleep(interval)


async def wait_until_final(sessions: SessionFactory, sids: Iterable[str], within: float) -> None:
    wanted = list(sids)

    async def all_final() -> bool:
        return set((await statuses(sessions, wanted)).values()) <= FINAL

    try:
        await wait_until(all_final, within=within, what="every profile is decided")
    except AssertionError:
        pending = {k: v for k, v in (await statuses(sessions, wanted)).items() if v not in FINAL}
        raise AssertionError(f"{len(pending)} of {len(wanted)} never decided: {pending}") from None


# -- RabbitMQ, as an operator sees it ---------------------------------------------------------


async def rabbitmqctl(*args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), RABBITMQCTL_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode == 0, f"rabbitmqctl {' '.join(args)}: {err.decode()}"
    return out.decode()


async def close_connections(namespace: str, reason: str = "fault test") -> int:
    """Force-close the AMQP connections of this namespace's processes (their connection name is
    `trusthub:<namespace>`), leaving every other client of the broker alone. Returns how many."""
    listing = await rabbitmqctl(
        "list_connections", "pid", "client_properties", "-q", "--no-table-headers"
    )
    mine = f'{{"connection_name","trusthub:{namespace}"}}'
    pids = [line.split("\t", 1)[0] for line in listing.splitlines() if mine in line]
    await asyncio.gather(*(rabbitmqctl("close_connection", pid, reason) for pid in pids))
    return len(pids)


async def queue_counts(queue: str) -> tuple[int, int]:
    """(ready, unacknowledged) messages of one queue."""
    listing = await rabbitmqctl(
        "list_queues",
        "name",
        "messages_ready",
        "messages_unacknowledged",
        "-q",
        "--no-table-headers",
    )
    for line in listing.splitlines():
        name, ready, unacked = line.split("\t")
        if name == queue:
            return int(ready), int(unacked)
    raise AssertionError(f"no queue {queue}")


async def subscription_feeds(namespace: str) -> list[int]:
    """The consumer count of each gateway's private events queue (bound to `<ns>.events`)."""
    bindings = await rabbitmqctl(
        "list_bindings", "source_name", "destination_name", "-q", "--no-table-headers"
    )
    shared = {f"{namespace}.webhooks", f"{namespace}.emails"}
    private = {
        destination
        for source, destination in (line.split("\t") for line in bindings.splitlines())
        if source == f"{namespace}.events" and destination not in shared
    }
    listing = await rabbitmqctl("list_queues", "name", "consumers", "-q", "--no-table-headers")
    counts = dict(line.split("\t") for line in listing.splitlines())
    return sorted(int(counts[name]) for name in private if name in counts)
