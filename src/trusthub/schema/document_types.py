"""GraphQL types of supporting documents: the document, its attributes, the upload input and
the payload. A document's file is reached through `downloadUrl`, a signed link that expires."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry
from strawberry.file_uploads import Upload

from .. import models
from ..domain.documents import SupportingDocumentStatus, SupportingDocumentType, status_at
from ..models.base import utcnow
from ..services import document_links
from .context import Info
from .enums import graphql_enum
from .errors import UserError
from .types import Node

graphql_enum(
    SupportingDocumentType,
    "The kinds of supporting document a policy may ask for.",
    {
        "BUSINESS_REGISTRATION_CERTIFICATE": "The certificate a registry issued for the business.",
        "PROOF_OF_ADDRESS": "A recent utility bill, bank or tax statement showing the address.",
        "GOVERNMENT_ID": "An individual's passport, identity card or driving licence.",
        "LETTER_OF_AUTHORIZATION": "A letter authorizing a representative to act for the business.",
    },
)
graphql_enum(
    SupportingDocumentStatus,
    "Whether a document is still valid.",
    {
        "ACTIVE": "Valid: no expiry date, or one not yet passed.",
        "EXPIRED": "Its expiry_date attribute has passed.",
    },
)

__all__ = ["Upload"]


@strawberry.input(description="One attribute of a document, as the document type names them.")
class DocumentAttributeInput:
    name: str = strawberry.field(description="e.g. document_number, issuing_country, expiry_date.")
    value: str = strawberry.field(description="Its value (dates as YYYY-MM-DD).")


@strawberry.input(description="What a document is and what it is attached to.")
class CreateSupportingDocumentInput:
    profile_id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer profile it supports (or trustProductId)."
    )
    trust_product_id: strawberry.ID | None = strawberry.field(
        default=None, description="The trust product it supports (or profileId)."
    )
    type: SupportingDocumentType = strawberry.field(description="The kind of document.")
    attributes: list[DocumentAttributeInput] | None = strawberry.field(
        default=None, description="The attributes its type requires."
    )


@strawberry.type(description="One attribute of a document.")
class DocumentAttribute:
    name: str = strawberry.field(description="The attribute's name.")
    value: str = strawberry.field(description="Its value.")


@strawberry.type(
    description="Evidence attached to a profile or trust product (SID prefix RD): a typed file "
    "with attributes, checked by its bytes and stored once."
)
class SupportingDocument(Node):
    row: strawberry.Private[models.SupportingDocument]
    type: SupportingDocumentType = strawberry.field(description="The kind of document.")
    attributes: list[DocumentAttribute] = strawberry.field(description="Its attributes.")
    file_name: str = strawberry.field(description="The file name it was uploaded with.")
    size: int = strawberry.field(description="Bytes.")
    content_type: str = strawberry.field(description="As the file's bytes say, not its name.")
    checksum: str = strawberry.field(description="SHA-256 of the file, hex.")
    created_at: datetime = strawberry.field(description="When it was uploaded (UTC).")
    expires_at: datetime | None = strawberry.field(
        description="When it expires (from its expiry_date attribute); null if it does not."
    )

    @classmethod
    def from_row(cls, row: models.SupportingDocument) -> SupportingDocument:
        return cls(
            row=row,
            id=strawberry.ID(row.sid),
            type=SupportingDocumentType(row.type),
            attributes=[DocumentAttribute(name=k, value=v) for k, v in row.attributes.items()],
            file_name=row.file_name,
            size=row.size,
            content_type=row.content_type,
            checksum=row.sha256,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    @strawberry.field(description="EXPIRED from the day after its expiry_date attribute.")
    def status(self) -> SupportingDocumentStatus:
        return status_at(self.row.expires_at, utcnow())

    @strawberry.field(
        description="A link to download the file (an attachment), signed for the viewer's "
        "account; it works for DOCUMENT_URL_TTL_SECONDS."
    )
    def download_url(self, info: Info) -> str:
        settings = info.context.settings
        token = document_links.sign(
            settings.document_url_secret.get_secret_value(),
            self.row.sid,
            info.context.actor.account_sid,
            utcnow(),
            timedelta(seconds=settings.document_url_ttl_seconds),
        )
        base = str(info.context.request.base_url).rstrip("/")
        return f"{base}{document_links.PATH_PREFIX}{token}"


@strawberry.type(description="The result of an upload or a replacement.")
class SupportingDocumentPayload:
    supporting_document: SupportingDocument | None = strawberry.field(
        description="The stored document; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused (nothing is stored or changed then)."
    )


@strawberry.type(description="The result of removing a document.")
class DeleteSupportingDocumentPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The removed document.")
    user_errors: list[UserError] = strawberry.field(description="Why it was not removed.")
