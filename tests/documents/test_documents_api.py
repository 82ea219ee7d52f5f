"""Uploads over the GraphQL multipart request spec, and downloads through signed links, on
the ASGI app with a real local blob store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from trusthub.blobs import LocalBlobStore

from ..conftest import Acct
from .conftest import CERTIFICATE_ATTRIBUTES, PDF

CREATE_DOCUMENT = """
mutation Upload($input: CreateSupportingDocumentInput!, $file: Upload!) {
  createSupportingDocument(input: $input, file: $file) {
    supportingDocument {
      id type fileName size contentType checksum status createdAt expiresAt downloadUrl
      attributes { name value }
    }
    userErrors { code field message }
  }
}
"""

PROFILE_DOCUMENTS = """
query Documents($id: ID!) {
  customerProfile(id: $id) { supportingDocuments { id fileName downloadUrl } }
}
"""

CREATE_PROFILE = """
mutation { createCustomerProfile(input: {kind: BUSINESS, friendlyName: "Acme",
  notificationEmail: "ops@acme.example.com"}) { customerProfile { id } } }
"""


async def upload(
    client: httpx.AsyncClient, acct: Acct, profile_id: str, content: bytes, name: str
) -> httpx.Response:
    variables: dict[str, Any] = {
        "input": {
            "profileId": profile_id,
            "type": "BUSINESS_REGISTRATION_CERTIFICATE",
            "attributes": [{"name": n, "value": v} for n, v in CERTIFICATE_ATTRIBUTES],
        },
        "file": None,
    }
    operations = json.dumps({"query": CREATE_DOCUMENT, "variables": variables})
    return await client.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, "application/pdf")},
        headers={**acct.headers, "Apollo-Require-Preflight": "true"},
    )


async def new_profile(client: httpx.AsyncClient, acct: Acct) -> str:
    response = await client.post("/graphql", json={"query": CREATE_PROFILE}, headers=acct.headers)
    return str(response.json()["data"]["createCustomerProfile"]["customerProfile"]["id"])


async def test_an_upload_is_listed_and_downloads_as_an_attachment(
    client: httpx.AsyncClient, alice: Acct, bob: Acct
) -> None:
    # given
    profile_id = await new_profile(client, alice)

    # when
    response = await upload(client, alice, profile_id, PDF, "certificate.pdf")

    # then
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["createSupportingDocument"]
    assert payload["userErrors"] == []
    document = payload["supportingDocument"]
    assert document["contentType"] == "application/pdf"
    assert document["size"] == len(PDF)
    assert document["status"] == "ACTIVE"
    listed = await client.post(
        "/graphql",
        json={"query": PROFILE_DOCUMENTS, "variables": {"id": profile_id}},
        headers=alice.headers,
    )
    [item] = listed.json()["data"]["customerProfile"]["supportingDocuments"]
    assert item["id"] == document["id"]
    downloaded = await client.get(item["downloadUrl"])
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    # a tampered link opens nothing
    assert (await client.get(item["downloadUrl"] + "x")).status_code == 404


async def test_a_file_of_the_wrong_type_is_a_user_error_and_nothing_is_stored(
    client: httpx.AsyncClient, alice: Acct, blob_dir: Path
) -> None:
    profile_id = await new_profile(client, alice)

    response = await upload(client, alice, profile_id, b"MZ\x90\x00 not a pdf", "certificate.pdf")

    [error] = response.json()["data"]["createSupportingDocument"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_VALUE", ["file"])
    assert await LocalBlobStore(blob_dir).keys() == []


async def test_a_request_past_max_upload_bytes_is_refused_with_413(
    client: httpx.AsyncClient, alice: Acct, blob_dir: Path
) -> None:
    profile_id = await new_profile(client, alice)
    too_large = b"%PDF-" + b"0" * (21 * 1024 * 1024) + b"%%EOF"

    response = await upload(client, alice, profile_id, too_large, "big.pdf")

    assert response.status_code == 413
    assert await LocalBlobStore(blob_dir).keys() == []


async def test_a_chunked_upload_past_max_upload_bytes_is_refused_with_413_while_it_streams(
    client: httpx.AsyncClient, alice: Acct, blob_dir: Path
) -> None:
    # given the multipart body of a 21 MiB upload, sent in chunks with no Content-Length
    profile_id = await new_profile(client, alice)
    too_large = b"%PDF-" + b"0" * (21 * 1024 * 1024) + b"%%EOF"
    variables = {
        "input": {"profileId": profile_id, "type": "BUSINESS_REGISTRATION_CERTIFICATE"},
        "file": None,
    }
    operations = json.dumps({"query": CREATE_DOCUMENT, "variables": variables})
    multipart = httpx.Request(
        "POST", "http://trusthub.test/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("big.pdf", too_large, "application/pdf")},
    )  # fmt: skip
    body = StreamedBody(multipart.read())

    # when alice posts it
    response = await client.post(
        "/graphql",
        content=body,
        headers={
            **alice.headers,
            "Apollo-Require-Preflight": "true",
            "Content-Type": multipart.headers["Content-Type"],
        },
    )

    # then it went without a Content-Length and is refused: the server stopped reading one
    # chunk past the limit, and nothing is kept
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert body.sent <= 20 * 1024 * 1024 + StreamedBody.CHUNK
    assert body.sent < len(body.body)
    assert await LocalBlobStore(blob_dir).keys() == []


class StreamedBody:
    """A request body sent in chunks (chunked transfer encoding), counting what was pulled."""

    CHUNK = 64 * 1024

    def __init__(self, body: bytes) -> None:
        self.body, self.sent = body, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < len(self.body):
            chunk = self.body[self.sent : self.sent + self.CHUNK]
            self.sent += len(chunk)
            yield chunk
