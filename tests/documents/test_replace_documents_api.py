"""Replacing a document over the GraphQL multipart request spec, on both databases with a real
local blob store: the new file takes the old one's place, or nothing changes at all."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx

from trusthub.blobs import LocalBlobStore
from trusthub.db import SessionFactory
from trusthub.models import CustomerProfile

from ..conftest import Acct
from .conftest import PDF, PNG
from .test_documents_api import new_profile, upload

REPLACE_DOCUMENT = """
mutation Replace($id: ID!, $file: Upload!, $attributes: [DocumentAttributeInput!]) {
  replaceSupportingDocument(id: $id, file: $file, attributes: $attributes) {
    supportingDocument {
      id type fileName size contentType checksum expiresAt attributes { name value }
    }
    userErrors { code field message }
  }
}
"""

PROFILE_DOCUMENTS = """
query Documents($id: ID!) {
  customerProfile(id: $id) { supportingDocuments { id fileName checksum downloadUrl } }
}
"""

RENEWED = [
    {"name": "business_name", "value": "Acme Communications Inc"},
    {"name": "registration_number", "value": "12-3456789"},
    {"name": "issuing_country", "value": "US"},
    {"name": "expiry_date", "value": "2031-01-31"},
]


async def replace(
    client: httpx.AsyncClient,
    acct: Acct,
    document_id: str,
    content: bytes,
    name: str,
    attributes: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    variables: dict[str, Any] = {"id": document_id, "file": None, "attributes": attributes}
    operations = json.dumps({"query": REPLACE_DOCUMENT, "variables": variables})
    response = await client.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, "application/octet-stream")},
        headers={**acct.headers, "Apollo-Require-Preflight": "true"},
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["replaceSupportingDocument"]
    return payload


async def attached(client: httpx.AsyncClient, acct: Acct) -> tuple[str, str]:
    """A DRAFT profile of `acct` with one PDF certificate: (profile id, document id)."""
    profile_id = await new_profile(client, acct)
    response = await upload(client, acct, profile_id, PDF, "certificate.pdf")
    document = response.json()["data"]["createSupportingDocument"]["supportingDocument"]
    return profile_id, str(document["id"])


async def listed(client: httpx.AsyncClient, acct: Acct, profile_id: str) -> list[dict[str, Any]]:
    response = await client.post(
        "/graphql",
        json={"query": PROFILE_DOCUMENTS, "variables": {"id": profile_id}},
        headers=acct.headers,
    )
    documents: list[dict[str, Any]] = response.json()["data"]["customerProfile"][
        "supportingDocuments"
    ]
    return documents


def key(acct: Acct, content: bytes) -> str:
    return f"{acct.sid}/{hashlib.sha256(content).hexdigest()}"


async def test_a_replacement_takes_the_old_documents_place_and_its_blob_goes(
    client: httpx.AsyncClient, alice: Acct, blob_dir: Path
) -> None:
    # given a draft profile with a PDF certificate
    profile_id, old_id = await attached(client, alice)

    # when alice replaces it with a PNG, with the renewed certificate's attributes
    payload = await replace(client, alice, old_id, PNG, "renewed.png", RENEWED)

    # then the new document keeps the type, has the new file and attributes; the old one is gone
    assert payload["userErrors"] == []
    new = payload["supportingDocument"]
    assert new["id"] != old_id
    assert new["type"] == "BUSINESS_REGISTRATION_CERTIFICATE"
    assert (new["fileName"], new["contentType"], new["size"]) == (
        "renewed.png",
        "image/png",
        len(PNG),
    )
    assert new["expiresAt"].startswith("2031-02-01")
    assert {a["name"]: a["value"] for a in new["attributes"]}["expiry_date"] == "2031-01-31"
    [item] = await listed(client, alice, profile_id)
    assert item["id"] == new["id"]
    assert (await client.get(item["downloadUrl"])).content == PNG
    assert await LocalBlobStore(blob_dir).keys() == [key(alice, PNG)]


async def test_attributes_carry_over_when_omitted(
    client: httpx.AsyncClient, alice: Acct, blob_dir: Path
) -> None:
    # given
    _, old_id = await attached(client, alice)

    # when the file alone is replaced
    payload = await replace(client, alice, old_id, PNG, "scan.png")

    # then the attributes are the old document's
    assert payload["userErrors"] == []
    assert {a["name"]: a["value"] for a in payload["supportingDocument"]["attributes"]} == {
        "business_name": "Acme Communications Inc",
        "registration_number": "12-3456789",
        "issuing_country": "US",
    }


async def test_a_refused_replacement_changes_nothing(
    client: httpx.AsyncClient, alice: Acct, blob_dir: Path
) -> None:
    # given
    profile_id, old_id = await attached(client, alice)
    before = await listed(client, alice, profile_id)

    # when: bytes that are no accepted format, then a good file with a bad attribute
    wrong_bytes = await replace(client, alice, old_id, b"MZ\x90\x00 not a pdf", "c.pdf")
    bad_attribute = await replace(
        client, alice, old_id, PNG, "c.png", [*RENEWED[:3], {"name": "colour", "value": "red"}]
    )
    missing = await replace(client, alice, old_id, PNG, "c.png", RENEWED[:1])

    # then each names its field, and the old document and its bytes are as they were
    assert [(e["code"], e["field"]) for e in wrong_bytes["userErrors"]] == [
        ("INVALID_VALUE", ["file"])
    ]
    assert [(e["code"], e["field"]) for e in bad_attribute["userErrors"]] == [
        ("INVALID_VALUE", ["attributes", "colour"])
    ]
    assert sorted((e["code"], tuple(e["field"])) for e in missing["userErrors"]) == [
        ("REQUIRED", ("attributes", "issuing_country")),
        ("REQUIRED", ("attributes", "registration_number")),
    ]
    assert all(p["supportingDocument"] is None for p in (wrong_bytes, bad_attribute, missing))
    after = await listed(client, alice, profile_id)
    assert [(d["id"], d["checksum"]) for d in after] == [(d["id"], d["checksum"]) for d in before]
    assert (await client.get(after[0]["downloadUrl"])).content == PDF
    assert await LocalBlobStore(blob_dir).keys() == [key(alice, PDF)]


async def test_a_locked_owners_document_is_not_replaced(
    client: httpx.AsyncClient, sessions: SessionFactory, alice: Acct, blob_dir: Path
) -> None:
    # given a document of a profile that is then under review
    profile_id, old_id = await attached(client, alice)
    async with sessions() as session:
        profile = await session.get(CustomerProfile, profile_id)
        assert profile is not None
        profile.status = "PENDING_REVIEW"
        await session.commit()

    # when
    payload = await replace(client, alice, old_id, PNG, "renewed.png", RENEWED)

    # then
    assert [e["code"] for e in payload["userErrors"]] == ["LOCKED"]
    assert [d["id"] for d in await listed(client, alice, profile_id)] == [old_id]
    assert await LocalBlobStore(blob_dir).keys() == [key(alice, PDF)]


async def test_another_accounts_document_reads_as_not_found(
    client: httpx.AsyncClient, alice: Acct, bob: Acct, blob_dir: Path
) -> None:
    # given alice's document
    profile_id, old_id = await attached(client, alice)

    # when bob tries to replace it
    payload = await replace(client, bob, old_id, PNG, "mine.png")

    # then
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("NOT_FOUND", ["id"])]
    assert [d["id"] for d in await listed(client, alice, profile_id)] == [old_id]
    assert await LocalBlobStore(blob_dir).keys() == [key(alice, PDF)]
