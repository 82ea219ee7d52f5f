"""GraphQL documents and small helpers the API tests share."""

from __future__ import annotations

import re
from typing import Any

from ..conftest import Acct, GraphQLClient
from ..factories import ADDRESS, BUSINESS, INDIVIDUAL, REPRESENTATIVE

SID = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")

PRIMARY_BUSINESS_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
SECONDARY_BUSINESS_POLICY = "RN806dd6cd175f314e1f96a9727ee271f4"
INDIVIDUAL_POLICY = "RN7a97559effdf62d00f4298208492a5ea"

PROFILE_FIELDS = """
fragment ProfileFields on CustomerProfile {
  id kind tier status friendlyName notificationEmail statusCallback
  business {
    legalName identity type industry registrationIdType registrationNumber
    regionsOfOperation websiteUrl socialMediaProfileUrls
  }
  individual { firstName lastName email phoneNumber }
  address { street1 street2 city region postalCode country }
  authorizedRepresentatives {
    id position firstName lastName email phoneNumber businessTitle jobPosition
  }
  primaryProfile { id }
  policy { id }
  reasons { code field message }
  history { from to actor at }
  termsAcceptedAt termsVersion createdAt updatedAt
}
"""

CREATE = (
    """
mutation Create($input: CreateCustomerProfileInput!) {
  createCustomerProfile(input: $input) {
    customerProfile { ...ProfileFields }
    userErrors { code field message }
  }
}
"""
    + PROFILE_FIELDS
)

UPDATE = (
    """
mutation Update($input: UpdateCustomerProfileInput!) {
  updateCustomerProfile(input: $input) {
    customerProfile { ...ProfileFields }
    userErrors { code field message }
  }
}
"""
    + PROFILE_FIELDS
)

DELETE = """
mutation Delete($id: ID!) {
  deleteCustomerProfile(id: $id) { deletedId userErrors { code field message } }
}
"""

ADD_REP = (
    """
mutation AddRep($input: AddAuthorizedRepresentativeInput!) {
  addAuthorizedRepresentative(input: $input) {
    customerProfile { ...ProfileFields }
    userErrors { code field message }
  }
}
"""
    + PROFILE_FIELDS
)

UPDATE_REP = (
    """
mutation UpdateRep($input: UpdateAuthorizedRepresentativeInput!) {
  updateAuthorizedRepresentative(input: $input) {
    customerProfile { ...ProfileFields }
    userErrors { code field message }
  }
}
"""
    + PROFILE_FIELDS
)

REMOVE_REP = (
    """
mutation RemoveRep($id: ID!) {
  removeAuthorizedRepresentative(id: $id) {
    customerProfile { ...ProfileFields }
    userErrors { code field message }
  }
}
"""
    + PROFILE_FIELDS
)

EVALUATE = """
mutation Evaluate($id: ID!) {
  evaluateCustomerProfile(id: $id) {
    evaluation {
      id subjectId policyId status createdAt
      results { requirement passed failures { field code message } }
    }
    userErrors { code field message }
  }
}
"""

SUBMIT = (
    """
mutation Submit($input: SubmitInput!) {
  submitCustomerProfile(input: $input) {
    customerProfile { ...ProfileFields }
    userErrors { code field message }
  }
}
"""
    + PROFILE_FIELDS
)

PROFILE = (
    """
query Profile($id: ID!) { customerProfile(id: $id) { ...ProfileFields } }
"""
    + PROFILE_FIELDS
)

LIST_IDS = """
query List($first: Int, $after: String, $filter: CustomerProfileFilter) {
  customerProfiles(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id friendlyName status kind tier } }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on CustomerProfile { friendlyName status }
    ... on AuthorizedRepresentative { position firstName }
    ... on Policy { friendlyName subjectType kind tier }
    ... on Evaluation { subjectId evaluationStatus: status }
    ... on Account { name role }
  }
}
"""


def business_input(**overrides: Any) -> dict[str, Any]:
    """A complete primary business profile input (still needs representative #1)."""
    return {
        "kind": "BUSINESS",
        "friendlyName": "Acme",
        "notificationEmail": "ops@acme.example.com",
        "statusCallback": "https://hooks.acme.example.com/trusthub",
        "business": dict(BUSINESS),
        "address": dict(ADDRESS),
        **overrides,
    }


def individual_input(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "INDIVIDUAL",
        "friendlyName": "Ada",
        "notificationEmail": "ada@example.com",
        "individual": dict(INDIVIDUAL),
        "address": dict(ADDRESS),
        **overrides,
    }


async def create(gql: GraphQLClient, account: Acct, input: dict[str, Any]) -> dict[str, Any]:
    """Create a profile that must be accepted; return it."""
    data = await gql(CREATE, {"input": input}, account=account)
    payload = data["createCustomerProfile"]
    assert payload["userErrors"] == [], payload
    profile: dict[str, Any] = payload["customerProfile"]
    return profile


async def add_rep(
    gql: GraphQLClient, account: Acct, profile_id: str, position: int = 1, **overrides: Any
) -> dict[str, Any]:
    """Add a representative that must be accepted; return the profile."""
    rep = {**REPRESENTATIVE, **overrides, "profileId": profile_id, "position": position}
    data = await gql(ADD_REP, {"input": rep}, account=account)
    payload = data["addAuthorizedRepresentative"]
    assert payload["userErrors"] == [], payload
    profile: dict[str, Any] = payload["customerProfile"]
    return profile


async def complete_business(gql: GraphQLClient, account: Acct, **overrides: Any) -> dict[str, Any]:
    """A compliant draft: every business field and representative #1."""
    profile = await create(gql, account, business_input(**overrides))
    return await add_rep(gql, account, profile["id"])


async def read(gql: GraphQLClient, account: Acct, profile_id: str) -> dict[str, Any] | None:
    data = await gql(PROFILE, {"id": profile_id}, account=account)
    profile: dict[str, Any] | None = data["customerProfile"]
    return profile


async def must_read(gql: GraphQLClient, account: Acct, profile_id: str) -> dict[str, Any]:
    profile = await read(gql, account, profile_id)
    assert profile is not None, profile_id
    return profile


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """A payload's user errors as (code, field path) pairs."""
    return [(e["code"], e["field"]) for e in payload["userErrors"]]
