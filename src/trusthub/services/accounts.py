"""Accounts and API keys."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain import validators
from ..domain.enums import Role
from ..domain.errors import DomainError, ErrorCode
from ..domain.sids import SidPrefix, new_sid
from ..models import Account

API_KEY_PREFIX = "th_"


@dataclass(frozen=True)
class IssuedAccount:
    """A new account with its secrets; the secrets are shown once."""

    account: Account
    api_key: str
    auth_token: str
    webhook_secret: str


def hash_api_key(api_key: str) -> str:
    # API keys are 256-bit random strings, so a fast hash is safe (no dictionary to attack) and
    # keeps authentication to one indexed lookup per request.
    return hashlib.sha256(api_key.encode()).hexdigest()


async def create_account(
    session: AsyncSession, name: str, role: Role, *, sandbox: bool = False
) -> IssuedAccount:
    try:
        name = validators.text(128)(name)
    except ValueError as exc:
        raise DomainError.single(ErrorCode.INVALID_VALUE, f"name {exc}.", ("name",)) from None
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    auth_token = secrets.token_hex(16)
    # Standard base64 (not URL-safe): the standardwebhooks libraries decode the secret with it.
    webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    account = Account(
        sid=new_sid(SidPrefix.ACCOUNT),
        name=name,
        role=role.value,
        sandbox=sandbox,
        api_key_hash=hash_api_key(api_key),
        api_key_prefix=api_key[:10],
        auth_token=auth_token,
        webhook_secret=webhook_secret,
    )
    session.add(account)
    return IssuedAccount(account, api_key, auth_token, webhook_secret)


async def authenticate(session: AsyncSession, api_key: str) -> Account | None:
    if not api_key.startswith(API_KEY_PREFIX) or len(api_key) > 128:
        return None
    result = await session.exec(
        select(Account).where(Account.api_key_hash == hash_api_key(api_key))
    )
    return result.first()


async def list_accounts(session: AsyncSession) -> Sequence[Account]:
    result = await session.exec(select(Account).order_by(Account.created_at, Account.sid))  # type: ignore[arg-type]
    return result.all()


async def rotate_api_key(session: AsyncSession, account: Account) -> str:
    """Replace the account's API key; the old one stops working at commit."""
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    account.api_key_hash = hash_api_key(api_key)
    account.api_key_prefix = api_key[:10]
    session.add(account)
    return api_key


async def find_account_by_name(session: AsyncSession, name: str) -> Account | None:
    query = select(Account).where(Account.name == name).order_by(Account.created_at)  # type: ignore[arg-type]
    return (await session.exec(query)).first()
