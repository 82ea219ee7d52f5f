"""Supporting document mutations: upload (GraphQL multipart request), replacement and removal."""

from __future__ import annotations

from typing import IO, Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from ..domain.documents import SupportingDocumentType
from ..domain.errors import DomainError, ErrorCode
from ..schema import document_types as dt
from ..schema.context import Info
from ..schema.errors import user_errors
from ..services import documents
from .common import perform


def _uploaded(file: Any) -> documents.UploadedFile:
    """Starlette's UploadFile (its `file` is spooled to disk past 1 MiB)."""
    source: IO[bytes] | None = getattr(file, "file", None)
    if source is None:
        raise DomainError.single(
            ErrorCode.REQUIRED, "Send the file as a multipart upload (file: Upload!).", ("file",)
        )
    return documents.UploadedFile(getattr(file, "filename", None), source)


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(
        description="Attach a file to a DRAFT or REJECTED profile or trust product. Send it as "
        "a GraphQL multipart request; its type is judged by its bytes."
    )
    async def create_supporting_document(
        self,
        info: Info,
        input: Annotated[
            dt.CreateSupportingDocumentInput,
            strawberry.argument(description="What the document is and what it supports."),
        ],
        file: Annotated[
            Upload, strawberry.argument(description="The file (GraphQL multipart request).")
        ],
    ) -> dt.SupportingDocumentPayload:
        store = info.context.blobs
        assert store is not None  # the gateway always gives one
        try:
            uploaded = _uploaded(file)
        except DomainError as exc:
            return dt.SupportingDocumentPayload(
                supporting_document=None, user_errors=user_errors(exc)
            )
        data = documents.NewDocument(
            profile_sid=str(input.profile_id) if input.profile_id is not None else None,
            trust_product_sid=(
                str(input.trust_product_id) if input.trust_product_id is not None else None
            ),
            type=SupportingDocumentType(input.type),
            attributes=[(a.name, a.value) for a in input.attributes or []],
        )
        row, errors = await perform(
            info, lambda s, actor: documents.create_document(s, actor, store, data, uploaded)
        )
        document = dt.SupportingDocument.from_row(row) if row is not None else None
        return dt.SupportingDocumentPayload(supporting_document=document, user_errors=errors)

    @strawberry.mutation(
        description="Replace a document's file (and attributes) while its profile or trust "
        "product is DRAFT or REJECTED: the new document (a new id) keeps the owner and type, the "
        "old one is removed. Checked like an upload; when refused, nothing changes."
    )
    async def replace_supporting_document(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The document to replace (RD…).")
        ],
        file: Annotated[
            Upload, strawberry.argument(description="The new file (GraphQL multipart request).")
        ],
        attributes: Annotated[
            list[dt.DocumentAttributeInput] | None,
            strawberry.argument(
                description="The new document's attributes, all of them; omitted, the old "
                "document's attributes carry over."
            ),
        ] = None,
    ) -> dt.SupportingDocumentPayload:
        store = info.context.blobs
        assert store is not None  # the gateway always gives one
        try:
            uploaded = _uploaded(file)
        except DomainError as exc:
            return dt.SupportingDocumentPayload(
                supporting_document=None, user_errors=user_errors(exc)
            )
        pairs = None if attributes is None else [(a.name, a.value) for a in attributes]
        result, errors = await perform(
            info,
            lambda s, actor: documents.replace_document(s, actor, store, str(id), uploaded, pairs),
        )
        if result is None:
            return dt.SupportingDocumentPayload(supporting_document=None, user_errors=errors)
        old, new = result
        await documents.collect_blob(info.context.sessions, store, old.blob_key)
        return dt.SupportingDocumentPayload(
            supporting_document=dt.SupportingDocument.from_row(new), user_errors=[]
        )

    @strawberry.mutation(
        description="Remove a document from a DRAFT or REJECTED profile or trust product."
    )
    async def delete_supporting_document(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The document (RD…).")],
    ) -> dt.DeleteSupportingDocumentPayload:
        row, errors = await perform(
            info, lambda s, actor: documents.delete_document(s, actor, str(id))
        )
        if row is None:
            return dt.DeleteSupportingDocumentPayload(deleted_id=None, user_errors=errors)
        assert info.context.blobs is not None
        await documents.collect_blob(info.context.sessions, info.context.blobs, row.blob_key)
        return dt.DeleteSupportingDocumentPayload(deleted_id=strawberry.ID(row.sid), user_errors=[])
