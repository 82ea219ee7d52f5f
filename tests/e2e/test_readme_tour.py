"""The README's five-minute tour, run verbatim with a real Python client (`gql` over httpx)
against a live gateway: each numbered step in order, the `BU…`/`IT…` placeholders replaced by
the IDs earlier steps returned, and the outcomes the README promises checked. The gateway runs
every role on the in-process broker, as `make dev` does, so the automated reviewer has decided
the submitted profile before the reader lists it (step 8)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, gql
from gql.client import AsyncClientSession
from gql.transport.httpx import HTTPXAsyncTransport

from trusthub.config import Settings
from trusthub.runtime import ALL_ROLES

from ..conftest import Acct
from .conftest import LiveServer, serving

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
PLACEHOLDER = re.compile(r'"(BU|IT)…"')
SID = re.compile(r"^(BU|IT)[0-9a-f]{32}$")


def tour_steps() -> list[str]:
    """The ```graphql blocks between the tour's heading and the next section, in order."""
    tour = README.read_text().split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    return BLOCK.findall(tour)


def first_name(document: str) -> str:
    return document.split("{", 1)[0].split()[1]


def sids(value: Any) -> list[str]:
    """Every SID in a result, depth first, as later steps' placeholders refer to them."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in sids(v)]
    if isinstance(value, list):
        return [s for v in value for s in sids(v)]
    return [value] if isinstance(value, str) and SID.match(value) else []


def substitute(document: str, seen: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        prefix = match.group(1)
        assert prefix in seen, f"no earlier step returned a {prefix} SID for {document!r}"
        return f'"{seen[prefix]}"'

    return PLACEHOLDER.sub(replace, document)


async def wait_until_decided(session: AsyncClientSession, sid: str) -> str:
    """The profile's status once the reviewer has decided it, as a reader of step 7 would see it
    a moment later."""
    status = gql(f'query Status {{ customerProfile(id: "{sid}") {{ status }} }}')
    async with asyncio.timeout(20):
        while True:
            data = await session.execute(status)
            if data["customerProfile"]["status"] not in ("PENDING_REVIEW", "IN_REVIEW"):
                return str(data["customerProfile"]["status"])
            await asyncio.sleep(0.05)


async def run_tour(url: str, account: Acct) -> dict[str, dict[str, Any]]:
    """Every step's data by operation name; gql raises on any top-level error. Before the last
    step the reviewer's decision is awaited (under `Decided`)."""
    transport = HTTPXAsyncTransport(url=url, headers=account.headers, timeout=10)
    seen: dict[str, str] = {}
    results: dict[str, dict[str, Any]] = {}
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        for document in tour_steps():
            if first_name(document) == "MyProfiles":
                results["Decided"] = {"status": await wait_until_decided(session, seen["BU"])}
            data = await session.execute(gql(substitute(document, seen)))
            results[first_name(document)] = data
            for sid in sids(data):
                seen.setdefault(sid[:2], sid)
    return results


@pytest.fixture
def dev_server(settings: Settings) -> Iterator[LiveServer]:
    """What `make dev` runs: the gateway and every worker role in one process, on the
    in-process broker."""
    with serving(settings.model_copy(update={"broker_url": "memory://"}), ALL_ROLES) as live:
        yield live


async def test_the_readme_tour_runs_verbatim(dev_server: LiveServer, alice: Acct) -> None:
    # given the tour's eight numbered steps
    assert [first_name(d) for d in tour_steps()] == [
        "Viewer", "CreateDraft", "BadWebsite", "FillIn", "Evaluate", "AddRepresentative",
        "Submit", "MyProfiles",
    ]  # fmt: skip
    # when a Python gql client runs them in order against a gateway
    steps = await run_tour(f"{dev_server.base_url}/graphql", alice)
    # then each did what the README says it does
    assert steps["Viewer"]["viewer"]["account"]["id"] == alice.sid
    profile = steps["CreateDraft"]["createCustomerProfile"]["customerProfile"]
    assert profile["status"] == "DRAFT"
    bad = steps["BadWebsite"]["updateCustomerProfile"]["userErrors"]
    assert [(e["code"], e["field"]) for e in bad] == [
        ("INVALID_VALUE", ["business", "websiteUrl"]),
        ("INVALID_VALUE", ["address", "country"]),
    ]
    filled = steps["FillIn"]["updateCustomerProfile"]
    assert filled["userErrors"] == []
    assert filled["customerProfile"]["address"] == {"region": "US-CA", "country": "US"}
    evaluation = steps["Evaluate"]["evaluateCustomerProfile"]["evaluation"]
    assert evaluation["status"] == "NONCOMPLIANT"
    failed = [f["field"] for r in evaluation["results"] for f in r["failures"]]
    assert ["authorizedRepresentatives", "1"] in failed
    assert steps["AddRepresentative"]["addAuthorizedRepresentative"]["userErrors"] == []
    submitted = steps["Submit"]["submitCustomerProfile"]
    assert (submitted["userErrors"], submitted["customerProfile"]["status"]) == (
        [],
        "PENDING_REVIEW",
    )
    # and step 8 lists the profile the reviewer has approved meanwhile, as step 7 says it does
    assert steps["Decided"]["status"] == "APPROVED"
    listed = steps["MyProfiles"]["customerProfiles"]
    assert [e["node"]["id"] for e in listed["edges"]] == [profile["id"]]
    assert listed["edges"][0]["node"]["status"] == "APPROVED"
    assert listed["edges"][0]["node"]["authorizedRepresentatives"] == [
        {"email": "grace@acmetelecom.com"}
    ]
