"""Accounts and API keys."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain import validators
from ..domain.enums import Role
from ..domain.errors import DomainError, ErrorCode
from ..domain.sids import SID_RE, SidPrefix, new_sid
from ..models import Account
from ..models.base import utcnow

API_KEY_PREFIX = "th_"
# A revoked account's `api_key_hash`: never the hex digest of a key (it has a colon), and unique
# per account (the column is), so no key authenticates as it.
REVOKED_PREFIX = "revoked:"


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
        select(Account).where(
            Account.api_key_hash == hash_api_key(api_key), col(Account.closed_at).is_(None)
        )
    )
    return result.first()


async def list_accounts(session: AsyncSession) -> Sequence[Account]:
    result = await session.exec(select(Account).order_by(Account.created_at, Account.sid))  # type: ignore[arg-type]
    return result.all()


async def accounts_by_key_digest(
    session: AsyncSession, digests: Collection[str]
) -> dict[str, Account]:
    """The accounts these key digests belong to, in one statement (digests of revoked or
    rotated keys are absent)."""
    if not digests:
        return {}
    rows = await session.exec(
        select(Account).where(
            col(Account.api_key_hash).in_(digests), col(Account.closed_at).is_(None)
        )
    )
    return {a.api_key_hash: a for a in rows.all()}


async def rotate_api_key(session: AsyncSession, account: Account) -> str:
    """Replace the account's API key; the old one stops working at commit (on gateways, once
    their cache of it lapses: AUTH_CACHE_SECONDS)."""
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    account.api_key_hash = hash_api_key(api_key)
    account.api_key_prefix = api_key[:10]
    session.add(account)
    return api_key


def revoke_api_key(session: AsyncSession, account: Account) -> None:
    """Leave the account without a valid key (rotate-key gives it one again)."""
    account.api_key_hash = REVOKED_PREFIX + secrets.token_hex(16)
    account.api_key_prefix = ""
    session.add(account)


def close_account(session: AsyncSession, account: Account) -> None:
    """Close the account: it stops authenticating (gateways: within AUTH_CACHE_SECONDS) and its
    profiles' personal data is purged RETENTION_DAYS_CLOSED later. Closing twice keeps the
    first date, so that a repeated command does not postpone the purge."""
    if account.closed_at is None:
        account.closed_at = utcnow()
        session.add(account)


async def find_account(session: AsyncSession, name_or_sid: str) -> Account:
    """The account with this SID, or else the only one with this name; a clear error otherwise."""
    if SID_RE.match(name_or_sid) and name_or_sid.startswith(SidPrefix.ACCOUNT.value):
        account = await session.get(Account, name_or_sid)
        if account is None:
            raise DomainError.single(
                ErrorCode.NOT_FOUND, f"No account with SID {name_or_sid}.", ("account",)
            )
        return account
    query = select(Account).where(Account.name == name_or_sid).order_by(col(Account.created_at))
    named = (await session.exec(query)).all()
    if not named:
        raise DomainError.single(
            ErrorCode.NOT_FOUND, f"No account named {name_or_sid!r}.", ("account",)
        )
    if len(named) > 1:
        sids = ", ".join(a.sid for a in named)
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"{len(named)} accounts are named {name_or_sid!r} ({sids}); give the SID instead.",
            ("account",),
        )
    return named[0]


async def find_account_by_name(session: AsyncSession, name: str) -> Account | None:
    query = select(Account).where(Account.name == name).order_by(Account.created_at)  # type: ignore[arg-type]
    return (await session.exec(query)).first()
