"""Retrying a mutation with an `Idempotency-Key` against a real server, as a client does during
an outage: the retries never create a second profile."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from ..conftest import Acct
from .conftest import Frontend

pytestmark = pytest.mark.e2e

CREATE_PROFILE = """
mutation Create($name: String!) {
  createCustomerProfile(input: {kind: BUSINESS, friendlyName: $name,
                                notificationEmail: "ops@acmetelecom.com"}) {
    customerProfile { id friendlyName }
    userErrors { code }
  }
}
"""
PROFILE_COUNT = "query { customerProfiles { totalCount } }"


async def test_retries_with_one_key_create_one_profile(
    http: httpx.AsyncClient, frontend: Frontend, alice: Acct
) -> None:
    # given a client that sends a create with a key, retrying over several connections at once
    headers = {**alice.headers, "Idempotency-Key": str(uuid.uuid4())}
    body = {"query": CREATE_PROFILE, "variables": {"name": "Acme"}}
    burst = await asyncio.gather(
        *(http.post("/graphql", json=body, headers=headers) for _ in range(4))
    )

    # when it retries once more, after the burst
    retry = await http.post("/graphql", json=body, headers=headers)

    # then one request executed; the rest were refused while it ran or got its answer
    executed = [r for r in burst if r.status_code == 200 and "Idempotent-Replayed" not in r.headers]
    assert len(executed) == 1, [r.status_code for r in burst]
    assert {r.status_code for r in burst} <= {200, 409}
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.content == executed[0].content
    # and alice has exactly one profile
    assert (await frontend(PROFILE_COUNT))["customerProfiles"]["totalCount"] == 1
