"""The blob store interface: content-addressed puts, streamed reads, idempotent deletes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import IO, Protocol

# Keys are ours (`<account sid>/<sha256>`), never a client's file name: no path tricks.
_KEY_RE = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")
CHUNK_BYTES = 64 * 1024


class BlobNotFound(KeyError):
    """No blob under the key (deleted, purged or never written)."""


def check_key(key: str) -> str:
    if not _KEY_RE.fullmatch(key) or len(key) > 128:
        raise ValueError(f"not a blob key: {key!r}")
    return key


class BlobStore(Protocol):
    async def put(self, key: str, source: IO[bytes]) -> None:
        """Store the bytes `source` holds from its current position, under `key`. A key is
        written whole or not at all (a reader never sees half a blob)."""

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The blob's bytes in chunks; raises BlobNotFound when there is none."""

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing key is not an error (purges run again)."""

    async def keys(self) -> list[str]:
        """Every key held (for operators and tests: a store should hold only referenced
        blobs)."""
