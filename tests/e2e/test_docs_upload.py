"""The customers guide's curl example of a multipart upload, run as written against a live server
(only the address, the key and the profile id filled in)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from trusthub.config import Settings

from ..conftest import Acct
from ..documents.conftest import BLOB_KEYS, PDF
from .conftest import LiveServer, serving

GUIDE = Path(__file__).parents[2] / "docs" / "customers.md"
CREATE_PROFILE = """
mutation { createCustomerProfile(input: {kind: BUSINESS, friendlyName: "Acme",
  notificationEmail: "ops@acme.example.com"}) { customerProfile { id } } }
"""


def readme_curl() -> str:
    """The sh block of the Documents section that uploads with curl."""
    section = GUIDE.read_text().split("\n## Documents\n", 1)[1]
    block = re.search(r"```sh\n(curl .*?)```", section, re.S)
    assert block is not None, "docs/customers.md, Documents: no curl example"
    return block.group(1)


@pytest.fixture
def upload_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        dev_mode=False,
        blob_store_url=f"file://{tmp_path / 'blobs'}",
        blob_encryption_keys=BLOB_KEYS,
        _env_file=None,
    )
    with serving(settings) as live:
        yield live


async def test_the_readme_curl_upload_works_as_written(
    upload_server: LiveServer, alice: Acct, tmp_path: Path
) -> None:
    # given a profile of alice's and certificate.pdf in the working directory
    async with httpx.AsyncClient(base_url=upload_server.base_url) as http:
        created = await http.post("/graphql", json={"query": CREATE_PROFILE}, headers=alice.headers)
        profile_id = created.json()["data"]["createCustomerProfile"]["customerProfile"]["id"]
    (tmp_path / "certificate.pdf").write_bytes(PDF)
    command = readme_curl().replace("http://127.0.0.1:8000", upload_server.base_url)
    command = command.replace('"BU..."', json.dumps(profile_id))

    # when the guide's command runs
    result = subprocess.run(  # noqa: ASYNC221 - curl is the client under test
        ["bash", "-c", command],
        cwd=tmp_path,
        env={**os.environ, "KEY": alice.api_key},
        capture_output=True,
        timeout=60,
        check=False,
    )

    # then the document is created, and its link gives the file back
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)["data"]["createSupportingDocument"]
    assert payload["userErrors"] == []
    document = payload["supportingDocument"]
    async with httpx.AsyncClient() as http:
        downloaded = await http.get(document["downloadUrl"])
    assert downloaded.content == PDF
