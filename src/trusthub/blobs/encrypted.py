"""A blob store that keeps only ciphertext: it wraps another store with `BlobCipher`, so the
local directory or the bucket never holds a document's plaintext. Keys, existence and deletes
are the wrapped store's; checksums stay those of the plaintext (the document service's)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from typing import IO

from ..blob_cipher import BlobCipher
from .base import CHUNK_BYTES, BlobStore

# Ciphertext past this is spooled to a temporary file, never held whole in memory.
SPOOL_BYTES = 1024 * 1024


class EncryptedBlobStore:
    def __init__(self, inner: BlobStore, cipher: BlobCipher) -> None:
        self.inner, self.cipher = inner, cipher

    async def put(self, key: str, source: IO[bytes]) -> None:
        """Encrypt `source` chunk by chunk into a spooled file, then hand that to the store
        (which writes it whole or not at all)."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as sealed:
            async for piece in self.cipher.encrypt(_chunks(source)):
                await asyncio.to_thread(sealed.write, piece)
            sealed.seek(0)
            await self.inner.put(key, sealed)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        async for chunk in self.cipher.decrypt(self.inner.read(key)):
            yield chunk

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def keys(self) -> list[str]:
        return await self.inner.keys()


async def _chunks(source: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(source.read, CHUNK_BYTES):
        yield chunk
