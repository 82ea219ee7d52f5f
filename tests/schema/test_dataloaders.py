"""Related fields go through dataloaders: the number of SQL statements for a page of profiles does
not grow with the page."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from trusthub.app import create_app
from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import ProfileTier
from trusthub.models import CustomerProfile
from trusthub.schema.loaders import Loaders, SharedReads, _query
from trusthub.services import profiles, representatives

from ..conftest import Acct
from ..factories import business_profile, rep_changes
from .api import PRIMARY_BUSINESS_POLICY, SECONDARY_BUSINESS_POLICY

PAGE = """
query Page($first: Int!) {
  customerProfiles(first: $first) {
    totalCount
    edges {
      node {
        id friendlyName
        address { city country }
        business { legalName regionsOfOperation }
        authorizedRepresentatives { id position email }
        primaryProfile { id friendlyName }
        policy { id }
        history { from to }
      }
    }
  }
}
"""

VIEWER = """
query { viewer { account { id } } }
"""


class CountingClient:
    """An HTTP client on its own app that counts the SQL statements each request runs."""

    def __init__(self, http: httpx.AsyncClient, account: Acct) -> None:
        self.http = http
        self.account = account
        self.statements: list[str] = []

    def on_execute(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)

    async def run(self, query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Run `query`; return its data and how many statements it ran (auth lookup included)."""
        self.statements.clear()
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=self.account.headers,
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"], len(self.statements)


@pytest.fixture
async def counting(settings: Settings, alice: Acct) -> AsyncIterator[CountingClient]:
    # The key is looked up once, by the first request below, and then remembered for the whole
    # test: on a slow machine seeding can outlast the default cache, and one count would then
    # include the lookup and the other not.
    app = create_app(settings.model_copy(update={"auth_cache_seconds": 3600}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as http:
        client = CountingClient(http, alice)
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", client.on_execute)
        await client.run(VIEWER, {})  # connect first: first-connection queries are not the page's
        yield client
    await app.state.engine.dispose()


async def _seed(sessions: SessionFactory, account: Acct, secondaries: int) -> str:
    """One primary and `secondaries` secondaries under it, each with representatives 1 and 2."""
    async with sessions() as s:
        primary = await profiles.create_profile(
            s, account.actor, business_profile(changes={("friendlyName",): "Primary"})
        )
        sids = [primary.sid]
        for n in range(secondaries):
            row = await profiles.create_profile(
                s,
                account.actor,
                business_profile(
                    tier=ProfileTier.SECONDARY,
                    primary_profile_sid=primary.sid,
                    changes={("friendlyName",): f"Brand {n:02}"},
                ),
            )
            sids.append(row.sid)
        for sid in sids:
            for position in (1, 2):
                email = f"rep{position}@{sid.lower()}.example.com"
                await representatives.add_representative(
                    s, account.actor, sid, position, rep_changes(email=email)
                )
        await s.commit()
    return primary.sid


async def test_statements_per_page_do_not_grow_with_the_page(
    counting: CountingClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given 50 profiles (a primary and 49 secondaries), each with two representatives
    primary = await _seed(sessions, alice, 49)
    # when a page of 10 and a page of 50 are read with every related field
    page10, count10 = await counting.run(PAGE, {"first": 10})
    page50, count50 = await counting.run(PAGE, {"first": 50})
    # then both pages take the same number of statements, one per related field at most
    assert count10 == count50, counting.statements
    # auth, count, page, then one each for representatives, primary profile, policy and history
    assert count50 <= 7, counting.statements
    # and every related field is right for every profile on the page
    nodes = [e["node"] for e in page50["customerProfiles"]["edges"]]
    assert len(nodes) == 50
    assert len(page10["customerProfiles"]["edges"]) == 10
    for node in nodes:
        reps = node["authorizedRepresentatives"]
        assert [r["position"] for r in reps] == [1, 2]
        assert all(r["email"].endswith(f"@{node['id'].lower()}.example.com") for r in reps)
        assert node["address"] == {"city": "San Francisco", "country": "US"}
        assert node["business"]["legalName"] == "Acme Communications Inc"
        assert node["history"] == [{"from": None, "to": "DRAFT"}]
        if node["id"] == primary:
            assert node["primaryProfile"] is None
            assert node["policy"] == {"id": PRIMARY_BUSINESS_POLICY}
        else:
            assert node["primaryProfile"] == {"id": primary, "friendlyName": "Primary"}
            assert node["policy"] == {"id": SECONDARY_BUSINESS_POLICY}


async def test_statements_are_the_same_for_10_profiles_and_50(
    counting: CountingClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given 10 profiles with two representatives each, read as one page
    await _seed(sessions, alice, 9)
    page10, count10 = await counting.run(PAGE, {"first": 50})
    # when 40 more are added and the same page is read again
    await _seed(sessions, alice, 39)
    page50, count50 = await counting.run(PAGE, {"first": 50})
    # then the page grew fivefold and the number of statements did not change
    assert page10["customerProfiles"]["totalCount"] == 10
    assert len(page50["customerProfiles"]["edges"]) == 50
    assert count10 == count50, counting.statements


# One connection for a request's batches (`loaders.SharedReads`).


class Checkouts:
    """Counts the pool's checkouts and the connections out at once."""

    def __init__(self, engine: Any) -> None:
        self.taken = 0
        self.out = 0
        self.most_out = 0
        event.listen(engine.sync_engine, "checkout", self.on_checkout)
        event.listen(engine.sync_engine, "checkin", self.on_checkin)

    def on_checkout(self, *_: Any) -> None:
        self.taken += 1
        self.out += 1
        self.most_out = max(self.most_out, self.out)

    def on_checkin(self, *_: Any) -> None:
        self.out -= 1

    def reset(self) -> None:
        self.taken = self.most_out = 0


@pytest.fixture
async def checkouts(counting: CountingClient) -> Checkouts:
    app = counting.http._transport.app  # type: ignore[attr-defined]
    return Checkouts(app.state.engine)


async def test_a_request_runs_its_batches_on_one_connection_and_gives_it_back(
    counting: CountingClient, checkouts: Checkouts, sessions: SessionFactory, alice: Acct
) -> None:
    await _seed(sessions, alice, 3)
    checkouts.reset()
    page, statements = await counting.run(PAGE, {"first": 10})
    assert len(page["customerProfiles"]["edges"]) == 4
    # the page's own session (count, page), then one connection for the four batches
    assert statements >= 6, counting.statements
    assert checkouts.taken == 2
    assert checkouts.most_out == 1  # never two at once: the page's session came back first
    assert checkouts.out == 0  # and nothing is kept after the request


async def test_a_session_opened_after_a_batch_takes_the_batches_connection_back_first(
    engine: Any, sessions: SessionFactory, alice: Acct
) -> None:
    primary = await _seed(sessions, alice, 0)
    seen = Checkouts(engine)
    reads = SharedReads(sessions)
    loaders = Loaders(sessions, reads)
    profile = await loaders.profile.load(primary)
    assert profile is not None
    assert seen.out == 1  # kept for the request's next batch
    reps = await loaders.representatives_by_profile.load(primary)
    assert [r.position for r in reps] == [1, 2]
    assert seen.taken == 1
    async with reads.sessions() as session:
        assert seen.out == 0  # the batches' connection went back before this session began
        assert (await session.get(CustomerProfile, primary)) is not None
        assert seen.out == 1
    assert seen.most_out == 1
    assert seen.out == 0
    await reads.release()
    assert seen.out == 0


async def test_a_failed_batch_gives_its_connection_back(
    engine: Any, sessions: SessionFactory
) -> None:
    seen = Checkouts(engine)
    reads = SharedReads(sessions)
    broken = copy.copy(_query(CustomerProfile, CustomerProfile.sid))
    broken.statement = sa.select(sa.text("* FROM no_such_table WHERE :keys IS NOT NULL"))
    with pytest.raises(sa.exc.DBAPIError):
        await reads.fetch(broken, ["x"])
    assert seen.out == 0
    rows = await reads.fetch(_query(CustomerProfile, CustomerProfile.sid), ["CPnothing"])
    assert list(rows) == []
    await reads.release()
    assert seen.out == 0
