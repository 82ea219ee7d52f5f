"""Documents are stored encrypted (BLOB_ENCRYPTION_KEYS): the bytes in the local directory and
in the S3 bucket are not the file, while the download link gives the file back."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import boto3
import httpx
import pytest

from trusthub.app import create_app
from trusthub.blob_cipher import MAGIC
from trusthub.blobs import LocalBlobStore
from trusthub.config import Settings

from ..conftest import Acct
from .conftest import BLOB_KEYS, BUCKET, PDF
from .test_documents_api import PROFILE_DOCUMENTS, new_profile, upload

# Large enough for several cipher segments, so that streaming is exercised too.
LARGE_PDF = PDF[:-6] + b"%" + bytes(range(256)) * 600 + b"\n%%EOF\n"


async def _upload_and_download(client: httpx.AsyncClient, acct: Acct) -> tuple[str, bytes]:
    """Upload LARGE_PDF; its checksum and what its download link returns."""
    profile_id = await new_profile(client, acct)
    response = await upload(client, acct, profile_id, LARGE_PDF, "certificate.pdf")
    payload = response.json()["data"]["createSupportingDocument"]
    assert payload["userErrors"] == [], payload
    listed = await client.post(
        "/graphql",
        json={"query": PROFILE_DOCUMENTS, "variables": {"id": profile_id}},
        headers=acct.headers,
    )
    [item] = listed.json()["data"]["customerProfile"]["supportingDocuments"]
    downloaded = await client.get(item["downloadUrl"])
    assert downloaded.status_code == 200
    return str(payload["supportingDocument"]["checksum"]), downloaded.content


async def test_the_local_directory_holds_ciphertext_and_the_link_the_file(
    client: httpx.AsyncClient, alice: Acct, blob_dir: Path
) -> None:
    # when
    checksum, downloaded = await _upload_and_download(client, alice)

    # then
    [key] = await LocalBlobStore(blob_dir).keys()
    stored = (blob_dir / key).read_bytes()
    assert stored.startswith(MAGIC + bytes([len("test-1")]) + b"test-1")
    assert b"%PDF" not in stored
    assert bytes(range(256)) not in stored
    assert downloaded == LARGE_PDF
    assert checksum == hashlib.sha256(LARGE_PDF).hexdigest()
    assert key.endswith(checksum)


@pytest.fixture
async def s3_client(database_url: str, s3_endpoint: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        dev_mode=False,
        blob_store_url=f"s3://{BUCKET}/encrypted",
        s3_endpoint_url=s3_endpoint,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
        blob_encryption_keys=BLOB_KEYS,
        _env_file=None,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        yield c
    await app.state.engine.dispose()


async def test_the_bucket_holds_ciphertext_and_the_link_the_file(
    s3_client: httpx.AsyncClient, alice: Acct, s3_endpoint: str
) -> None:
    # when
    checksum, downloaded = await _upload_and_download(s3_client, alice)

    # then
    s3 = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    key = f"encrypted/{alice.sid}/{checksum}"
    stored = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored.startswith(MAGIC)
    assert b"%PDF" not in stored
    assert len(stored) > len(LARGE_PDF)
    assert downloaded == LARGE_PDF
