"""Files of each kind, a blob store in the test's own directory, and a profile to attach to."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from trusthub.blobs import LocalBlobStore
from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.services import profiles

from ..conftest import Acct
from ..factories import business_profile

# Smallest well-formed files of each accepted format (what sniffing and integrity look at).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"

# A key-encryption key for the tests' blob stores (base64 of 32 bytes).
BLOB_KEYS = {"test-1": "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="}

CERTIFICATE_ATTRIBUTES = [
    ("business_name", "Acme Communications Inc"),
    ("registration_number", "12-3456789"),
    ("issuing_country", "US"),
]


BUCKET = "trusthub-documents"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)  # fmt: skip
    yield endpoint
    server.stop()


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def store(blob_dir: Path) -> LocalBlobStore:
    return LocalBlobStore(blob_dir)


@pytest.fixture
def settings(database_url: str, blob_dir: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        dev_mode=False,
        blob_store_url=f"file://{blob_dir}",
        blob_encryption_keys=BLOB_KEYS,
        _env_file=None,
    )


@pytest.fixture
async def profile_sid(sessions: SessionFactory, alice: Acct) -> str:
    async with sessions() as session:
        row = await profiles.create_profile(session, alice.actor, business_profile())
        await session.commit()
        return row.sid
