"""Supporting documents: attach an uploaded file to a profile or trust product, replace or
remove it, and read the documents of a subject. The file is checked whole (type by its bytes,
size, integrity) before a byte of it reaches the blob store, so a refused upload leaves nothing
behind."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import IO, Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..blobs import BlobStore
from ..blobs.base import CHUNK_BYTES
from ..db import SessionFactory
from ..domain import documents as d
from ..domain import lifecycle
from ..domain.enums import Status
from ..domain.errors import DomainError, ErrorCode, not_found
from ..domain.sids import SidPrefix, is_sid, new_sid
from ..models import CustomerProfile, DocumentType, SupportingDocument, TrustProduct
from ..models.base import utcnow
from .actor import Actor
from .history import audit
from .scoping import get_owned

FILE: tuple[str, ...] = ("file",)


@dataclass(frozen=True)
class NewDocument:
    profile_sid: str | None
    trust_product_sid: str | None
    type: d.SupportingDocumentType
    attributes: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class UploadedFile:
    """The file as the request delivered it: a seekable file object (spooled to disk by the
    multipart parser past 1 MiB, so never whole in memory) and the client's file name."""

    file_name: str | None
    source: IO[bytes]


@dataclass(frozen=True)
class Scan:
    size: int
    sha256: str
    content_type: str | None
    complete: bool


def scan(source: IO[bytes], max_bytes: int) -> Scan:
    """Read the file once in chunks: its size (stopping past `max_bytes`), SHA-256, the type
    its first bytes announce, and whether it ends as that type must."""
    source.seek(0)
    digest = hashlib.sha256()
    head = b""
    tail = b""
    size = 0
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise DomainError.single(
                ErrorCode.LIMIT_EXCEEDED, f"The file is larger than {max_bytes} bytes.", FILE
            )
        digest.update(chunk)
        if len(head) < d.HEAD_BYTES:
            head = (head + chunk)[: d.HEAD_BYTES]
        tail = (tail + chunk)[-d.TAIL_BYTES :]
    content_type = d.sniff(head)
    complete = content_type is not None and d.is_complete(content_type, tail)
    return Scan(size, digest.hexdigest(), content_type, complete)


async def document_type(
    session: AsyncSession, code: d.SupportingDocumentType
) -> d.DocumentTypeSpec:
    row = await session.get(DocumentType, code.value)
    if row is None:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE, f"Unknown document type {code.value}.", ("input", "type")
        )
    return d.DocumentTypeSpec.from_data(
        row.code, row.content_types, row.max_bytes, row.attributes, row.subject_kinds
    )


async def _owner(
    session: AsyncSession, actor: Actor, profile_sid: str | None, product_sid: str | None
) -> CustomerProfile | TrustProduct:
    """The profile or product the document belongs to: the actor's own, and editable."""
    if (profile_sid is None) == (product_sid is None):
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            "Give exactly one of profileId and trustProductId.",
            ("input", "profileId"),
        )
    owner: CustomerProfile | TrustProduct
    if profile_sid is not None:
        owner = await get_owned(
            session,
            actor,
            CustomerProfile,
            profile_sid,
            field=("input", "profileId"),
            for_update=True,
        )
    else:
        assert product_sid is not None
        owner = await get_owned(
            session,
            actor,
            TrustProduct,
            product_sid,
            field=("input", "trustProductId"),
            for_update=True,
        )
    lifecycle.ensure_editable(Status(owner.status))
    return owner


def blob_key(account_sid: str, sha256: str) -> str:
    """Content-addressed within an account: the same file uploaded twice is stored once, and
    one account's purge never removes another's bytes."""
    return f"{account_sid}/{sha256}"


async def create_document(
    session: AsyncSession,
    actor: Actor,
    store: BlobStore,
    data: NewDocument,
    upload: UploadedFile,
) -> SupportingDocument:
    owner = await _owner(session, actor, data.profile_sid, data.trust_product_sid)
    spec = await document_type(session, data.type)
    kind = getattr(owner, "kind", None) if isinstance(owner, CustomerProfile) else None
    if kind is not None and kind not in spec.subject_kinds:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"A {data.type.value} cannot be attached to a {kind} profile.",
            ("input", "type"),
        )
    attributes = d.check_attributes(spec, data.attributes)
    file_name = d.check_file_name(upload.file_name)
    found = await asyncio.to_thread(scan, upload.source, spec.max_bytes)
    _check_content(spec, found)
    row = _new_row(
        owner, data.profile_sid, data.trust_product_sid, spec, attributes, file_name, found
    )
    session.add(row)
    owner.updated_at = utcnow()
    audit(
        session, actor, account_sid=owner.account_sid, subject_sid=owner.sid,
        action="attach_document", fields=[row.sid],
    )  # fmt: skip
    await session.flush()
    await _keep_bytes(store, row, upload)
    return row


async def replace_document(
    session: AsyncSession,
    actor: Actor,
    store: BlobStore,
    sid: str,
    upload: UploadedFile,
    attributes: Sequence[tuple[str, str]] | None,
) -> tuple[SupportingDocument, SupportingDocument]:
    """Swap a document of an editable owner for a new file of the same type: the new row keeps
    the owner and type (with `attributes`, or the old ones when None, checked again), the old
    row goes. Returns (old, new); the caller collects the old blob once committed."""
    old = await get_document(session, actor, sid)
    owner = await _owner(session, actor, old.profile_sid, old.trust_product_sid)
    spec = await document_type(session, d.SupportingDocumentType(old.type))
    pairs = list(old.attributes.items()) if attributes is None else attributes
    checked = _replacement_attributes(spec, pairs)
    file_name = d.check_file_name(upload.file_name)
    found = await asyncio.to_thread(scan, upload.source, spec.max_bytes)
    _check_content(spec, found)
    row = _new_row(owner, old.profile_sid, old.trust_product_sid, spec, checked, file_name, found)
    await session.delete(old)
    session.add(row)
    owner.updated_at = utcnow()
    audit(
        session, actor, account_sid=owner.account_sid, subject_sid=owner.sid,
        action="replace_document", fields=[old.sid, row.sid],
    )  # fmt: skip
    await session.flush()
    await _keep_bytes(store, row, upload)
    return old, row


def _replacement_attributes(
    spec: d.DocumentTypeSpec, pairs: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """`check_attributes` names fields under `input`; replace takes `attributes` as an argument."""
    try:
        return d.check_attributes(spec, pairs)
    except DomainError as exc:
        errors = [
            replace(e, field=e.field[1:]) if e.field and e.field[0] == "input" else e
            for e in exc.errors
        ]
        raise DomainError(errors) from None


def _new_row(
    owner: CustomerProfile | TrustProduct,
    profile_sid: str | None,
    trust_product_sid: str | None,
    spec: d.DocumentTypeSpec,
    attributes: dict[str, str],
    file_name: str,
    found: Scan,
) -> SupportingDocument:
    return SupportingDocument(
        sid=new_sid(SidPrefix.DOCUMENT),
        account_sid=owner.account_sid,
        profile_sid=profile_sid,
        trust_product_sid=trust_product_sid,
        type=spec.code.value,
        attributes=attributes,
        file_name=file_name,
        size=found.size,
        content_type=str(found.content_type),
        sha256=found.sha256,
        blob_key=blob_key(owner.account_sid, found.sha256),
        expires_at=d.expires_at(attributes),
    )


async def _keep_bytes(store: BlobStore, row: SupportingDocument, upload: UploadedFile) -> None:
    """Last, once everything else has passed: only a committed-to-be document's bytes are kept."""
    if not await store.exists(row.blob_key):
        upload.source.seek(0)
        await store.put(row.blob_key, upload.source)


def _check_content(spec: d.DocumentTypeSpec, found: Scan) -> None:
    if found.size == 0:
        raise DomainError.single(ErrorCode.REQUIRED, "The file is empty.", FILE)
    if found.content_type is None or found.content_type not in spec.content_types:
        accepted = ", ".join(sorted(spec.content_types))
        what = found.content_type or "not a recognised format"
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"A {spec.code.value} must be one of {accepted}; the file's bytes say {what}.",
            FILE,
        )
    if not found.complete:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE,
            f"The file starts as {found.content_type} but is truncated or corrupt.",
            FILE,
        )


async def get_document(
    session: AsyncSession, actor: Actor, sid: str, *, field: tuple[str, ...] = ("id",)
) -> SupportingDocument:
    if not is_sid(sid):
        raise not_found(sid, field)
    row = await session.get(SupportingDocument, sid)
    if row is None or not (actor.is_admin or row.account_sid == actor.account_sid):
        raise not_found(sid, field)
    return row


async def delete_document(session: AsyncSession, actor: Actor, sid: str) -> SupportingDocument:
    """Remove a document of an editable owner. The caller deletes its blob once committed
    (`collect_blob`), if no other document holds the same bytes."""
    row = await get_document(session, actor, sid)
    await _owner(session, actor, row.profile_sid, row.trust_product_sid)
    audit(
        session, actor, account_sid=row.account_sid,
        subject_sid=row.profile_sid or row.trust_product_sid or row.sid,
        action="remove_document", fields=[row.sid],
    )  # fmt: skip
    await session.delete(row)
    await session.flush()
    return row


async def collect_blob(sessions: SessionFactory, store: BlobStore, key: str) -> bool:
    """Delete the blob under `key` when no document refers to it any more; whether it did."""
    async with sessions() as session:
        count = await session.exec(
            select(func.count()).where(col(SupportingDocument.blob_key) == key)
        )
        if count.one():
            return False
    await store.delete(key)
    return True


async def documents_of(session: AsyncSession, subject_sid: str) -> list[SupportingDocument]:
    """A profile's or trust product's documents, oldest first."""
    query = (
        select(SupportingDocument)
        .where(
            (col(SupportingDocument.profile_sid) == subject_sid)
            | (col(SupportingDocument.trust_product_sid) == subject_sid)
        )
        .order_by(col(SupportingDocument.created_at), col(SupportingDocument.sid))
    )
    return list((await session.exec(query)).all())


async def document_facts(session: AsyncSession, subject_sid: str) -> list[dict[str, Any]]:
    return [row.model_dump() for row in await documents_of(session, subject_sid)]


async def profiles_document_facts(
    session: AsyncSession, profile_sids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """The documents of several profiles in one statement (the reviewer vets a batch at once)."""
    facts: dict[str, list[dict[str, Any]]] = {sid: [] for sid in profile_sids}
    if profile_sids:
        rows = await session.exec(
            select(SupportingDocument)
            .where(col(SupportingDocument.profile_sid).in_(list(profile_sids)))
            .order_by(col(SupportingDocument.created_at), col(SupportingDocument.sid))
        )
        for row in rows.all():
            if row.profile_sid is not None:
                facts[row.profile_sid].append(row.model_dump())
    return facts
