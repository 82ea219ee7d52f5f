"""Documents are personal data too: a purge or a redaction replaces their attributes and file
names with the marker and deletes their blobs (unless another live document holds the same
bytes); the blobs of documents deleted with their owner go with the deleted owner's purge
(both databases)."""

from __future__ import annotations

from datetime import timedelta

from trusthub.blobs import LocalBlobStore
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.domain.privacy import MARKER, PersonalDataRetention
from trusthub.models import SupportingDocument
from trusthub.models.base import utcnow
from trusthub.services import profiles
from trusthub.services.purge import purge, redact_profile

from ..conftest import Acct, MakeAccount
from ..services.helpers import create_complete
from ..services.purge_rows import rejected_profile
from .conftest import PDF
from .test_documents_service import attach as attach_document
from .test_documents_service import certificate

RETENTION = PersonalDataRetention(rejected=timedelta(days=90), closed=timedelta(days=30), batch=5)


async def attach(
    sessions: SessionFactory,
    acct: Acct,
    store: LocalBlobStore,
    profile_sid: str,
    content: bytes = PDF,
) -> SupportingDocument:
    return await attach_document(sessions, acct, store, certificate(profile_sid), content)


async def _stored(sessions: SessionFactory, sid: str) -> SupportingDocument:
    async with sessions() as session:
        row = await session.get(SupportingDocument, sid)
        assert row is not None
        return row


async def test_a_rejected_profiles_documents_are_purged_with_their_blobs(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore
) -> None:
    # given a rejected profile with a document, and a draft holding the same file
    sid = await rejected_profile(sessions, alice)
    document = await attach(sessions, alice, store, sid)
    draft = await create_complete(sessions, alice)
    same_bytes = await attach(sessions, alice, store, draft)
    other_pdf = PDF.replace(b"obj", b"obj ")
    second = await attach(sessions, alice, store, sid, content=other_pdf)
    assert len(await store.keys()) == 2

    # when a dry run counts, then nothing is deleted
    _, dry = await purge(
        sessions, RETENTION, trigger="test", blobs=store, dry_run=True,
        now=utcnow() + timedelta(days=91),
    )  # fmt: skip
    assert dry["supporting_document"] == 2
    assert len(await store.keys()) == 2

    # when the purge runs past RETENTION_DAYS_REJECTED
    _, counts = await purge(
        sessions, RETENTION, trigger="test", blobs=store, now=utcnow() + timedelta(days=91)
    )

    # then its documents read "[purged]" and keep their shape
    assert counts["supporting_document"] == 2
    purged = await _stored(sessions, document.sid)
    assert purged.file_name == MARKER
    assert set(purged.attributes.values()) == {MARKER}
    assert set(purged.attributes) == set(document.attributes)
    assert (purged.sha256, purged.size) == (document.sha256, document.size)
    # and the blob only it held is gone; the one the draft's document shares stays
    assert await store.keys() == [same_bytes.blob_key]
    assert not await store.exists(second.blob_key)
    assert (await _stored(sessions, same_bytes.sid)).file_name == "certificate.pdf"

    # when it runs again, then nothing changes
    _, again = await purge(
        sessions, RETENTION, trigger="test", blobs=store, now=utcnow() + timedelta(days=92)
    )
    assert again["supporting_document"] == 0
    assert await store.keys() == [same_bytes.blob_key]


async def test_the_blobs_of_a_deleted_profiles_documents_go_with_its_purge(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore
) -> None:
    # given a draft with a document, deleted
    sid = await create_complete(sessions, alice)
    document = await attach(sessions, alice, store, sid)
    async with sessions() as session:
        await profiles.delete_profile(session, alice.actor, sid)
        await session.commit()
    assert await store.keys() == [document.blob_key]

    # when a purge runs before the retention, then the blob stays
    await purge(sessions, RETENTION, trigger="test", blobs=store, now=utcnow() + timedelta(days=89))
    assert await store.keys() == [document.blob_key]

    # when a purge runs after it
    _, counts = await purge(
        sessions, RETENTION, trigger="test", blobs=store, now=utcnow() + timedelta(days=91)
    )

    # then the blob is gone
    assert counts["supporting_document"] == 1
    assert await store.keys() == []


async def test_a_redaction_purges_the_profiles_documents_and_blobs(
    sessions: SessionFactory, alice: Acct, make_account: MakeAccount, store: LocalBlobStore
) -> None:
    # given a draft with a document, and an admin
    sid = await create_complete(sessions, alice)
    document = await attach(sessions, alice, store, sid)
    admin = await make_account("root", Role.ADMIN)

    # when the admin redacts the profile
    async with sessions() as session:
        await redact_profile(session, admin.actor, sid, blobs=store)
        await session.commit()

    # then
    purged = await _stored(sessions, document.sid)
    assert purged.file_name == MARKER
    assert set(purged.attributes.values()) == {MARKER}
    assert await store.keys() == []
