"""Envelope encryption for stored blobs (supporting documents): each blob gets its own random
AES-256 data key; the data key is wrapped with AES-GCM by a key-encryption key named by an id
(BLOB_ENCRYPTION_KEYS / BLOB_ENCRYPTION_KEY_ID). Rotation adds a new id and makes it current;
blobs wrapped by an older id still decrypt as long as that id stays in the map.

The content is sealed in segments (AES-GCM, 64 KiB each, the nonce carrying the segment's
number and a last-segment flag: the STREAM construction), so that a blob is encrypted and
decrypted while it streams, never held whole, and a truncated or reordered blob fails.

Stored layout: MAGIC | key id length (1) | key id | wrap nonce (12) | wrapped key (48) |
nonce prefix (7) | segments. A BlobStore wraps its `put` with `encrypt` and its `get` with
`decrypt`; keys and checksums of the plaintext stay the store's business."""

from __future__ import annotations

import os
import struct
from collections.abc import AsyncIterable, AsyncIterator, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"THB1"
SEGMENT = 64 * 1024
_TAG = 16
_WRAPPED = 32 + _TAG


class BlobDecryptionError(Exception):
    """The blob cannot be decrypted: unknown key id, wrong key, or altered bytes."""


class BlobCipher:
    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"key id {current!r} is not among the keys")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current = current

    def _header(self, data_key: bytes, prefix: bytes) -> bytes:
        key_id = self.current.encode()
        start = MAGIC + bytes([len(key_id)]) + key_id
        nonce = os.urandom(12)
        wrapped = self._keys[self.current].encrypt(nonce, data_key, start)
        return start + nonce + wrapped + prefix

    async def encrypt(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        """The stored form of the plaintext `chunks`, as it streams."""
        data_key, prefix = AESGCM.generate_key(bit_length=256), os.urandom(7)
        header = self._header(data_key, prefix)
        yield header
        aead, buffer, number = AESGCM(data_key), b"", 0
        async for chunk in chunks:
            buffer += chunk
            while len(buffer) > SEGMENT:  # keep one back: the last segment is marked
                yield _seal(aead, prefix, number, buffer[:SEGMENT], last=False, aad=header)
                buffer, number = buffer[SEGMENT:], number + 1
        yield _seal(aead, prefix, number, buffer, last=True, aad=header)

    async def decrypt(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        """The plaintext of a stored blob, as it streams; BlobDecryptionError when it is not
        one of ours, the key is wrong or missing, or the bytes were altered or cut."""
        stream = _Reader(chunks)
        start = await stream.take(len(MAGIC) + 1)
        if start[: len(MAGIC)] != MAGIC:
            raise BlobDecryptionError("not an encrypted blob")
        key_id = await stream.take(start[-1])
        aead = self._keys.get(key_id.decode(errors="replace"))
        if aead is None:
            raise BlobDecryptionError(f"unknown key id {key_id.decode(errors='replace')!r}")
        nonce, wrapped, prefix = (
            await stream.take(12),
            await stream.take(_WRAPPED),
            await stream.take(7),
        )
        header = start + key_id + nonce + wrapped + prefix
        try:
            data_key = aead.decrypt(nonce, wrapped, start + key_id)
        except InvalidTag:
            raise BlobDecryptionError("wrong key for this blob") from None
        data, number = AESGCM(data_key), 0
        segment = await stream.take(SEGMENT + _TAG, exact=False)
        while True:
            following = await stream.take(SEGMENT + _TAG, exact=False)
            last = not following
            try:
                yield data.decrypt(_nonce(prefix, number, last), segment, header)
            except InvalidTag:
                raise BlobDecryptionError("blob altered or truncated") from None
            if last:
                return
            segment, number = following, number + 1


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


def _seal(
    aead: AESGCM, prefix: bytes, number: int, data: bytes, *, last: bool, aad: bytes
) -> bytes:
    return aead.encrypt(_nonce(prefix, number, last), data, aad)


class _Reader:
    """Exact-size reads over a stream of chunks of any size."""

    def __init__(self, chunks: AsyncIterable[bytes]) -> None:
        self._chunks, self._buffer = aiter(chunks), b""

    async def take(self, size: int, *, exact: bool = True) -> bytes:
        while len(self._buffer) < size:
            try:
                self._buffer += await anext(self._chunks)
            except StopAsyncIteration:
                break
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        if exact and len(taken) < size:
            raise BlobDecryptionError("blob truncated")
        return taken
