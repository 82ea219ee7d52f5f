"""The places personal data lives, as a registry the purge walks ("personal data holders").

Each holder empties its own table for one `PurgeTarget` inside the caller's transaction and
says how many rows it changed; a second pass over the same target changes nothing, so a purge
interrupted between batches is simply run again. A new kind of personal data joins by adding a
holder to `HOLDERS` (supporting documents: `document_purge.Documents`); a holder that
deletes blobs does so before the commit, with a `delete` that ignores a missing key, so that a
failed commit is retried by the next run and deletes nothing twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..blobs import BlobStore
from ..domain.privacy import MARKER, PROFILE_COLUMNS, REPRESENTATIVE_COLUMNS, purge_messages
from ..models import (
    AuditEntry,
    AuthorizedRepresentative,
    CustomerProfile,
    DeadLetter,
    DeliveryAttempt,
    Evaluation,
    IdempotencyKey,
    OutboxMessage,
    Review,
    StatusChange,
)
from ..models.idempotency import DONE
from .document_purge import Documents

# A stored response replaced by a purge: a retry with its key reads this, not the person.
PURGED_RESPONSE = json.dumps({"data": None, "errors": [{"message": MARKER}]}).encode()
OUTBOX_SCAN = 500  # outbox rows read per statement while looking for a target's messages


@dataclass(frozen=True)
class PurgeTarget:
    """What one batch purges: profiles whose rows exist (`live`, emptied in place) and subjects
    deleted earlier whose traces remain (`gone`), with the accounts they belonged to, and the
    blob store documents' bytes are deleted from (None: a dry run, which deletes nothing)."""

    run_id: int
    now: datetime
    live: Sequence[str]
    gone: Sequence[str]
    accounts: frozenset[str]
    blobs: BlobStore | None = None

    @property
    def subjects(self) -> list[str]:
        return [*self.live, *self.gone]


class PersonalDataHolder(Protocol):
    table: str

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int: ...


_PROFILE_TABLE = SQLModel.metadata.tables["customer_profile"]


class Profiles:
    table = "customer_profile"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        if not target.live:
            return 0
        values: dict[str, Any] = {
            c: sa.case((col(getattr(CustomerProfile, c)).is_(None), None), else_=MARKER)
            for c in PROFILE_COLUMNS
        }
        # A bulk UPDATE skips the ORM's version counter: bump it, so that a form still open on
        # the old values fails with CONFLICT instead of writing them back.
        due = await session.exec(
            select(CustomerProfile.sid, CustomerProfile.reasons).where(
                col(CustomerProfile.sid).in_(target.live),
                col(CustomerProfile.purged_at).is_(None),
            )
        )
        count = 0
        for sid, reasons in due.all():
            # A rejection's reasons may quote the values: they keep code and field only.
            purged, _ = purge_messages(reasons)
            statement = (
                sa.update(CustomerProfile)
                .where(col(CustomerProfile.sid) == sid)
                .values(
                    **values,
                    reasons=purged,
                    purged_at=target.now,
                    purge_run_id=target.run_id,
                    version=_PROFILE_TABLE.c.version + 1,
                    updated_at=target.now,
                )
                .execution_options(synchronize_session=False)
            )
            count += int((await session.exec(statement)).rowcount)
        return count


class Representatives:
    table = "authorized_representative"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        if not target.live:
            return 0
        statement = (
            sa.update(AuthorizedRepresentative)
            .where(
                col(AuthorizedRepresentative.profile_sid).in_(target.live),
                col(AuthorizedRepresentative.first_name) != MARKER,
            )
            .values(**dict.fromkeys(REPRESENTATIVE_COLUMNS, MARKER), updated_at=target.now)
            .execution_options(synchronize_session=False)
        )
        return int((await session.exec(statement)).rowcount)


class History:
    """Status changes keep from, to, actor and time; reasons keep code and field."""

    table = "status_change"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        return await _purge_reasons(session, StatusChange, target)


class Reviews:
    table = "review"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        return await _purge_reasons(session, Review, target)


async def _purge_reasons(
    session: AsyncSession, model: type[StatusChange] | type[Review], target: PurgeTarget
) -> int:
    """The subjects' rows of `model` not yet purged: reasons keep code and field, their
    messages become the marker, and the row names this run."""
    query = select(model).where(
        col(model.subject_sid).in_(target.subjects), col(model.purge_run_id).is_(None)
    )
    rows: Sequence[StatusChange | Review] = (await session.exec(query)).all()  # type: ignore[assignment]
    for row in rows:
        row.reasons, _ = purge_messages(row.reasons)
        row.purge_run_id = target.run_id
        session.add(row)
    return len(rows)


class Evaluations:
    table = "evaluation"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        rows = await session.exec(
            select(Evaluation).where(col(Evaluation.subject_sid).in_(target.subjects))
        )
        count = 0
        for row in rows.all():
            results, changed = purge_messages(row.results)
            if changed:
                row.results = results
                session.add(row)
                count += 1
        return count


class DeliveryLog:
    """The delivery log names the notification address and the receiver's error text."""

    table = "delivery_attempt"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        statement = (
            sa.update(DeliveryAttempt)
            .where(
                col(DeliveryAttempt.subject_sid).in_(target.subjects),
                col(DeliveryAttempt.target) != MARKER,
            )
            .values(
                target=MARKER,
                error=sa.case((col(DeliveryAttempt.error).is_(None), None), else_=MARKER),
            )
            .execution_options(synchronize_session=False)
        )
        return int((await session.exec(statement)).rowcount)


def _purged_body(body: bytes) -> bytes:
    """A message body with its messages purged; one that is not JSON becomes the marker."""
    try:
        document = json.loads(body)
    except ValueError:
        return body if body == MARKER.encode() else MARKER.encode()
    purged, _ = purge_messages(document)
    return json.dumps(purged, separators=(",", ":")).encode()


class DeadLetters:
    """Dead letters stay listable (queue, reason, type, subject); their bodies lose what a
    decision said (its reasons). A purged one replays as it now reads."""

    table = "dead_letter"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        rows = await session.exec(
            select(DeadLetter).where(col(DeadLetter.subject_sid).in_(target.subjects))
        )
        count = 0
        for row in rows.all():
            body = _purged_body(row.body)
            if body != row.body:
                row.body = body
                session.add(row)
                count += 1
        return count


def _subject_of(payload: dict[str, Any]) -> Any:
    event = payload.get("event")
    return event.get("subject_sid") if isinstance(event, dict) else payload.get("subject_sid")


class Outbox:
    """Messages not yet pruned (OUTBOX_RETENTION_HOURS) may carry a decision's reasons."""

    table = "outbox_message"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        subjects, count, after = set(target.subjects), 0, 0
        while True:
            rows = (
                await session.exec(
                    select(OutboxMessage)
                    .where(col(OutboxMessage.id) > after)
                    .order_by(col(OutboxMessage.id))
                    .limit(OUTBOX_SCAN)
                )
            ).all()
            for row in rows:
                if _subject_of(row.payload) in subjects:
                    payload, changed = purge_messages(row.payload)
                    if changed:
                        row.payload = payload
                        session.add(row)
                        count += 1
            if len(rows) < OUTBOX_SCAN:
                return count
            after = rows[-1].id or 0


class IdempotentResponses:
    """A stored mutation response (kept IDEMPOTENCY_KEY_TTL_HOURS) may echo a profile."""

    table = "idempotency_key"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        if not target.accounts:
            return 0
        rows = await session.exec(
            select(IdempotencyKey).where(
                col(IdempotencyKey.account_sid).in_(target.accounts),
                col(IdempotencyKey.state) == DONE,
            )
        )
        needles = [sid.encode() for sid in target.subjects]
        count = 0
        for row in rows.all():
            body = row.response_body or b""
            if body != PURGED_RESPONSE and any(n in body for n in needles):
                row.response_body = PURGED_RESPONSE
                session.add(row)
                count += 1
        return count


class Audit:
    """Last: the audit trail of each subject says that a purge happened, and which run."""

    table = "audit_entry"

    async def purge(self, session: AsyncSession, target: PurgeTarget) -> int:
        owners = await _owners(session, target)
        for sid in target.subjects:
            session.add(
                AuditEntry(
                    account_sid=owners[sid],
                    subject_sid=sid,
                    action="purge",
                    actor=f"purge:{target.run_id}",
                    changed_fields=_PURGED_FIELDS if sid in target.live else [],
                    at=target.now,
                )
            )
        return len(target.subjects)


_PURGED_FIELDS = sorted(
    [*(f"authorizedRepresentatives.{c}" for c in REPRESENTATIVE_COLUMNS), *PROFILE_COLUMNS]
)


async def _owners(session: AsyncSession, target: PurgeTarget) -> dict[str, str]:
    """Each subject's account, from its row or (for a deleted one) its audit trail."""
    owners: dict[str, str] = {}
    if target.live:
        rows = await session.exec(
            select(CustomerProfile.sid, CustomerProfile.account_sid).where(
                col(CustomerProfile.sid).in_(target.live)
            )
        )
        owners.update(dict(rows.all()))
    if target.gone:
        rows = await session.exec(
            select(AuditEntry.subject_sid, AuditEntry.account_sid).where(
                col(AuditEntry.subject_sid).in_(target.gone)
            )
        )
        owners.update(dict(rows.all()))
    return owners


# The walk, in order.
HOLDERS: list[PersonalDataHolder] = [
    Profiles(),
    Representatives(),
    History(),
    Reviews(),
    Evaluations(),
    DeliveryLog(),
    DeadLetters(),
    Outbox(),
    IdempotentResponses(),
    Documents(),
    Audit(),
]
