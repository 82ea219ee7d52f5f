"""Supporting documents as personal data: what a purge or a redaction does to them, and the
record that lets a purge find the blobs of documents deleted with their owner.

A live target's documents keep their rows (type, size, checksum, dates) but lose their
attributes and file name to the marker; a deleted subject's documents are gone already, and
the `drop_documents` audit entry written when they went names their blob keys. Either way a
blob is deleted once no unpurged document refers to it (the same bytes may back another of the
account's documents), with a delete that ignores a missing key, so a run can repeat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.privacy import MARKER
from ..models import AuditEntry, SupportingDocument, TrustProduct
from .actor import Actor
from .history import audit

if TYPE_CHECKING:
    from .personal_data import PurgeTarget

DROPPED = "drop_documents"  # audit action: documents deleted with their owner, by blob key


async def drop_documents(
    session: AsyncSession, actor: Actor, account_sid: str, owners: Sequence[str]
) -> None:
    """Delete the documents of `owners` (profiles or trust products being deleted), writing
    for each owner the blob keys a later purge must delete."""
    if not owners:
        return
    rows = await session.exec(
        select(
            SupportingDocument.profile_sid,
            SupportingDocument.trust_product_sid,
            SupportingDocument.blob_key,
        ).where(_owned_by(owners))
    )
    keys: dict[str, set[str]] = {}
    for profile_sid, product_sid, key in rows.all():
        keys.setdefault(str(profile_sid or product_sid), set()).add(key)
    for owner, owned in sorted(keys.items()):
        audit(
            session, actor, account_sid=account_sid, subject_sid=owner,
            action=DROPPED, fields=sorted(owned),
        )  # fmt: skip
    await session.exec(sa.delete(SupportingDocument).where(_owned_by(owners)))


def _owned_by(owners: Sequence[str]) -> sa.ColumnElement[bool]:
    return col(SupportingDocument.profile_sid).in_(owners) | col(
        SupportingDocument.trust_product_sid
    ).in_(owners)


class Documents:
    """Attributes and file names become the marker; blobs no unpurged document needs go."""

    table = "supporting_document"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        count, keys = await _purge_rows(session, target.live)
        if gone := target.gone:
            dropped = await session.exec(
                select(AuditEntry.changed_fields).where(
                    col(AuditEntry.subject_sid).in_(gone), col(AuditEntry.action) == DROPPED
                )
            )
            for fields in dropped.all():
                keys.update(fields)
                count += len(fields)
        await session.flush()
        if target.blobs is not None:  # a dry run deletes nothing
            for key in sorted(keys):
                if not await _still_needed(session, key):
                    await target.blobs.delete(key)
        return count


async def _purge_rows(session: AsyncSession, live: Sequence[str]) -> tuple[int, set[str]]:
    if not live:
        return 0, set()
    products = select(TrustProduct.sid).where(col(TrustProduct.customer_profile_sid).in_(live))
    rows = await session.exec(
        select(SupportingDocument).where(
            col(SupportingDocument.profile_sid).in_(live)
            | col(SupportingDocument.trust_product_sid).in_(products),
            col(SupportingDocument.file_name) != MARKER,
        )
    )
    keys: set[str] = set()
    count = 0
    for row in rows.all():
        row.attributes = dict.fromkeys(row.attributes, MARKER)
        row.file_name = MARKER
        session.add(row)
        keys.add(row.blob_key)
        count += 1
    return count, keys


async def _still_needed(session: AsyncSession, key: str) -> bool:
    found = await session.exec(
        select(func.count()).where(
            col(SupportingDocument.blob_key) == key, col(SupportingDocument.file_name) != MARKER
        )
    )
    return bool(found.one())
