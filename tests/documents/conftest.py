"""Files of each kind, a blob store in the test's own directory, and a profile to attach to."""

from __future__ import annotations

from pathlib import Path

import pytest

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

CERTIFICATE_ATTRIBUTES = [
    ("business_name", "Acme Communications Inc"),
    ("registration_number", "12-3456789"),
    ("issuing_country", "US"),
]


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
        _env_file=None,
    )


@pytest.fixture
async def profile_sid(sessions: SessionFactory, alice: Acct) -> str:
    async with sessions() as session:
        row = await profiles.create_profile(session, alice.actor, business_profile())
        await session.commit()
        return row.sid
