"""Blobs in an S3-compatible bucket through obstore (a maintained async client in Rust)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import IO, Any

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import S3Store

from .base import CHUNK_BYTES, BlobNotFound, check_key


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        prefix: str | None = None,
        endpoint: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        config: dict[str, Any] = {}
        if endpoint:
            config["endpoint"] = endpoint
        if region:
            config["region"] = region
        if access_key_id:
            config["access_key_id"] = access_key_id
        if secret_access_key:
            config["secret_access_key"] = secret_access_key
        self.store = S3Store(
            bucket,
            prefix=prefix,
            config=config,  # type: ignore[arg-type]
            # An endpoint given as http:// (a local S3-compatible server) is allowed as given.
            client_options={"allow_http": bool(endpoint and endpoint.startswith("http://"))},
        )

    async def put(self, key: str, source: IO[bytes]) -> None:
        # A PUT (or a multipart upload) becomes visible only once complete.
        await obstore.put_async(self.store, check_key(key), source)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        try:
            result = await obstore.get_async(self.store, check_key(key))
        except (NotFoundError, FileNotFoundError):
            raise BlobNotFound(key) from None
        async for chunk in result.stream(min_chunk_size=CHUNK_BYTES):
            yield bytes(chunk)

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self.store, check_key(key))
        except (NotFoundError, FileNotFoundError):
            return False
        return True

    async def delete(self, key: str) -> None:
        # S3 answers a missing key's DELETE with 204 anyway; other stores may raise.
        with contextlib.suppress(NotFoundError, FileNotFoundError):
            await obstore.delete_async(self.store, check_key(key))

    async def keys(self) -> list[str]:
        found: list[str] = []
        async for batch in obstore.list(self.store):
            found += [str(meta["path"]) for meta in batch]
        return sorted(found)
