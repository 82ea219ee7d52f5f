"""Relay cursor connections over GraphQL, customer profiles: both directions with several page
sizes, after and before mixed, items added between pages, and the edge cases (both
databases)."""

from __future__ import annotations

from typing import Any

from trusthub.db import SessionFactory
from trusthub.services import profiles

from ..conftest import Acct, GraphQLClient
from ..factories import business_profile
from .api import DELETE
from .relay import PAGE_INFO, Connection, Fetch, check_both_ways, ids, walk_backward, walk_forward

PROFILES = f"""
query Profiles($first: Int, $after: String, $last: Int, $before: String) {{
  customerProfiles(first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id }} }}
  }}
}}
"""


async def seed(sessions: SessionFactory, account: Acct, count: int, start: int = 0) -> list[str]:
    """`count` profiles, one transaction each (so creation times differ); their SIDs in order."""
    made = []
    for n in range(start, start + count):
        async with sessions() as s:
            data = business_profile(changes={("friendlyName",): f"P{n:03}"})
            made.append((await profiles.create_profile(s, account.actor, data)).sid)
            await s.commit()
    return made


def fetcher(gql: GraphQLClient, account: Acct) -> Fetch:
    async def fetch(variables: dict[str, Any]) -> Connection:
        data = await gql(PROFILES, variables, account=account)
        connection: Connection = data["customerProfiles"]
        return connection

    return fetch


async def test_profiles_page_both_ways_with_every_page_size(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given seven profiles
    made = await seed(sessions, alice, 7)
    # when alice walks the connection forward and backward with pages of 1, 2, 3, 7 and 10
    # then she sees every profile once, in creation order, with the spec's pageInfo each time
    await check_both_ways(fetcher(gql, alice), made, sizes=(1, 2, 3, 7, 10))


async def test_after_and_before_mix(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given six profiles and the second page of two
    made = await seed(sessions, alice, 6)
    fetch = fetcher(gql, alice)
    first = await fetch({"first": 2})
    second = await fetch({"first": 2, "after": first["pageInfo"]["endCursor"]})
    assert ids(second) == made[2:4]
    # when alice goes back from the second page's start, and forward again from there
    back = await fetch({"last": 2, "before": second["pageInfo"]["startCursor"]})
    again = await fetch({"first": 2, "after": back["pageInfo"]["endCursor"]})
    # then she is on the first page (nothing before it, more after), then the second again
    assert ids(back) == made[0:2]
    assert (back["pageInfo"]["hasPreviousPage"], back["pageInfo"]["hasNextPage"]) == (False, True)
    assert again == second
    # when she asks for what lies between the first page's end and the last profile
    low, high = first["edges"][-1]["cursor"], (await fetch({"last": 1}))["edges"][0]["cursor"]
    between = await fetch({"after": low, "before": high})
    front = await fetch({"first": 1, "after": low, "before": high})
    back_end = await fetch({"last": 1, "after": low, "before": high})
    # then only the profiles strictly between come back, from either end
    assert ids(between) == made[2:5]
    assert (ids(front), front["pageInfo"]["hasNextPage"]) == (made[2:3], True)
    assert front["pageInfo"]["hasPreviousPage"] is True  # profiles up to `after` exist
    assert (ids(back_end), back_end["pageInfo"]["hasPreviousPage"]) == (made[4:5], True)
    assert back_end["pageInfo"]["hasNextPage"] is True  # the profile at `before` exists
    # and the count is of the whole connection, not the window
    assert {between["totalCount"], front["totalCount"], back_end["totalCount"]} == {6}


async def test_a_cursor_is_the_same_on_every_page(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given five profiles
    await seed(sessions, alice, 5)
    fetch = fetcher(gql, alice)
    # when they are read in one page, forward in twos and backward in twos
    whole = {e["node"]["id"]: e["cursor"] for e in (await fetch({"first": 5}))["edges"]}
    _, forward = await walk_forward(fetch, 2)
    _, backward = await walk_backward(fetch, 2)
    # then each profile has one cursor, whichever page it came on, and it reveals nothing
    for page in forward + backward:
        for edge in page["edges"]:
            assert whole[edge["node"]["id"]] == edge["cursor"]
    assert not any(sid in cursor or "BU" in cursor for sid, cursor in whole.items())


async def test_profiles_added_while_walking_forward_are_met_once(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given five profiles
    made = await seed(sessions, alice, 5)
    added: list[str] = []

    async def add_one() -> None:
        added.extend(await seed(sessions, alice, 1, start=100 + len(added)))

    # when alice walks forward two at a time while a profile is created after every page
    seen, pages = await walk_forward(fetcher(gql, alice), 2, between=add_one)
    # then nothing is skipped or repeated: the new profiles come after the old, in order
    assert len(seen) == len(set(seen))
    assert seen[:5] == made
    assert seen[5:] == added[: len(seen) - 5]
    # and each page counts the profiles that existed when it was read
    assert [p["totalCount"] for p in pages] == [5 + n for n in range(len(pages))]


async def test_profiles_added_while_walking_backward_stay_ahead(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given five profiles
    made = await seed(sessions, alice, 5)
    added: list[str] = []

    async def add_one() -> None:
        added.extend(await seed(sessions, alice, 1, start=100 + len(added)))

    fetch = fetcher(gql, alice)
    # when alice walks backward two at a time while a profile is created after every page
    seen, pages = await walk_backward(fetch, 2, between=add_one)
    # then she reaches the first profile over exactly the old ones, none twice
    assert seen == made
    # and the newest page, read again from its end, now has the additions after it
    newest_start = pages[0]["pageInfo"]["startCursor"]
    ahead = await fetch({"first": 10, "after": pages[0]["pageInfo"]["endCursor"]})
    assert ids(ahead) == added
    assert (await fetch({"last": 2, "before": newest_start}))["pageInfo"]["hasNextPage"] is True


async def test_edge_cases(gql: GraphQLClient, sessions: SessionFactory, alice: Acct) -> None:
    fetch = fetcher(gql, alice)
    # given no profiles: both directions are empty, with nothing on either side
    for variables in ({}, {"first": 5}, {"last": 5}):
        empty = await fetch(variables)
        assert empty == {
            "totalCount": 0,
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
            "edges": [],
        }
    # given three profiles
    made = await seed(sessions, alice, 3)
    one = await fetch({"first": 1})
    last_one = await fetch({"last": 1})
    # a page of none is empty but still says whether the window holds any
    none = await fetch({"first": 0})
    assert (ids(none), none["pageInfo"]["hasNextPage"], none["totalCount"]) == ([], True, 3)
    back_none = await fetch({"last": 0})
    assert (ids(back_none), back_none["pageInfo"]["hasPreviousPage"]) == ([], True)
    # before the first profile: nothing, and everything after
    front = await fetch({"last": 2, "before": one["pageInfo"]["startCursor"]})
    assert (ids(front), front["pageInfo"]["hasPreviousPage"]) == ([], False)
    assert front["pageInfo"]["hasNextPage"] is True
    # after the last profile: nothing, and everything before
    end = await fetch({"first": 2, "after": last_one["pageInfo"]["endCursor"]})
    assert (ids(end), end["pageInfo"]["hasNextPage"], end["pageInfo"]["hasPreviousPage"]) == (
        [],
        False,
        True,
    )
    # `before` alone is the page just before it
    assert ids(await fetch({"before": last_one["pageInfo"]["startCursor"]})) == made[0:2]
    # a cursor whose profile was deleted still places the page
    deleted = await gql(DELETE, {"id": made[0]}, account=alice)
    assert deleted["deleteCustomerProfile"]["userErrors"] == []
    after_gone = await fetch({"first": 5, "after": one["pageInfo"]["endCursor"]})
    assert (ids(after_gone), after_gone["pageInfo"]["hasPreviousPage"]) == (made[1:], False)
    before_gone = await fetch({"last": 5, "before": one["pageInfo"]["startCursor"]})
    assert (ids(before_gone), before_gone["pageInfo"]["hasNextPage"]) == ([], True)


async def test_paging_keeps_to_the_filter_and_the_account(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    # given profiles of alice's and bob's, interleaved in time
    mine: list[str] = []
    for n in range(4):
        mine += await seed(sessions, alice, 1, start=n)
        await seed(sessions, bob, 1, start=n)
    # when alice walks her connection both ways
    # then she sees only her own, and the flags ignore bob's around them
    await check_both_ways(fetcher(gql, alice), mine, sizes=(1, 3))
