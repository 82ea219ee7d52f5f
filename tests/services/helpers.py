"""Shared steps for service tests: each runs in its own session and commits, like a request."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import pytest
from sqlmodel import func, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import ProfileKind, ProfileTier, Status
from trusthub.domain.errors import DomainError, ErrorCode
from trusthub.models import CustomerProfile
from trusthub.services import profiles, representatives
from trusthub.services.profiles import NewProfile

from ..conftest import Acct
from ..factories import INDIVIDUAL, business_profile, paths, rep_changes

LOCKED = [Status.PENDING_REVIEW, Status.IN_REVIEW, Status.APPROVED]


def individual_profile(changes: dict[tuple[str, ...], Any] | None = None) -> NewProfile:
    return NewProfile(
        kind=ProfileKind.INDIVIDUAL,
        tier=ProfileTier.PRIMARY,
        primary_profile_sid=None,
        changes={
            ("friendlyName",): "Ada",
            ("notificationEmail",): "ada@example.com",
            **paths("individual", INDIVIDUAL),
            **(changes or {}),
        },
    )


def secondary(primary_sid: str | None) -> NewProfile:
    return business_profile(tier=ProfileTier.SECONDARY, primary_profile_sid=primary_sid)


async def create(sessions: SessionFactory, owner: Acct, data: NewProfile | None = None) -> str:
    """Create a profile (a complete primary business one by default) and return its SID."""
    async with sessions() as s:
        row = await profiles.create_profile(s, owner.actor, data or business_profile())
        await s.commit()
    return row.sid


async def create_complete(
    sessions: SessionFactory, owner: Acct, data: NewProfile | None = None
) -> str:
    """A profile that evaluates COMPLIANT: business information, address and representative #1."""
    sid = await create(sessions, owner, data)
    async with sessions() as s:
        await representatives.add_representative(s, owner.actor, sid, 1, rep_changes())
        await s.commit()
    return sid


async def force(sessions: SessionFactory, sid: str, status: Status, **columns: Any) -> None:
    """Set a status the way later issues (reviews) will, straight in the database."""
    async with sessions() as s:
        row = await s.get(CustomerProfile, sid)
        assert row is not None
        row.status = status.value
        for name, value in columns.items():
            setattr(row, name, value)
        s.add(row)
        await s.commit()


async def load(sessions: SessionFactory, sid: str) -> CustomerProfile | None:
    """Read the stored row in a fresh session (what a later request would see)."""
    async with sessions() as s:
        return await s.get(CustomerProfile, sid)


async def stored(sessions: SessionFactory, sid: str) -> CustomerProfile:
    """The stored profile, which must exist."""
    row = await load(sessions, sid)
    assert row is not None, f"profile {sid} is gone"
    return row


async def count(sessions: SessionFactory, model: Any, *where: Any) -> int:
    async with sessions() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


async def refused(call: Awaitable[Any]) -> DomainError:
    """Await a service call that must be refused; return the error (the caller rolls back)."""
    with pytest.raises(DomainError) as caught:
        await call
    return caught.value


def codes(error: DomainError) -> set[tuple[ErrorCode, tuple[str, ...] | None]]:
    return {(e.code, e.field) for e in error.errors}
