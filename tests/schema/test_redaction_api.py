"""redactCustomerProfile: an admin purges one profile's personal data now; refused while it is
under review (LOCKED) and to anyone but an admin (FORBIDDEN), with the data left as it was."""

from __future__ import annotations

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.domain.privacy import MARKER

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..services.helpers import force, stored
from ..services.purge_rows import NUMBER, PERSONAL, rejected_profile, representatives_of, traces

REDACT = """
mutation Redact($id: ID!) {
  redactCustomerProfile(id: $id) {
    customerProfile { id status purgedAt }
    userErrors { code field message }
  }
}
"""


async def test_an_admin_redacts_a_profile_now(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given alice's rejected profile and an admin
    sid = await rejected_profile(sessions, alice)
    admin = await make_account("root", Role.ADMIN)

    # when alice herself asks, then she is refused and nothing changes
    data = await gql(REDACT, {"id": sid}, account=alice)
    assert data["redactCustomerProfile"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await stored(sessions, sid)).registration_number == NUMBER

    # when the admin redacts it
    data = await gql(REDACT, {"id": sid}, account=admin)

    # then it is purged now, keeps its status, and says when
    payload = data["redactCustomerProfile"]
    assert payload["userErrors"] == []
    assert payload["customerProfile"]["status"] == "REJECTED"
    assert payload["customerProfile"]["purgedAt"] is not None
    profile = await stored(sessions, sid)
    assert profile.registration_number == MARKER
    assert profile.purge_run_id is not None
    (rep,) = await representatives_of(sessions, sid)
    assert rep.email == MARKER
    for table, text in (await traces(sessions, sid)).items():
        for value in PERSONAL:
            assert value not in text, (table, value)


async def test_a_profile_under_review_cannot_be_redacted(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given a profile pending review
    sid = await rejected_profile(sessions, alice)
    await force(sessions, sid, Status.PENDING_REVIEW)
    admin = await make_account("root", Role.ADMIN)

    # when the admin asks to redact it
    data = await gql(REDACT, {"id": sid}, account=admin)

    # then it is LOCKED, naming the id, and its data is as it was
    (error,) = data["redactCustomerProfile"]["userErrors"]
    assert (error["code"], error["field"]) == ("LOCKED", ["id"])
    assert data["redactCustomerProfile"]["customerProfile"] is None
    assert (await stored(sessions, sid)).registration_number == NUMBER
    (rep,) = await representatives_of(sessions, sid)
    assert rep.email != MARKER
