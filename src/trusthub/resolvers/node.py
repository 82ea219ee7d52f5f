"""`node`, `viewer` and `policies`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from sqlmodel import col, select

from ..domain.sids import SidPrefix, sid_prefix
from ..models import Policy
from ..schema import types as t
from ..schema.context import Info


async def _representative(info: Info, sid: str) -> t.Node | None:
    row = await info.context.loaders.representative.load(sid)
    ok = row is not None and info.context.can_see(row.account_sid)
    return t.AuthorizedRepresentative.from_row(row) if row and ok else None


async def _profile(info: Info, sid: str) -> t.Node | None:
    """BU… is a customer profile or a trust product (they share the prefix)."""
    from ..schema.product_types import TrustProduct

    row = await info.context.loaders.profile.load(sid)
    if row is not None:
        return t.CustomerProfile.from_row(row) if info.context.can_see(row.account_sid) else None
    product = await info.context.loaders.product.load(sid)
    if product is not None and info.context.can_see(product.account_sid):
        return TrustProduct.from_row(product)
    return None


async def _policy(info: Info, sid: str) -> t.Node | None:
    row = await info.context.loaders.policy.load(sid)
    return t.Policy.from_row(row) if row else None


async def _evaluation(info: Info, sid: str) -> t.Node | None:
    row = await info.context.loaders.evaluation.load(sid)
    ok = row is not None and info.context.can_see(row.account_sid)
    return t.Evaluation.from_row(row) if row and ok else None


async def _account(info: Info, sid: str) -> t.Node | None:
    row = await info.context.loaders.account.load(sid)
    ok = row is not None and info.context.can_see(row.sid)
    return t.Account.from_row(row) if row and ok else None


async def _review(info: Info, sid: str) -> t.Node | None:
    from ..domain.enums import Role
    from ..schema.review_types import Review

    if info.context.actor.role not in (Role.REVIEWER, Role.ADMIN):
        return None
    row = await info.context.loaders.review.load(sid)
    return Review.from_row(row) if row else None


async def _document(info: Info, sid: str) -> t.Node | None:
    """The owner's account, and reviewers (who read the documents of any subject)."""
    from ..domain.enums import Role
    from ..schema.document_types import SupportingDocument

    row = await info.context.loaders.document.load(sid)
    if row is None:
        return None
    reviewer = info.context.actor.role is Role.REVIEWER
    return (
        SupportingDocument.from_row(row)
        if reviewer or info.context.can_see(row.account_sid)
        else None
    )


_RESOLVERS: dict[SidPrefix, Callable[[Info, str], Awaitable[t.Node | None]]] = {
    SidPrefix.PROFILE: _profile,
    SidPrefix.REPRESENTATIVE: _representative,
    SidPrefix.POLICY: _policy,
    SidPrefix.EVALUATION: _evaluation,
    SidPrefix.ACCOUNT: _account,
    SidPrefix.REVIEW: _review,
    SidPrefix.DOCUMENT: _document,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its SID; another account's reads as null.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The object's SID.")],
    ) -> t.Node | None:
        prefix = sid_prefix(str(id))
        resolver = _RESOLVERS.get(prefix) if prefix else None
        return await resolver(info, str(id)) if resolver else None

    @strawberry.field(description="The caller: the account of the API key.")
    async def viewer(self, info: Info) -> t.Viewer:
        account = info.context.account
        assert account is not None  # authentication gate
        return t.Viewer(account=t.Account.from_row(account))

    @strawberry.field(description="Every policy profiles and trust products are checked against.")
    async def policies(self, info: Info) -> list[t.Policy]:
        async with info.context.sessions() as session:
            rows = (await session.exec(select(Policy).order_by(col(Policy.code)))).all()
        return [t.Policy.from_row(r) for r in rows]
