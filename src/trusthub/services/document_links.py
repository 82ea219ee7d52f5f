"""Short-lived signed download URLs for documents: `/documents/<token>`, where the token names
the document and the account it was issued to and is signed with DOCUMENT_URL_SECRET. A link
works only until it expires, and only while that account may still see the document."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import Role
from ..models import Account, SupportingDocument

PATH_PREFIX = "/documents/"


@dataclass(frozen=True)
class Grant:
    document_sid: str
    account_sid: str
    expires: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def sign(secret: str, document_sid: str, account_sid: str, now: datetime, ttl: timedelta) -> str:
    expires = int((now + ttl).timestamp())
    payload = _b64(orjson.dumps({"d": document_sid, "a": account_sid, "e": expires}))
    return f"{payload}.{_mac(secret, payload)}"


def verify(secret: str, token: str, now: datetime) -> Grant | None:
    """The grant a genuine, unexpired token carries; None for anything else."""
    payload, _, mac = token.partition(".")
    if not mac or not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    try:
        data = orjson.loads(_unb64(payload))
        grant = Grant(str(data["d"]), str(data["a"]), int(data["e"]))
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return grant if grant.expires > now.timestamp() else None


async def granted_document(session: AsyncSession, grant: Grant) -> SupportingDocument | None:
    """The document, if the account the link was issued to still exists and may see it: its
    owner, a reviewer or an admin."""
    account = await session.get(Account, grant.account_sid)
    document = await session.get(SupportingDocument, grant.document_sid)
    if account is None or document is None:
        return None
    if account.role in (Role.REVIEWER.value, Role.ADMIN.value):
        return document
    return document if document.account_sid == account.sid else None
