"""Tenancy, written once: an account reaches only its own rows (admins reach all); another
account's object reads as NOT_FOUND, exactly like a missing one."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.errors import not_found
from ..domain.fields import Path
from ..domain.sids import is_sid
from ..models import AuthorizedRepresentative, CustomerProfile, TrustProduct
from .actor import Actor

Owned = TypeVar("Owned", CustomerProfile, TrustProduct, AuthorizedRepresentative)


def owned_by(actor: Actor, model: type[Owned]) -> Any:
    """The WHERE clause that keeps `actor` to its own rows of `model`."""
    return sa.true() if actor.is_admin else col(model.account_sid) == actor.account_sid


async def get_owned(
    session: AsyncSession,
    actor: Actor,
    model: type[Owned],
    sid: str,
    *,
    field: Path = ("id",),
    for_update: bool = False,
) -> Owned:
    if not is_sid(sid):
        raise not_found(sid, field)
    query = select(model).where(col(model.sid) == sid, owned_by(actor, model))
    if for_update:
        query = query.with_for_update()
    row = (await session.exec(query)).first()
    if row is None:
        raise not_found(sid, field)
    return row
