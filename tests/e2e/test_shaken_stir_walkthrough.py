"""The SHAKEN/STIR walk-through of docs/customers.md, end to end: a real server running every
role on the in-process broker, driven over HTTP like a frontend, ending in an A attestation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from trusthub.config import Settings
from trusthub.runtime import ALL_ROLES

from ..conftest import Acct
from .conftest import Frontend, serving

CREATE_PROFILE = """
mutation {
  createCustomerProfile(input: {
    kind: BUSINESS, friendlyName: "Acme Telecom", notificationEmail: "compliance@acmetelecom.com"
    business: {
      legalName: "Acme Telecom Inc", identity: DIRECT_CUSTOMER, type: CORPORATION,
      industry: TELECOMMUNICATIONS, registrationIdType: EIN, registrationNumber: "12-3456789",
      regionsOfOperation: [USA_AND_CANADA], websiteUrl: "https://acmetelecom.com"
    }
    address: { street1: "1 Market St", city: "San Francisco", region: "CA",
               postalCode: "94105", country: "US" }
  }) { customerProfile { id } userErrors { code field message } }
}
"""
ADD_REP = """
mutation($id: ID!) {
  addAuthorizedRepresentative(input: {
    profileId: $id, position: 1, firstName: "Grace", lastName: "Hopper",
    email: "grace@acmetelecom.com", phoneNumber: "+14155552671",
    businessTitle: "Chief Executive", jobPosition: CEO
  }) { userErrors { code field message } }
}
"""
SUBMIT_PROFILE = """
mutation($id: ID!) {
  submitCustomerProfile(input: { id: $id, acceptTerms: true }) {
    customerProfile { status } userErrors { code field message }
  }
}
"""
PROFILE_STATUS = "query($id: ID!) { customerProfile(id: $id) { status reasons { code message } } }"
CREATE_SHAKEN = """
mutation($profile: ID!) {
  createTrustProduct(input: {
    kind: SHAKEN_STIR, customerProfileId: $profile, friendlyName: "Acme SHAKEN/STIR",
    notificationEmail: "compliance@acmetelecom.com"
  }) { trustProduct { id status policy { id } } userErrors { code field message } }
}
"""
EVALUATE_PRODUCT = """
mutation($id: ID!) { evaluateTrustProduct(id: $id) { evaluation { status } userErrors { code } } }
"""
SUBMIT_PRODUCT = """
mutation($id: ID!) {
  submitTrustProduct(input: { id: $id, acceptTerms: true }) {
    trustProduct { status } userErrors { code field message }
  }
}
"""
PRODUCT_STATUS = "query($id: ID!) { trustProduct(id: $id) { status reasons { code message } } }"
ASSIGN = """
mutation($number: String!, $profile: ID, $product: ID) {
  assignPhoneNumber(input: {
    phoneNumber: $number, customerProfileId: $profile, trustProductId: $product
  }) { phoneNumber userErrors { code field message } }
}
"""
ATTESTATION = "query($n: String!) { attestation(phoneNumber: $n) { phoneNumber level reason } }"
NUMBER = "+14155552672"


@pytest.fixture
async def full_frontend(settings: Settings, alice: Acct) -> AsyncIterator[Frontend]:
    """Alice's frontend against what `trusthub dev` runs: the gateway and every worker role in
    one process, on the in-process broker."""
    with serving(settings.model_copy(update={"broker_url": "memory://"}), ALL_ROLES) as live:
        async with httpx.AsyncClient(base_url=live.base_url, timeout=10.0) as client:
            yield Frontend(client, alice)


async def wait_for(frontend: Frontend, query: str, sid: str, field: str, status: str) -> None:
    async with asyncio.timeout(20):
        while True:
            data = await frontend(query, {"id": sid})
            if data[field]["status"] == status:
                return
            assert data[field]["status"] not in ("REJECTED",), data
            await asyncio.sleep(0.1)


async def call(frontend: Frontend, query: str, **variables: Any) -> Any:
    data = await frontend(query, variables)
    payload = next(iter(data.values()))
    assert payload.get("userErrors", []) == [], payload
    return payload


async def test_from_a_profile_to_an_a_attestation(full_frontend: Frontend) -> None:
    frontend = full_frontend
    # given a business profile submitted and approved by the automated reviewer
    created = await call(frontend, CREATE_PROFILE)
    profile = created["customerProfile"]["id"]
    await call(frontend, ADD_REP, id=profile)
    await call(frontend, SUBMIT_PROFILE, id=profile)
    await wait_for(frontend, PROFILE_STATUS, profile, "customerProfile", "APPROVED")
    # when a SHAKEN/STIR product is created, evaluated, submitted and approved
    product = (await call(frontend, CREATE_SHAKEN, profile=profile))["trustProduct"]["id"]
    evaluation = await call(frontend, EVALUATE_PRODUCT, id=product)
    await call(frontend, SUBMIT_PRODUCT, id=product)
    await wait_for(frontend, PRODUCT_STATUS, product, "trustProduct", "APPROVED")
    before = await frontend(ATTESTATION, {"n": NUMBER})
    # and the number is assigned to the profile, then to the product
    await call(frontend, ASSIGN, number=NUMBER, profile=profile)
    await call(frontend, ASSIGN, number=NUMBER, product=product)
    after = await frontend(ATTESTATION, {"n": NUMBER})
    # then the product was compliant, and calls from the number get A (B before it was assigned)
    assert evaluation["evaluation"]["status"] == "COMPLIANT"
    assert before["attestation"]["level"] == "B"
    assert after["attestation"] == {
        "phoneNumber": NUMBER,
        "level": "A",
        "reason": after["attestation"]["reason"],
    }
    assert after["attestation"]["reason"]
