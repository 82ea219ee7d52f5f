"""`Idempotency-Key` on mutations, over the ASGI app on SQLite and PostgreSQL: a retry whose
first answer was lost replays it instead of creating a second object (docs/api.md, "Retries and
idempotency")."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col, func, select

from trusthub.db import SessionFactory
from trusthub.models import CustomerProfile, IdempotencyKey
from trusthub.models.base import utcnow

from ..conftest import Acct
from .api import CREATE, business_input

KEY = "3b0f8a52-4c1e-4f6e-9a57-0d7f4f1f2a10"
PROFILE_COUNT = "query Count { customerProfiles { totalCount } }"
BAD_VARIABLE = """
mutation Create($input: CreateCustomerProfileInput!) {
  createCustomerProfile(input: $input) { customerProfile { id } userErrors { code } }
}
"""


def create_body(**overrides: Any) -> dict[str, Any]:
    return {"query": CREATE, "variables": {"input": business_input(**overrides)}}


async def post(
    client: httpx.AsyncClient,
    account: Acct,
    body: dict[str, Any] | bytes,
    key: str | bytes | None = KEY,
) -> httpx.Response:
    headers: dict[str, Any] = {**account.headers, "content-type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post("/graphql", content=content, headers=headers)


async def profiles(sessions: SessionFactory, account: Acct | None = None) -> int:
    """How many customer profiles the database holds (of `account`, if given)."""
    query = select(func.count()).select_from(CustomerProfile)
    if account is not None:
        query = query.where(col(CustomerProfile.account_sid) == account.sid)
    async with sessions() as session:
        return int((await session.exec(query)).one())


@asynccontextmanager
async def table_missing(sessions: SessionFactory, table: str) -> AsyncIterator[None]:
    """`table` renamed away for the duration: a real database failure inside the server."""

    async def rename(old: str, new: str) -> None:
        async with sessions() as session:
            await (await session.connection()).execute(
                sa.text(f"ALTER TABLE {old} RENAME TO {new}")
            )
            await session.commit()

    await rename(table, f"{table}_away")
    try:
        yield
    finally:
        await rename(f"{table}_away", table)


def replayed(response: httpx.Response) -> bool:
    return bool(response.headers.get("Idempotent-Replayed") == "true")


def error_of(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    assert isinstance(error, dict)
    return error


async def test_a_retry_replays_the_first_response_and_creates_one_profile(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a create sent with a key, whose answer the client then lost
    first = await post(client, alice, create_body())
    assert first.status_code == 200, first.text
    assert first.json()["data"]["createCustomerProfile"]["userErrors"] == []
    assert not replayed(first)

    # when it is retried with the same key, once as sent and once with its JSON keys reordered
    again = await post(client, alice, create_body())
    reordered = json.dumps(create_body(), sort_keys=True, indent=1).encode()
    third = await post(client, alice, reordered)

    # then both retries get the first response byte for byte, marked as replayed
    for retry in (again, third):
        assert retry.status_code == 200
        assert replayed(retry)
        assert retry.content == first.content
        assert retry.headers["content-type"] == first.headers["content-type"]
    # and only one profile exists
    assert await profiles(sessions) == 1


async def test_the_same_key_with_a_different_request_is_a_422_and_creates_nothing(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a create sent with a key
    first = await post(client, alice, create_body(friendlyName="Acme"))
    assert first.status_code == 200, first.text

    # when the key is sent again with different variables
    other = await post(client, alice, create_body(friendlyName="Other"))

    # then it is refused, naming the header, and nothing more is created
    assert other.status_code == 422
    error = error_of(other)
    assert "Idempotency-Key" in error["message"]
    assert error["extensions"] == {"code": "IDEMPOTENCY_KEY_REUSED", "header": "Idempotency-Key"}
    assert await profiles(sessions) == 1
    # and the key still replays its own request
    assert (await post(client, alice, create_body(friendlyName="Acme"))).content == first.content


async def test_keys_are_scoped_to_the_account(
    client: httpx.AsyncClient, alice: Acct, bob: Acct, sessions: SessionFactory
) -> None:
    # when alice and bob send the same create with the same key
    for_alice = await post(client, alice, create_body())
    for_bob = await post(client, bob, create_body())

    # then each executes: neither sees the other's response
    assert for_alice.status_code == for_bob.status_code == 200
    assert not replayed(for_alice)
    assert not replayed(for_bob)
    alice_id = for_alice.json()["data"]["createCustomerProfile"]["customerProfile"]["id"]
    bob_id = for_bob.json()["data"]["createCustomerProfile"]["customerProfile"]["id"]
    assert alice_id != bob_id
    assert await profiles(sessions, alice) == await profiles(sessions, bob) == 1
    # and bob's retry replays bob's own profile
    retry = await post(client, bob, create_body())
    assert replayed(retry)
    assert retry.json()["data"]["createCustomerProfile"]["customerProfile"]["id"] == bob_id


async def test_concurrent_requests_with_one_key_execute_once(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # when eight copies of one create with one key arrive at once
    responses = await asyncio.gather(*(post(client, alice, create_body()) for _ in range(8)))

    # then exactly one executed; the others were told it is in progress, or got its replay
    executed = [r for r in responses if r.status_code == 200 and not replayed(r)]
    assert len(executed) == 1, [r.status_code for r in responses]
    for response in responses:
        if response is executed[0]:
            continue
        if response.status_code == 409:
            assert error_of(response)["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_PROGRESS"
            assert response.headers["Retry-After"] == "1"
        else:
            assert replayed(response)
            assert response.content == executed[0].content
    assert await profiles(sessions) == 1


async def test_an_expired_key_executes_again(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a create whose key has since expired (IDEMPOTENCY_KEY_TTL_HOURS)
    first = await post(client, alice, create_body())
    assert first.status_code == 200, first.text
    async with sessions() as session:
        await session.exec(
            sa.update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()

    # when it is retried with the same key
    again = await post(client, alice, create_body())

    # then it executes again, as a new request, and the key now holds the new response
    assert again.status_code == 200
    assert not replayed(again)
    assert again.content != first.content
    assert await profiles(sessions) == 2
    assert (await post(client, alice, create_body())).content == again.content


async def test_a_response_with_user_errors_is_stored_and_replayed(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a create refused with a user error
    body = create_body(notificationEmail="not an email")
    first = await post(client, alice, body)
    assert first.status_code == 200
    payload = first.json()["data"]["createCustomerProfile"]
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_VALUE"]

    # when it is retried with the same key
    again = await post(client, alice, body)

    # then the stored answer is replayed like any other, and nothing was created
    assert replayed(again)
    assert again.content == first.content
    assert await profiles(sessions) == 0


async def test_an_invalid_key_is_a_400_naming_the_header(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # when creates are sent with keys that are empty, blank, too long or not ASCII
    for key in ("", "   ", "k" * 256, "caf\u00e9".encode(), b"tab\there"):
        response = await post(client, alice, create_body(), key=key)
        # then each is refused naming the header, and nothing is created
        assert response.status_code == 400, (key, response.text)
        error = error_of(response)
        assert "Idempotency-Key" in error["message"]
        assert error["extensions"]["code"] == "IDEMPOTENCY_KEY_INVALID"
    # (two Idempotency-Key headers are ambiguous too)
    headers = [*alice.headers.items(), ("Idempotency-Key", "a"), ("Idempotency-Key", "b")]
    twice = await client.post("/graphql", json=create_body(), headers=headers)
    assert twice.status_code == 400
    assert await profiles(sessions) == 0
    # and the longest valid key works
    longest = await post(client, alice, create_body(), key="k" * 255)
    assert longest.status_code == 200
    assert await profiles(sessions) == 1


async def test_a_query_with_a_key_just_runs(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # when a query is sent twice with a key
    for _ in range(2):
        response = await post(client, alice, {"query": PROFILE_COUNT})
        # then it runs each time: queries are not keyed
        assert response.status_code == 200
        assert not replayed(response)
    # and the key is still free for a mutation, which then holds it
    created = await post(client, alice, create_body())
    assert created.status_code == 200
    assert not replayed(created)
    assert replayed(await post(client, alice, create_body()))
    assert await profiles(sessions) == 1


async def test_a_request_graphql_refuses_releases_its_key(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a create refused by validation (a variable of the wrong type): nothing executed
    refused = await post(
        client, alice, {"query": BAD_VARIABLE, "variables": {"input": {"kind": 42}}}
    )
    assert refused.status_code == 200
    assert refused.json()["errors"]

    # when the client corrects it and sends it with the same key
    corrected = await post(client, alice, create_body())

    # then it executes (the refused request did not keep the key), and holds the key now
    assert corrected.status_code == 200
    assert not replayed(corrected)
    assert (await post(client, alice, create_body())).content == corrected.content
    assert await profiles(sessions) == 1


async def test_an_internal_failure_releases_its_key(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a create that fails inside the server (a table it writes is missing)
    async with table_missing(sessions, "audit_entry"):
        failed = await post(client, alice, create_body())
    assert failed.status_code == 200
    assert failed.json() == {"data": None, "errors": [error_of(failed)]}
    assert await profiles(sessions) == 0

    # when it is retried with the same key once the server is well again
    retry = await post(client, alice, create_body())

    # then it executes: a failed request's key is released, not replayed
    assert retry.status_code == 200
    assert not replayed(retry)
    assert retry.json()["data"]["createCustomerProfile"]["userErrors"] == []
    # and its answer is the one kept from now on
    assert (await post(client, alice, create_body())).content == retry.content
    assert await profiles(sessions) == 1


async def test_a_claim_abandoned_by_a_dead_request_is_taken_over_after_the_lock_timeout(
    client: httpx.AsyncClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given the key claimed by a request that is still running (here: claimed, never finished)
    first = await post(client, alice, create_body())
    async with sessions() as session:
        await session.exec(
            sa.update(IdempotencyKey).values(
                state="IN_PROGRESS", response_status=None, response_body=None
            )
        )
        await session.commit()

    # when the client retries
    busy = await post(client, alice, create_body())
    # then it is told the request is in progress
    assert busy.status_code == 409
    assert error_of(busy)["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_PROGRESS"

    # when the claim is older than IDEMPOTENCY_LOCK_TIMEOUT_SECONDS (its request died)
    async with sessions() as session:
        await session.exec(
            sa.update(IdempotencyKey).values(created_at=utcnow() - timedelta(seconds=301))
        )
        await session.commit()
    retry = await post(client, alice, create_body())

    # then the retry claims the key and executes
    assert retry.status_code == 200
    assert not replayed(retry)
    assert retry.content != first.content
    assert await profiles(sessions) == 2
