"""Relay cursor connections over GraphQL beyond customer profiles: trust products, the review
queue and both phone number connections page both ways; bad paging arguments are refused; a
page costs the same statements in either direction (both databases)."""

from __future__ import annotations

from typing import Any

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.domain.products import TrustProductKind
from trusthub.services import phone_numbers

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..services.test_products_helpers import make_product
from .relay import PAGE_INFO, Connection, check_both_ways, ids
from .test_connections import PROFILES, seed
from .test_dataloaders import CountingClient, counting  # noqa: F401  (fixture)
from .test_reviews_api import escalated_review

PRODUCTS = f"""
query Products($first: Int, $after: String, $last: Int, $before: String) {{
  trustProducts(first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id }} }}
  }}
}}
"""

QUEUE = f"""
query Queue($first: Int, $after: String, $last: Int, $before: String) {{
  reviewQueue(first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id }} }}
  }}
}}
"""

NUMBERS = f"""
query Numbers($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  customerProfile(id: $id) {{
    phoneNumbers(first: $first, after: $after, last: $last, before: $before) {{
      totalCount {PAGE_INFO} edges {{ cursor node {{ id: phoneNumber }} }}
    }}
  }}
  trustProduct(id: $id) {{
    phoneNumbers(first: $first, after: $after, last: $last, before: $before) {{
      totalCount {PAGE_INFO} edges {{ cursor node {{ id: phoneNumber }} }}
    }}
  }}
}}
"""

NUMBER_LIST = [f"+1415555020{n}" for n in range(6)]


async def test_trust_products_page_both_ways(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given five trust products of one profile
    (profile,) = await seed(sessions, alice, 1)
    made = [await make_product(sessions, alice, TrustProductKind.CNAM, profile) for _ in range(5)]

    async def fetch(variables: dict[str, Any]) -> Connection:
        connection: Connection = (await gql(PRODUCTS, variables, account=alice))["trustProducts"]
        return connection

    # when alice walks them forward and backward, then she sees each once, in creation order
    await check_both_ways(fetch, made, sizes=(1, 2, 5))


async def test_the_review_queue_pages_both_ways(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given four escalated reviews and a reviewer
    made = [(await escalated_review(sessions, alice))[0] for _ in range(4)]
    reviewer = await make_account("rita", Role.REVIEWER)

    async def fetch(variables: dict[str, Any]) -> Connection:
        connection: Connection = (await gql(QUEUE, variables, account=reviewer))["reviewQueue"]
        return connection

    # when the reviewer walks the queue both ways
    # then every review comes once, the most urgent (submitted first) first
    await check_both_ways(fetch, made, sizes=(1, 3))


async def test_phone_number_connections_page_both_ways(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given six numbers on a profile (assigned out of order), four of them on its product
    (profile,) = await seed(sessions, alice, 1)
    product = await make_product(sessions, alice, TrustProductKind.CNAM, profile)
    async with sessions() as s:
        for number in reversed(NUMBER_LIST):
            await phone_numbers.assign(s, alice.actor, number, customer_profile_sid=profile)
        for number in NUMBER_LIST[:4]:
            await phone_numbers.assign(s, alice.actor, number, trust_product_sid=product)
        await s.commit()

    def fetcher(sid: str, field: str) -> Any:
        async def fetch(variables: dict[str, Any]) -> Connection:
            data = await gql(NUMBERS, {"id": sid, **variables}, account=alice)
            connection: Connection = data[field]["phoneNumbers"]
            return connection

        return fetch

    # when alice walks each connection both ways
    # then she sees every number once, in number order
    await check_both_ways(fetcher(profile, "customerProfile"), NUMBER_LIST, sizes=(1, 4, 6))
    await check_both_ways(fetcher(product, "trustProduct"), NUMBER_LIST[:4], sizes=(3,))
    # and a number's cursor does not show the number
    page = await fetcher(profile, "customerProfile")({"first": 6})
    assert not any("+1415" in e["cursor"] or "1415" in e["cursor"] for e in page["edges"])
    # and after + before bound the window
    low, high = page["edges"][0]["cursor"], page["edges"][4]["cursor"]
    window = await fetcher(profile, "customerProfile")({"after": low, "before": high, "last": 2})
    assert ids(window) == NUMBER_LIST[2:4]
    assert (window["pageInfo"]["hasPreviousPage"], window["pageInfo"]["hasNextPage"]) == (
        True,
        True,
    )


async def test_bad_paging_arguments_are_refused_on_every_connection(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given a profile (for its numbers) and a reviewer (for the queue)
    (profile,) = await seed(sessions, alice, 1)
    reviewer = await make_account("rita", Role.REVIEWER)
    cases = [
        ({"first": 1, "last": 1}, "Pass first or last, not both."),
        ({"last": 101}, "last must be between 0 and 100."),
        ({"last": -1}, "last must be between 0 and 100."),
        ({"first": 101}, "first must be between 0 and 100."),
        ({"before": "garbage!!"}, "Malformed cursor in before."),
        ({"last": 2, "after": "garbage!!"}, "Malformed cursor in after."),
    ]
    targets = [
        (PROFILES, {}, alice, ["customerProfiles"]),
        (PRODUCTS, {}, alice, ["trustProducts"]),
        (QUEUE, {}, reviewer, ["reviewQueue"]),
        (NUMBERS, {"id": profile}, alice, ["customerProfile", "phoneNumbers"]),
    ]
    for document, base, account, path in targets:
        for variables, message in cases:
            # when a connection is asked for with bad paging arguments
            body = await gql.raw(document, {**base, **variables}, headers=account.headers)
            # then the request is refused with a message naming the argument, on that field
            assert [e["message"] for e in body["errors"]] == [message], (path, variables)
            assert body["errors"][0]["path"] == path


async def test_a_backward_page_costs_the_statements_of_a_forward_page(
    counting: CountingClient,  # noqa: F811
    sessions: SessionFactory,
    alice: Acct,
) -> None:
    # given thirty profiles and a cursor in the middle
    made = await seed(sessions, alice, 30)
    middle, _ = await counting.run(PROFILES, {"first": 15})
    cursor = middle["customerProfiles"]["pageInfo"]["endCursor"]
    # when pages are read forward and backward, from the ends and from the middle
    cases = [
        ({"first": 5}, made[:5]),
        ({"first": 15, "after": cursor}, made[15:]),
        ({"last": 5}, made[25:]),
        ({"last": 14, "before": cursor}, made[:14]),
    ]
    counts = []
    for variables, expected in cases:
        data, count = await counting.run(PROFILES, variables)
        assert ids(data["customerProfiles"]) == expected, variables
        counts.append(count)
    # then every page takes the same statements: the count (with the flag), then the page
    assert len(set(counts)) == 1, counts
