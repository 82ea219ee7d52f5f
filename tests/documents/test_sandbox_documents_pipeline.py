"""Sandbox magic values on documents, through the real review pipeline (in-process broker, both
databases): a file name ending with a document token decides that document's fate."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest

from trusthub.blobs import LocalBlobStore
from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.runtime import Runtime
from trusthub.services import documents, profiles, representatives, submission

from ..conftest import Acct, MakeAccount
from ..consumers.test_pipeline import PIPELINE, REAL_LOOKING, REAL_REP, wait_for_status
from ..factories import business_profile, rep_changes
from .conftest import PDF
from .test_documents_service import certificate


@pytest.fixture
async def runtime(
    settings: Settings, sessions: SessionFactory, namespace: str
) -> AsyncIterator[Runtime]:
    cfg = settings.model_copy(update={"broker_url": "memory://", "broker_namespace": namespace})
    rt = Runtime(cfg, sessions, PIPELINE)
    await rt.start()
    yield rt
    await rt.stop()


async def submitted_with_document(
    sessions: SessionFactory, acct: Acct, store: LocalBlobStore, file_name: str
) -> tuple[str, str]:
    """A sound profile with one certificate that agrees with it, submitted: (profile, document)."""
    async with sessions() as s:
        row = await profiles.create_profile(s, acct.actor, business_profile(changes=REAL_LOOKING))
        await representatives.add_representative(s, acct.actor, row.sid, 1, rep_changes(**REAL_REP))
        document = await documents.create_document(
            s,
            acct.actor,
            store,
            certificate(row.sid),
            documents.UploadedFile(file_name, io.BytesIO(PDF)),
        )
        await submission.submit_profile(s, acct.actor, row.sid, accept_terms=True)
        await s.commit()
        return row.sid, document.sid


@pytest.mark.parametrize(
    ("file_name", "says"),
    [
        ("certificate-sandbox-reject.pdf", "sandbox magic value sandbox-reject rejects it"),
        ("Certificate-SANDBOX-EXPIRED.pdf", "has expired"),
    ],
)
async def test_a_sandbox_document_token_rejects_naming_the_document(
    runtime: Runtime,
    sessions: SessionFactory,
    make_account: MakeAccount,
    store: LocalBlobStore,
    file_name: str,
    says: str,
) -> None:
    # given a sandbox account's sound profile whose certificate's file name ends with a token
    acct = await make_account("sandy", sandbox=True)
    sid, document_sid = await submitted_with_document(sessions, acct, store, file_name)
    runtime.relay.wake()

    # when the automated reviewer decides
    row = await wait_for_status(sessions, sid, Status.REJECTED)

    # then the one reason is the document's, and names it
    [reason] = row.reasons
    assert (reason["code"], reason["field"]) == ("OTHER", ["supportingDocuments", document_sid])
    assert document_sid in reason["message"]
    assert says in reason["message"]


async def test_the_same_file_name_means_nothing_outside_the_sandbox(
    runtime: Runtime, sessions: SessionFactory, alice: Acct, store: LocalBlobStore
) -> None:
    # given a live account's sound profile with a certificate named like a sandbox token
    sid, _ = await submitted_with_document(sessions, alice, store, "x-sandbox-reject.pdf")
    runtime.relay.wake()

    # when / then: it is approved
    row = await wait_for_status(sessions, sid, Status.APPROVED)
    assert row.reasons == []
