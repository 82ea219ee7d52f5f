"""A reviewer sees the documents of a subject under review through `Review.subject` and can
download them; another customer can neither list them nor get a link."""

from __future__ import annotations

import io

from sqlmodel import select

from trusthub.blobs import open_blob_store
from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.messaging.messages import ReviewEscalated
from trusthub.models import Review
from trusthub.services import documents, profiles, representatives, reviews, submission
from trusthub.services.documents import UploadedFile

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..factories import business_profile, rep_changes
from .conftest import PDF
from .test_documents_service import certificate

QUEUE_WITH_DOCUMENTS = """
query Queue {
  reviewQueue(first: 10) {
    edges { node { id subject { id ... on CustomerProfile {
      supportingDocuments { id type fileName downloadUrl }
    } } } }
  }
}
"""
DOCUMENT_NODE = """
query Document($id: ID!) { node(id: $id) { id ... on SupportingDocument { downloadUrl } } }
"""


async def _escalated_with_document(
    sessions: SessionFactory, settings: Settings, owner: Acct
) -> tuple[str, str]:
    """A profile with a certificate, submitted and escalated to a human: its sid and the
    document's."""
    store = open_blob_store(settings)  # the gateway's store: the same keys
    async with sessions() as s:
        row = await profiles.create_profile(s, owner.actor, business_profile())
        await representatives.add_representative(s, owner.actor, row.sid, 1, rep_changes())
        document = await documents.create_document(
            s, owner.actor, store, certificate(row.sid), UploadedFile("cert.pdf", io.BytesIO(PDF))
        )
        await submission.submit_profile(s, owner.actor, row.sid, accept_terms=True)
        await s.commit()
    async with sessions() as s:
        review = (await s.exec(select(Review).where(Review.subject_sid == row.sid))).one()
        await reviews.escalate(
            s, ReviewEscalated(review_sid=review.sid, subject_sid=row.sid, reason="ISV")
        )
        await s.commit()
    return row.sid, document.sid


async def test_a_reviewer_lists_and_downloads_the_documents_under_review(
    gql: GraphQLClient,
    sessions: SessionFactory,
    settings: Settings,
    alice: Acct,
    bob: Acct,
    make_account: MakeAccount,
) -> None:
    # given alice's profile under review with a document, a reviewer, and bob
    subject, document = await _escalated_with_document(sessions, settings, alice)
    reviewer = await make_account("rita", Role.REVIEWER)

    # when the reviewer reads the queue with the subject's documents
    data = await gql(QUEUE_WITH_DOCUMENTS, account=reviewer)

    # then the document is there, and its link downloads the file
    [edge] = data["reviewQueue"]["edges"]
    assert edge["node"]["subject"]["id"] == subject
    [item] = edge["node"]["subject"]["supportingDocuments"]
    assert (item["id"], item["fileName"]) == (document, "cert.pdf")
    downloaded = await gql.http.get(item["downloadUrl"])
    assert downloaded.status_code == 200
    assert downloaded.content == PDF

    # and bob can neither read the queue nor reach the document
    refused = await gql.raw(QUEUE_WITH_DOCUMENTS, headers=bob.headers)
    assert refused["data"] is None
    assert "reviewers" in refused["errors"][0]["message"]
    hidden = await gql.raw(DOCUMENT_NODE, {"id": document}, headers=bob.headers)
    assert hidden["data"]["node"] is None
    # while the owner can
    own = await gql(DOCUMENT_NODE, {"id": document}, account=alice)
    assert own["node"]["id"] == document
