"""Where supporting documents' bytes live: a `BlobStore` (local directory by default, an
S3-compatible bucket in production), chosen by BLOB_STORE_URL."""

from __future__ import annotations

import logging

from ..blob_cipher import BlobCipher
from ..config import Settings
from .base import BlobNotFound, BlobStore, check_key
from .encrypted import EncryptedBlobStore
from .local import LocalBlobStore

__all__ = [
    "BlobNotFound",
    "BlobStore",
    "EncryptedBlobStore",
    "LocalBlobStore",
    "check_key",
    "open_blob_store",
]

log = logging.getLogger(__name__)


def open_blob_store(settings: Settings) -> BlobStore:
    """The store BLOB_STORE_URL names, encrypting with BLOB_ENCRYPTION_KEYS when they are set
    (unset: plaintext, and a warning, so that an operator notices)."""
    store = _plain_store(settings)
    if not settings.blob_encryption_keys:
        log.warning(
            "BLOB_ENCRYPTION_KEYS is unset: supporting documents are stored unencrypted in %s",
            settings.blob_store_url,
        )
        return store
    return EncryptedBlobStore(store, BlobCipher(settings.blob_keys, settings.blob_key_id))


def _plain_store(settings: Settings) -> BlobStore:
    url = settings.blob_store_url
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"BLOB_STORE_URL must be file://DIR or s3://BUCKET, not {url!r}")
    if scheme == "file":
        return LocalBlobStore(rest)
    if scheme == "s3":
        from .s3 import S3BlobStore  # obstore is needed only for this store

        bucket, _, prefix = rest.partition("/")
        secret = settings.s3_secret_access_key
        return S3BlobStore(
            bucket,
            prefix=prefix.strip("/") or None,
            endpoint=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
        )
    raise ValueError(f"BLOB_STORE_URL must be file://DIR or s3://BUCKET, not {url!r}")
