"""Load for the outage tests: customers' backends creating and submitting profiles over GraphQL
at a steady rate, and behaving the way a well-written client does when the service has trouble.

A client retries what the server asks it to retry or cannot have answered: 429/502/503/504
(after `Retry-After`, capped), any other 5xx, a dropped or refused connection, a masked internal
error (top-level `errors`). When a step was retried, its first try may have landed; the client
then reads the profile to see where it stands instead of failing on the user error the repeat
gets. A create whose answer was lost leaves an orphan draft: it was never submitted and is not
counted. Only profiles the client saw reach PENDING_REVIEW count as submitted."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ..conftest import Acct
from ..factories import ADDRESS, BUSINESS, REPRESENTATIVE
from .support import ADD_REPRESENTATIVE, CREATE_PROFILE, REAL_REP, SUBMIT_PROFILE

# How long one step (one mutation) may take, retries included, before the client gives up.
STEP_DEADLINE = 60.0
RETRY_PAUSE = 0.2
RETRY_PAUSE_MAX = 1.0
BAD_EIN = "00-1234567"  # no valid IRS campus prefix: the reviewer rejects it

PROFILE_STATE = """
query State($id: ID!) {
  customerProfile(id: $id) { status authorizedRepresentatives { id } }
}
"""


class StepFailed(AssertionError):
    """A step the client could not complete within STEP_DEADLINE."""


@dataclass
class Answer:
    data: dict[str, Any]
    tries: int


def retry_pause(response: httpx.Response | None, tries: int) -> float:
    """Retry-After when the server sent one (seconds or an HTTP date), else a short backoff;
    never more than RETRY_PAUSE_MAX, so the test's clock stays bounded."""
    value = response.headers.get("retry-after") if response is not None else None
    wanted: float = RETRY_PAUSE * 2.0 ** min(tries - 1, 3)
    if value is not None:
        try:
            wanted = float(value)
        except ValueError:
            with contextlib.suppress(TypeError, ValueError):
                wanted = parsedate_to_datetime(value).timestamp() - time.time()
    return max(0.0, min(wanted, RETRY_PAUSE_MAX))


@dataclass
class Customer:
    """One account's backend. `submitted` maps each submitted profile to the decision its data
    calls for; `statuses` counts the HTTP statuses it met (0: no answer at all)."""

    http: httpx.AsyncClient
    account: Acct
    callback: str
    submitted: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    async def call(self, query: str, **variables: Any) -> Answer:
        """POST one GraphQL document, retrying as described in the module docstring."""
        deadline = time.monotonic() + STEP_DEADLINE
        tries = 0
        while True:
            tries += 1
            response: httpx.Response | None = None
            try:
                response = await self.http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers=self.account.headers,
                )
            except httpx.TransportError:
                self.statuses[0] += 1
            else:
                self.statuses[response.status_code] += 1
                if response.status_code == 200:
                    body = response.json()
                    if "errors" not in body:
                        return Answer(body["data"], tries)
                elif response.status_code < 500 and response.status_code != 429:
                    raise StepFailed(f"HTTP {response.status_code}: {response.text}")
            if time.monotonic() > deadline:
                last = response.text if response is not None else "no answer"
                raise StepFailed(f"no success within {STEP_DEADLINE}s ({tries} tries): {last}")
            await asyncio.sleep(retry_pause(response, tries))

    async def state(self, sid: str) -> dict[str, Any]:
        profile: dict[str, Any] = (await self.call(PROFILE_STATE, id=sid)).data["customerProfile"]
        return profile

    async def submit_one(self, rejected: bool) -> None:
        """Create a complete business profile with this customer's callback, add its
        representative, submit it. `rejected`: with a registration number the reviewer refuses."""
        business = {**BUSINESS, "websiteUrl": "https://acmetelecom.com"}
        if rejected:
            business["registrationNumber"] = BAD_EIN
        profile = {
            "kind": "BUSINESS",
            "friendlyName": "Acme",
            "notificationEmail": "compliance@acmetelecom.com",
            "statusCallback": self.callback,
            "business": business,
            "address": dict(ADDRESS),
        }
        created = (await self.call(CREATE_PROFILE, input=profile)).data["createCustomerProfile"]
        assert created["userErrors"] == [], created
        sid: str = created["customerProfile"]["id"]

        rep = {**REPRESENTATIVE, **REAL_REP, "profileId": sid, "position": 1}
        added = await self.call(ADD_REPRESENTATIVE, input=rep)
        errors = added.data["addAuthorizedRepresentative"]["userErrors"]
        if errors and not (
            added.tries > 1 and (await self.state(sid))["authorizedRepresentatives"]
        ):
            raise StepFailed(f"{sid}: representative refused: {errors}")

        submit = await self.call(SUBMIT_PROFILE, input={"id": sid, "acceptTerms": True})
        errors = submit.data["submitCustomerProfile"]["userErrors"]
        if errors and not (submit.tries > 1 and (await self.state(sid))["status"] != "DRAFT"):
            raise StepFailed(f"{sid}: submission refused: {errors}")
        self.submitted[sid] = "REJECTED" if rejected else "APPROVED"


async def submit_steadily(
    customer: Customer, *, rate: float, until: asyncio.Event, in_flight: int, reject_every: int = 4
) -> None:
    """Start a profile every 1/`rate` seconds until `until` is set, at most `in_flight` at once
    (a client's connection pool: while the service stalls, new work waits), every
    `reject_every`-th one with data the reviewer rejects. Returns when all started ones are done;
    a profile the client could not submit lands in `customer.failures`."""
    slots = asyncio.Semaphore(in_flight)
    started = time.monotonic()
    tasks: list[asyncio.Task[None]] = []

    async def one(number: int) -> None:
        try:
            await customer.submit_one(rejected=number % reject_every == reject_every - 1)
        except Exception as error:
            customer.failures.append(f"profile #{number}: {type(error).__name__}: {error}")
        finally:
            slots.release()

    number = 0
    while not until.is_set():
        await slots.acquire()
        tasks.append(asyncio.create_task(one(number)))
        number += 1
        # Behind schedule after a stall: carry on at the rate, no burst to catch up.
        started = max(started, time.monotonic() - number / rate)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until.wait(), started + number / rate - time.monotonic())
    await asyncio.gather(*tasks)


# -- what a client and a load balancer see while the database is away ------------------------

# A read that needs the database (a profile count), not one the gateway could answer from memory.
PROBE = "query Probe { customerProfiles(first: 1) { totalCount } }"


@dataclass(frozen=True)
class Probe:
    healthz: int
    readyz: int
    graphql: int
    retry_after: str | None
    body: str
    health_body: str

    def problems(self) -> list[str]:
        """What differs from: alive (/healthz 200), not ready (/readyz 503), and /graphql
        answering 503 with a JSON error and a Retry-After header."""
        found = []
        if self.healthz != 200:
            found.append(f"/healthz {self.healthz}: {self.health_body[:300]}")
        if self.readyz != 503:
            found.append(f"/readyz {self.readyz}")
        if self.graphql != 503:
            found.append(f"/graphql {self.graphql}: {self.body[:300]}")
        if not _retry_after_valid(self.retry_after):
            found.append(f"/graphql Retry-After {self.retry_after!r}")
        if not _json_errors(self.body):
            found.append(f"/graphql body is not a JSON error: {self.body[:300]}")
        return found


def _retry_after_valid(value: str | None) -> bool:
    if value is None:
        return False
    if value.strip().isdigit():
        return True
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return True


def _json_errors(body: str) -> bool:
    try:
        errors = json.loads(body).get("errors")
    except (ValueError, AttributeError):
        return False
    return bool(errors) and all(isinstance(e, dict) and e.get("message") for e in errors)


async def probe(http: httpx.AsyncClient, account: Acct) -> Probe:
    """GET /healthz, GET /readyz and a GraphQL read as `account` (status 0: no answer)."""
    healthz = await _answer(http.get("/healthz"))
    readyz = await _answer(http.get("/readyz"))
    graphql = await _answer(http.post("/graphql", json={"query": PROBE}, headers=account.headers))
    return Probe(
        healthz.status_code,
        readyz.status_code,
        graphql.status_code,
        graphql.headers.get("retry-after"),
        graphql.text,
        healthz.text,
    )


async def _answer(request: Awaitable[httpx.Response]) -> httpx.Response:
    try:
        return await request
    except httpx.TransportError as error:
        return httpx.Response(0, text=f"{type(error).__name__}: {error}")
