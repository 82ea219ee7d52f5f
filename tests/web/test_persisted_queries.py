"""Persisted queries: Apollo's APQ protocol over POST and GET, and PERSISTED_QUERIES_ONLY."""

from __future__ import annotations

import hashlib
import json

import httpx

from trusthub.db import SessionFactory
from trusthub.services.persisted_operations import register_operations

from ..conftest import Acct
from .conftest import AppClient

TOTAL = "query Total { customerProfiles(first: 1) { totalCount } }"
TOTAL_HASH = hashlib.sha256(TOTAL.encode()).hexdigest()
ANSWER = {"data": {"customerProfiles": {"totalCount": 0}}}
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}


def persisted(sha: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


async def test_apq_miss_then_register_then_hit_over_post_and_get(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # given a client that first sends only the hash
    miss = await client.post(
        "/graphql", json={"extensions": persisted(TOTAL_HASH)}, headers=alice.headers
    )
    # then it gets exactly the error Apollo's link looks for
    assert (miss.status_code, miss.json()) == (200, NOT_FOUND)
    # when it sends the document with its hash
    registered = await client.post(
        "/graphql",
        json={"query": TOTAL, "extensions": persisted(TOTAL_HASH)},
        headers=alice.headers,
    )
    assert registered.json() == ANSWER
    # then the hash alone runs it, over POST and over GET
    hit = await client.post(
        "/graphql", json={"extensions": persisted(TOTAL_HASH)}, headers=alice.headers
    )
    assert hit.json() == ANSWER
    got = await client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(TOTAL_HASH))},
        headers={**alice.headers, "accept": "*/*"},
    )
    assert (got.status_code, got.json()) == (200, ANSWER)


async def test_a_miss_under_the_spec_media_type_is_a_400(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    miss = await client.post(
        "/graphql",
        json={"extensions": persisted(TOTAL_HASH)},
        headers={**alice.headers, "accept": "application/graphql-response+json"},
    )
    assert (miss.status_code, miss.json()) == (400, NOT_FOUND)


async def test_a_hash_that_does_not_match_the_document_is_refused(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # when a client sends a document under another document's hash
    other = hashlib.sha256(b"query { viewer { account { id } } }").hexdigest()
    response = await client.post(
        "/graphql", json={"query": TOTAL, "extensions": persisted(other)}, headers=alice.headers
    )
    # then it is refused, and that hash still finds nothing
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    again = await client.post(
        "/graphql", json={"extensions": persisted(other)}, headers=alice.headers
    )
    assert again.json() == NOT_FOUND


async def test_a_malformed_persisted_query_names_the_field(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    for bad in ({"version": 2, "sha256Hash": TOTAL_HASH}, {"version": 1, "sha256Hash": "abc"}):
        response = await client.post(
            "/graphql", json={"extensions": {"persistedQuery": bad}}, headers=alice.headers
        )
        assert response.status_code == 400, bad
        assert "extensions.persistedQuery" in response.json()["errors"][0]["message"]


async def test_registered_only_refuses_ad_hoc_documents(
    app_client: AppClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given TOTAL registered ahead
    async with sessions() as session:
        await register_operations(session, [TOTAL])
        await session.commit()
    async with app_client(persisted_queries_only=True) as client:
        # when a client sends another document, as text or through APQ
        ad_hoc = "query { viewer { account { id } } }"
        plain = await client.post("/graphql", json={"query": ad_hoc}, headers=alice.headers)
        apq = await client.post(
            "/graphql",
            json={
                "query": ad_hoc,
                "extensions": persisted(hashlib.sha256(ad_hoc.encode()).hexdigest()),
            },
            headers=alice.headers,
        )
        # then both are refused, saying why
        for response in (plain, apq):
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_REGISTERED"
            assert "data" not in response.json()
        # and the registered document runs, by hash and as text
        by_hash = await client.post(
            "/graphql", json={"extensions": persisted(TOTAL_HASH)}, headers=alice.headers
        )
        as_text = await client.post("/graphql", json={"query": TOTAL}, headers=alice.headers)
        assert by_hash.json() == ANSWER
        assert as_text.json() == ANSWER
