"""BlobCipher: stored bytes are not the plaintext, a wrong key or altered bytes fail, and a
rotated key still decrypts what the old one wrapped."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from trusthub.blob_cipher import SEGMENT, BlobCipher, BlobDecryptionError
from trusthub.config import Settings

OLD, NEW = os.urandom(32), os.urandom(32)
DOCUMENT = b"%PDF-1.7 Certificate of incorporation, EIN 12-3456789 " * 5000  # > 4 segments


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def encrypt_bytes(cipher: BlobCipher, plaintext: bytes) -> bytes:
    """The stored form of `plaintext`, through the streaming API the blob store uses."""
    return b"".join([chunk async for chunk in cipher.encrypt(_once(plaintext))])


async def decrypt_bytes(cipher: BlobCipher, stored: bytes) -> bytes:
    return b"".join([chunk async for chunk in cipher.decrypt(_once(stored))])


async def test_stored_bytes_are_not_the_plaintext_and_decrypt_back() -> None:
    cipher = BlobCipher({"k1": OLD}, "k1")
    stored = await encrypt_bytes(cipher, DOCUMENT)
    assert len(DOCUMENT) > 4 * SEGMENT
    assert b"12-3456789" not in stored
    assert b"%PDF" not in stored
    assert await decrypt_bytes(cipher, stored) == DOCUMENT
    # two encryptions of one document share nothing (a data key per blob)
    assert await encrypt_bytes(cipher, DOCUMENT) != stored


async def test_a_wrong_key_or_an_altered_blob_fails() -> None:
    stored = await encrypt_bytes(BlobCipher({"k1": OLD}, "k1"), DOCUMENT)
    with pytest.raises(BlobDecryptionError, match="wrong key"):
        await decrypt_bytes(BlobCipher({"k1": NEW}, "k1"), stored)
    with pytest.raises(BlobDecryptionError, match="unknown key id 'k1'"):
        await decrypt_bytes(BlobCipher({"k2": OLD}, "k2"), stored)
    cipher = BlobCipher({"k1": OLD}, "k1")
    flipped = bytearray(stored)
    flipped[-100] ^= 1
    with pytest.raises(BlobDecryptionError, match="altered"):
        await decrypt_bytes(cipher, bytes(flipped))
    with pytest.raises(BlobDecryptionError):  # a whole last segment cut off
        await decrypt_bytes(cipher, stored[: -(len(DOCUMENT) % SEGMENT + 16)])


async def test_rotation_new_blobs_use_the_new_key_old_ones_still_decrypt() -> None:
    before = await encrypt_bytes(BlobCipher({"k1": OLD}, "k1"), DOCUMENT)
    rotated = BlobCipher({"k1": OLD, "k2": NEW}, "k2")
    after = await encrypt_bytes(rotated, b"new")
    assert await decrypt_bytes(rotated, before) == DOCUMENT
    assert await decrypt_bytes(rotated, after) == b"new"
    with pytest.raises(BlobDecryptionError):  # k2's blob needs k2
        await decrypt_bytes(BlobCipher({"k1": OLD}, "k1"), after)


def test_settings_refuse_a_bad_key_or_an_unknown_current_id() -> None:
    good = base64.b64encode(OLD).decode()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, blob_encryption_keys={"k1": good}, blob_encryption_key_id="k1"
    )
    assert settings.blob_keys == {"k1": OLD}
    with pytest.raises(ValidationError, match=r"BLOB_ENCRYPTION_KEYS\['k1'\]"):
        Settings(_env_file=None, blob_encryption_keys={"k1": "c2hvcnQ="})  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="BLOB_ENCRYPTION_KEY_ID 'k9'"):
        Settings(  # type: ignore[call-arg]
            _env_file=None, blob_encryption_keys={"k1": good}, blob_encryption_key_id="k9"
        )
