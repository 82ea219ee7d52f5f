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
from .errors import UserError
from .types import Node

strawberry.enum(SupportingDocumentType, name="SupportingDocumentType")
strawberry.enum(SupportingDocumentStatus, name="SupportingDocumentStatus")

__all__ = ["Upload"]


@strawberry.input
class DocumentAttributeInput:
    name: str
    value: str


@strawberry.input
class CreateSupportingDocumentInput:
    profile_id: strawberry.ID | None = None
    trust_product_id: strawberry.ID | None = None
    type: SupportingDocumentType
    attributes: list[DocumentAttributeInput] | None = None


@strawberry.type
class DocumentAttribute:
    name: str
    value: str


@strawberry.type
class SupportingDocument(Node):
    row: strawberry.Private[models.SupportingDocument]
    type: SupportingDocumentType
    attributes: list[DocumentAttribute]
    file_name: str
    size: int = strawberry.field(description="Bytes.")
    content_type: str = strawberry.field(description="As the file's bytes say, not its name.")
    checksum: str = strawberry.field(description="SHA-256 of the file, hex.")
    created_at: datetime
    expires_at: datetime | None

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


@strawberry.type
class SupportingDocumentPayload:
    supporting_document: SupportingDocument | None
    user_errors: list[UserError]


@strawberry.type
class DeleteSupportingDocumentPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]
