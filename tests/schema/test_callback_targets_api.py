"""Over GraphQL, as a frontend sends it: an internal status callback is a user error on
`statusCallback`, unless the gateway's settings allow private networks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from trusthub.app import create_app
from trusthub.config import Settings

from ..conftest import Acct, GraphQLClient
from .api import CREATE, business_input, codes

METADATA = "http://[::ffff:169.254.169.254]/latest/meta-data/"

UPDATE_PRODUCT = """
mutation Update($input: UpdateTrustProductInput!) {
  updateTrustProduct(input: $input) {
    trustProduct { id statusCallback }
    userErrors { code field message }
  }
}
"""
CREATE_PRODUCT = """
mutation Create($input: CreateTrustProductInput!) {
  createTrustProduct(input: $input) {
    trustProduct { id statusCallback }
    userErrors { code field message }
  }
}
"""


@pytest.mark.parametrize("url", [METADATA, "http://0x7f.1/cb", "http://metadata.google.internal/"])
async def test_an_internal_status_callback_is_a_field_error(
    gql: GraphQLClient, alice: Acct, url: str
) -> None:
    # when a profile is created with an internal callback
    data = await gql(CREATE, {"input": business_input(statusCallback=url)}, account=alice)

    # then it is refused on statusCallback and nothing is created
    payload = data["createCustomerProfile"]
    assert payload["customerProfile"] is None
    assert codes(payload) == [("INVALID_VALUE", ["statusCallback"])]
    assert "public internet host" in payload["userErrors"][0]["message"]


async def test_a_trust_products_internal_callback_is_a_field_error(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a trust product with a public callback
    profile = await gql(CREATE, {"input": business_input()}, account=alice)
    product_input = {
        "kind": "SHAKEN_STIR",
        "customerProfileId": profile["createCustomerProfile"]["customerProfile"]["id"],
        "friendlyName": "Acme SHAKEN",
        "notificationEmail": "voice@acme.example.com",
        "statusCallback": "https://hooks.acme.example.com/cb",
    }
    created = await gql(CREATE_PRODUCT, {"input": product_input}, account=alice)
    product = created["createTrustProduct"]["trustProduct"]

    # when it is pointed at the metadata address
    data = await gql(
        UPDATE_PRODUCT, {"input": {"id": product["id"], "statusCallback": METADATA}}, account=alice
    )

    # then it is refused and the public one stays
    assert codes(data["updateTrustProduct"]) == [("INVALID_VALUE", ["statusCallback"])]
    again = await gql(UPDATE_PRODUCT, {"input": {"id": product["id"]}}, account=alice)
    assert again["updateTrustProduct"]["trustProduct"]["statusCallback"] == (
        "https://hooks.acme.example.com/cb"
    )


@pytest.fixture
async def dev_gql(settings: Settings) -> AsyncIterator[GraphQLClient]:
    """A gateway configured as `trusthub dev` is: WEBHOOK_ALLOW_PRIVATE_NETWORKS=true."""
    app = create_app(settings.model_copy(update={"webhook_allow_private_networks": True}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        yield GraphQLClient(c)
    await app.state.engine.dispose()


async def test_the_gateways_setting_reaches_the_check(dev_gql: GraphQLClient, alice: Acct) -> None:
    # when a local receiver is set through a gateway that allows private networks
    local = "http://127.0.0.1:9000/cb"
    data = await dev_gql(CREATE, {"input": business_input(statusCallback=local)}, account=alice)

    # then it is stored
    payload = data["createCustomerProfile"]
    assert payload["userErrors"] == []
    assert payload["customerProfile"]["statusCallback"] == local
