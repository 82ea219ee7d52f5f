"""Idempotency keys on mutations (the `Idempotency-Key` header; README "Retries and
idempotency"). Each function is one step of its caller's transaction; the caller commits.

A key is claimed by INSERTing its row: the unique (account, key) constraint makes the second of
two concurrent claims fail on SQLite and PostgreSQL alike, so only one request executes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import IdempotencyKey
from ..models.idempotency import DONE, IN_PROGRESS


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to a key, replayed byte for byte to every retry."""

    status: int
    content_type: str | None
    body: bytes


class Refusal(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"  # another request holds the key: it may not execute as well
    MISMATCH = "MISMATCH"  # the key was first used with a different request


def fingerprint(query: str, operation_name: str | None, variables: Mapping[str, Any]) -> str:
    """sha256 of the request's canonical JSON: a retry of the same document, operation and
    variables matches whatever the key order or spacing of its body."""
    canonical = json.dumps(
        {"operationName": operation_name, "query": query, "variables": variables},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


async def insert_claim(
    session: AsyncSession,
    account_sid: str,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
) -> IdempotencyKey:
    """Claim `key` for this request. Raises `IntegrityError` when the account already holds it
    (the caller rolls back and asks `existing` what to answer)."""
    row = IdempotencyKey(
        account_sid=account_sid,
        key=key,
        fingerprint=fingerprint,
        state=IN_PROGRESS,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    await session.flush()
    return row


def _lapsed(now: datetime, lock_timeout: timedelta) -> sa.ColumnElement[bool]:
    """Rows that count as absent: expired, or claimed by a request that never finished."""
    return sa.or_(
        col(IdempotencyKey.expires_at) <= now,
        sa.and_(
            col(IdempotencyKey.state) == IN_PROGRESS,
            col(IdempotencyKey.created_at) <= now - lock_timeout,
        ),
    )


async def existing(
    session: AsyncSession,
    account_sid: str,
    key: str,
    fingerprint: str,
    now: datetime,
    lock_timeout: timedelta,
) -> StoredResponse | Refusal | None:
    """What a request with an already-claimed `key` gets: the stored response, or a refusal.
    None when there is no live claim (none, or a lapsed one, which is deleted here): the caller
    may claim the key again."""
    row = (
        await session.exec(
            select(IdempotencyKey).where(
                col(IdempotencyKey.account_sid) == account_sid, col(IdempotencyKey.key) == key
            )
        )
    ).first()
    if row is None:
        return None
    lapsed = row.expires_at <= now or (
        row.state == IN_PROGRESS and row.created_at <= now - lock_timeout
    )
    if lapsed:
        # Conditional, so that a claim completed since the SELECT keeps its response.
        await session.exec(
            sa.delete(IdempotencyKey)
            .where(col(IdempotencyKey.id) == row.id, _lapsed(now, lock_timeout))
            .execution_options(synchronize_session=False)
        )
        return None
    if row.fingerprint != fingerprint:
        return Refusal.MISMATCH
    if row.state == IN_PROGRESS or row.response_status is None or row.response_body is None:
        return Refusal.IN_PROGRESS
    return StoredResponse(row.response_status, row.response_content_type, row.response_body)


async def complete(session: AsyncSession, key_id: str, response: StoredResponse) -> bool:
    """Store the response of the claim `key_id`; False if that claim is gone (taken over after
    the lock timeout, or pruned), in which case nothing is stored."""
    result = await session.exec(
        sa.update(IdempotencyKey)
        .where(col(IdempotencyKey.id) == key_id, col(IdempotencyKey.state) == IN_PROGRESS)
        .values(
            state=DONE,
            response_status=response.status,
            response_content_type=response.content_type,
            response_body=response.body,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def release(session: AsyncSession, key_id: str) -> None:
    """Give up the claim `key_id` (the request took no effect), so that a retry executes."""
    await session.exec(
        sa.delete(IdempotencyKey)
        .where(col(IdempotencyKey.id) == key_id, col(IdempotencyKey.state) == IN_PROGRESS)
        .execution_options(synchronize_session=False)
    )
