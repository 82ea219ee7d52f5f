"""The S3 blob store against a real S3-compatible HTTP server (moto's standalone server on a
free port), through obstore: the same contract as the local store."""

from __future__ import annotations

import io

import pytest

from trusthub.blobs import BlobNotFound, open_blob_store
from trusthub.blobs.s3 import S3BlobStore
from trusthub.config import Settings

from .conftest import BUCKET


@pytest.fixture
def s3_store(s3_endpoint: str) -> S3BlobStore:
    settings = Settings(  # type: ignore[call-arg]
        blob_store_url=f"s3://{BUCKET}/test",
        s3_endpoint_url=s3_endpoint,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
        _env_file=None,
    )
    store = open_blob_store(settings)
    assert isinstance(store, S3BlobStore)
    return store


async def test_put_read_and_idempotent_delete(s3_store: S3BlobStore) -> None:
    # given
    content = b"%PDF-1.4 " + bytes(range(256)) * 1000 + b"%%EOF"
    key = "AC0123/abc123"

    # when
    await s3_store.put(key, io.BytesIO(content))

    # then
    assert await s3_store.exists(key)
    assert key in await s3_store.keys()
    assert b"".join([c async for c in s3_store.read(key)]) == content
    await s3_store.delete(key)
    await s3_store.delete(key)  # again: purges may run twice
    assert not await s3_store.exists(key)
    with pytest.raises(BlobNotFound):
        [c async for c in s3_store.read(key)]


async def test_an_unsafe_key_is_refused(s3_store: S3BlobStore) -> None:
    with pytest.raises(ValueError, match="not a blob key"):
        await s3_store.put("../etc/passwd", io.BytesIO(b"x"))
