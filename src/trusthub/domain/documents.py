"""Supporting documents: their types (policy data, seeded by migration 0012), the content types
recognised by their bytes, and the attributes a type asks for. Pure: no I/O.

The content type is decided by magic numbers, never by the file name or the declared type: a
client's `Content-Type` is whatever its library guessed. A file whose head is right but whose
end is missing (a truncated upload) is refused as corrupt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from . import validators as v
from .errors import DomainError, ErrorCode, FieldError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

# How many bytes sniffing needs from the start and from the end of a file.
HEAD_BYTES = 16
TAIL_BYTES = 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
_PNG_END = b"IEND\xaeB`\x82"


class SupportingDocumentType(StrEnum):
    BUSINESS_REGISTRATION_CERTIFICATE = "BUSINESS_REGISTRATION_CERTIFICATE"
    PROOF_OF_ADDRESS = "PROOF_OF_ADDRESS"
    GOVERNMENT_ID = "GOVERNMENT_ID"
    LETTER_OF_AUTHORIZATION = "LETTER_OF_AUTHORIZATION"


class SupportingDocumentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"


class AttributeKind(StrEnum):
    TEXT = "text"
    DATE = "date"  # ISO 8601 calendar date, YYYY-MM-DD
    COUNTRY = "country"  # ISO 3166-1 alpha-2


# The attribute whose date, when given, is when a document stops being valid.
EXPIRY_ATTRIBUTE = "expiry_date"
MAX_ATTRIBUTE_LENGTH = 256
MAX_FILE_NAME_LENGTH = 255


@dataclass(frozen=True)
class AttributeSpec:
    name: str
    kind: AttributeKind
    required: bool


@dataclass(frozen=True)
class DocumentTypeSpec:
    """One row of `document_type`: what a document of this type must be."""

    code: SupportingDocumentType
    content_types: frozenset[str]
    max_bytes: int
    attributes: tuple[AttributeSpec, ...]
    subject_kinds: frozenset[str]  # profile kinds (BUSINESS, INDIVIDUAL) it may be attached to

    @classmethod
    def from_data(
        cls,
        code: str,
        content_types: Iterable[str],
        max_bytes: int,
        attributes: Iterable[Mapping[str, Any]],
        subject_kinds: Iterable[str],
    ) -> DocumentTypeSpec:
        return cls(
            SupportingDocumentType(code),
            frozenset(content_types),
            int(max_bytes),
            tuple(
                AttributeSpec(str(a["name"]), AttributeKind(a["kind"]), bool(a["required"]))
                for a in attributes
            ),
            frozenset(subject_kinds),
        )


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None when they announce none we accept."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def is_complete(content_type: str, tail: bytes) -> bool:
    """Whether the file ends as its format requires (a cut-off upload does not)."""
    if content_type == PDF:
        return b"%%EOF" in tail
    if content_type == PNG:
        return tail.endswith(_PNG_END)
    if content_type == JPEG:
        return tail.rstrip(b"\x00\r\n\t ").endswith(b"\xff\xd9")
    return False


def check_file_name(name: str | None) -> str:
    """A display name for the download (never a path on our side: blobs are named by hash)."""
    cleaned = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not cleaned:
        return "document"
    try:
        return str(v.text(MAX_FILE_NAME_LENGTH)(cleaned))
    except ValueError as exc:
        raise DomainError.single(ErrorCode.INVALID_VALUE, f"file name {exc}.", ("file",)) from None


def check_attributes(spec: DocumentTypeSpec, pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The attributes as name → normalised value; every problem at once, each naming its field."""
    known = {a.name: a for a in spec.attributes}
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    for name, raw in pairs:
        where = ("input", "attributes", name)
        attribute = known.get(name)
        if attribute is None:
            allowed = ", ".join(sorted(known))
            message = f"{spec.code.value} has no attribute {name!r} (it has: {allowed})."
            errors.append(FieldError(ErrorCode.INVALID_VALUE, where, message))
        elif name in values:
            errors.append(FieldError(ErrorCode.INVALID_VALUE, where, f"{name} is given twice."))
        else:
            try:
                values[name] = _check_value(attribute.kind, raw)
            except ValueError as exc:
                errors.append(FieldError(ErrorCode.INVALID_VALUE, where, f"{name} {exc}."))
    for attribute in spec.attributes:
        flagged = any(e.field == ("input", "attributes", attribute.name) for e in errors)
        if attribute.required and attribute.name not in values and not flagged:
            errors.append(
                FieldError(
                    ErrorCode.REQUIRED,
                    ("input", "attributes", attribute.name),
                    f"{spec.code.value} needs the attribute {attribute.name}.",
                )
            )
    if errors:
        raise DomainError(errors)
    return values


def _check_value(kind: AttributeKind, raw: str) -> str:
    if kind is AttributeKind.DATE:
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            raise ValueError("must be a date written YYYY-MM-DD") from None
    if kind is AttributeKind.COUNTRY:
        return v.country(raw)
    return str(v.text(MAX_ATTRIBUTE_LENGTH)(raw))


def expires_at(attributes: Mapping[str, str]) -> datetime | None:
    """A document is valid through its expiry date (UTC) and expired from the next day on."""
    raw = attributes.get(EXPIRY_ATTRIBUTE)
    if raw is None:
        return None
    day = date.fromisoformat(raw) + timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=UTC)


def status_at(expiry: datetime | None, now: datetime) -> SupportingDocumentStatus:
    if expiry is not None and expiry <= now:
        return SupportingDocumentStatus.EXPIRED
    return SupportingDocumentStatus.ACTIVE
