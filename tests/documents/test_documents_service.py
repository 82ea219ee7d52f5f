"""Attaching and removing documents (services.documents), on SQLite and PostgreSQL, with the
files in a real local blob store: a refused upload leaves the store as it was."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from trusthub.blobs import LocalBlobStore
from trusthub.db import SessionFactory
from trusthub.domain.documents import SupportingDocumentType as T
from trusthub.domain.errors import DomainError
from trusthub.models import CustomerProfile, SupportingDocument
from trusthub.services import documents
from trusthub.services.documents import NewDocument, UploadedFile

from ..conftest import Acct
from .conftest import CERTIFICATE_ATTRIBUTES, JPEG, PDF, PNG


def certificate(profile_sid: str, attributes: list[tuple[str, str]] | None = None) -> NewDocument:
    return NewDocument(
        profile_sid, None, T.BUSINESS_REGISTRATION_CERTIFICATE,
        CERTIFICATE_ATTRIBUTES if attributes is None else attributes,
    )  # fmt: skip


async def attach(
    sessions: SessionFactory,
    acct: Acct,
    store: LocalBlobStore,
    data: NewDocument,
    content: bytes,
    name: str = "certificate.pdf",
) -> SupportingDocument:
    async with sessions() as session:
        row = await documents.create_document(
            session, acct.actor, store, data, UploadedFile(name, io.BytesIO(content))
        )
        await session.commit()
        return row


async def count_documents(sessions: SessionFactory) -> int:
    async with sessions() as session:
        result = await session.exec(sa.select(sa.func.count()).select_from(SupportingDocument))
        return int(result.one()[0])


@pytest.mark.parametrize("content", [PDF, PNG, JPEG], ids=["pdf", "png", "jpeg"])
async def test_a_file_is_stored_once_under_its_checksum(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore, profile_sid: str, content: bytes
) -> None:
    # given / when: the same file attached twice
    first = await attach(sessions, alice, store, certificate(profile_sid), content)
    second = await attach(sessions, alice, store, certificate(profile_sid), content)

    # then
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    assert first.sha256 == second.sha256 == digest
    assert first.size == len(content)
    assert first.content_type in {"application/pdf", "image/png", "image/jpeg"}
    assert await store.keys() == [f"{alice.sid}/{digest}"]
    chunks = [c async for c in store.read(first.blob_key)]
    assert b"".join(chunks) == content


BAD_FILES = {
    "empty": (b"", "REQUIRED"),
    "wrong type by its bytes": (b"GIF89a" + b"\x00" * 20, "INVALID_VALUE"),
    "html named pdf": (b"<html><script>alert(1)</script></html>", "INVALID_VALUE"),
    "truncated pdf": (PDF[:20], "INVALID_VALUE"),
    "truncated png": (PNG[:-4], "INVALID_VALUE"),
    "too large": (b"%PDF-" + b"0" * (10 * 1024 * 1024) + b"%%EOF", "LIMIT_EXCEEDED"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_a_bad_file_is_refused_naming_the_file_and_nothing_is_stored(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore, profile_sid: str, case: str
) -> None:
    # given
    content, code = BAD_FILES[case]

    # when
    with pytest.raises(DomainError) as refused:
        await attach(sessions, alice, store, certificate(profile_sid), content)

    # then
    [error] = refused.value.errors
    assert (error.code.value, error.field) == (code, ("file",))
    assert await store.keys() == []
    assert await count_documents(sessions) == 0


async def test_bad_attributes_are_refused_each_naming_its_field(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore, profile_sid: str
) -> None:
    # given: a missing required attribute, an unknown one, a bad country and a bad date
    attributes = [
        ("business_name", "Acme"),
        ("colour", "red"),
        ("issuing_country", "XX"),
        ("expiry_date", "31/12/2030"),
    ]

    # when
    with pytest.raises(DomainError) as refused:
        await attach(sessions, alice, store, certificate(profile_sid, attributes), PDF)

    # then
    fields = {e.field: e.code.value for e in refused.value.errors}
    assert fields == {
        ("input", "attributes", "colour"): "INVALID_VALUE",
        ("input", "attributes", "issuing_country"): "INVALID_VALUE",
        ("input", "attributes", "expiry_date"): "INVALID_VALUE",
        ("input", "attributes", "registration_number"): "REQUIRED",
    }
    assert await store.keys() == []


async def test_another_accounts_profile_reads_as_not_found(
    sessions: SessionFactory, alice: Acct, bob: Acct, store: LocalBlobStore, profile_sid: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await attach(sessions, bob, store, certificate(profile_sid), PDF)

    [error] = refused.value.errors
    assert (error.code.value, error.field) == ("NOT_FOUND", ("input", "profileId"))
    assert await store.keys() == []


async def test_a_locked_profile_takes_no_document_and_keeps_its_own(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore, profile_sid: str
) -> None:
    # given: a document attached while DRAFT, then the profile under review
    kept = await attach(sessions, alice, store, certificate(profile_sid), PDF)
    async with sessions() as session:
        profile = await session.get(CustomerProfile, profile_sid)
        assert profile is not None
        profile.status = "PENDING_REVIEW"
        await session.commit()

    # when / then: neither a new one nor removing the old one
    with pytest.raises(DomainError) as refused:
        await attach(sessions, alice, store, certificate(profile_sid), PNG)
    assert refused.value.errors[0].code.value == "LOCKED"
    async with sessions() as session:
        with pytest.raises(DomainError) as refused:
            await documents.delete_document(session, alice.actor, kept.sid)
    assert refused.value.errors[0].code.value == "LOCKED"
    assert await store.keys() == [kept.blob_key]
    assert await count_documents(sessions) == 1


async def test_a_government_id_is_not_for_a_business_profile(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore, profile_sid: str
) -> None:
    data = NewDocument(profile_sid, None, T.GOVERNMENT_ID, [])
    with pytest.raises(DomainError) as refused:
        await attach(sessions, alice, store, data, PDF)
    assert refused.value.errors[0].field == ("input", "type")


async def test_removing_the_last_document_with_some_bytes_deletes_the_blob(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore, profile_sid: str
) -> None:
    # given: two documents with the same bytes
    first = await attach(sessions, alice, store, certificate(profile_sid), PDF)
    second = await attach(sessions, alice, store, certificate(profile_sid), PDF)

    # when: one is removed, the bytes stay for the other; then the other goes too
    for row, left in ((first, [first.blob_key]), (second, [])):
        async with sessions() as session:
            await documents.delete_document(session, alice.actor, row.sid)
            await session.commit()
        await documents.collect_blob(sessions, store, row.blob_key)

        # then
        assert await store.keys() == left


async def _require_certificate(sessions: SessionFactory, profile_sid: str) -> None:
    """Point the profile at a policy (a new row: policies are data) that requires one."""
    from trusthub.domain.sids import SidPrefix, new_sid
    from trusthub.models import Policy

    async with sessions() as session:
        profile = await session.get(CustomerProfile, profile_sid)
        assert profile is not None
        base = await session.get(Policy, profile.policy_sid)
        assert base is not None
        sid = new_sid(SidPrefix.POLICY)
        requirement = {
            "name": "Business registration certificate",
            "type": "document",
            "documentType": "BUSINESS_REGISTRATION_CERTIFICATE",
            "required": True,
        }
        session.add(
            Policy(
                sid=sid, code=f"test_{sid}", friendly_name="With documents",
                # policy rows outlive a PostgreSQL test: this one is no shipped subject type
                subject_type="TEST", kind=base.kind, tier=base.tier,
                requirements=[
                    *(r for r in base.requirements if r["type"] != "document"), requirement
                ],
            )
        )  # fmt: skip
        await session.flush()
        profile.policy_sid = sid
        await session.commit()


def _document_failures(evaluation: object) -> list[tuple[str, ...]]:
    results = getattr(evaluation, "results", [])
    return [
        (*f["field"], f["code"])
        for r in results
        if r["requirement"] == "Business registration certificate"
        for f in r["failures"]
    ]


async def test_evaluation_reports_a_missing_then_an_expired_required_document(
    sessions: SessionFactory, alice: Acct, store: LocalBlobStore, profile_sid: str
) -> None:
    from trusthub.services.evaluations import evaluate_profile

    # given: a policy that requires a certificate
    await _require_certificate(sessions, profile_sid)

    # when / then: missing
    async with sessions() as session:
        missing = await evaluate_profile(session, alice.actor, profile_sid)
    assert _document_failures(missing) == [
        ("supportingDocuments", "BUSINESS_REGISTRATION_CERTIFICATE", "DOCUMENT_REQUIRED")
    ]

    # when / then: attached but expired
    expired = await attach(
        sessions, alice, store,
        certificate(profile_sid, [*CERTIFICATE_ATTRIBUTES, ("expiry_date", "2020-01-31")]), PDF,
    )  # fmt: skip
    async with sessions() as session:
        evaluation = await evaluate_profile(session, alice.actor, profile_sid)
    assert _document_failures(evaluation) == [
        (
            "supportingDocuments",
            "BUSINESS_REGISTRATION_CERTIFICATE",
            expired.sid,
            "DOCUMENT_EXPIRED",
        )
    ]
