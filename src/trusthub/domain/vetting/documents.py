"""Automated checks of a subject's supporting documents: each is of a type the profile may
carry, unexpired, and agrees with the profile (the registration number on a certificate is the
profile's; the name on a government ID is the individual's). Every reason names the document.
On a sandbox account, a file name's magic token (`sandbox.document_token`) forces a reason."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..enums import ProfileKind, ReasonCode
from .model import Reason
from .sandbox import DOCUMENT_EXPIRED_TOKEN, DOCUMENT_REJECT_TOKEN, document_token

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_BUSINESS_ONLY = {"BUSINESS_REGISTRATION_CERTIFICATE", "LETTER_OF_AUTHORIZATION"}


def _same(a: Any, b: Any) -> bool:
    """Equal once case, spaces and punctuation are set aside (12-3456789 is 123456789)."""
    return _NOT_ALNUM.sub("", str(a or "").upper()) == _NOT_ALNUM.sub("", str(b or "").upper())


def document_reasons(
    profile: Mapping[str, Any],
    documents: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    sandbox: bool = False,
) -> Iterator[Reason]:
    for doc in documents:
        where = ("supportingDocuments", str(doc["sid"]))
        label = f"Document {doc['sid']} ({doc['type']}, {doc.get('file_name')})"
        attributes: Mapping[str, str] = doc.get("attributes") or {}
        token = document_token(doc.get("file_name")) if sandbox else None
        if token == DOCUMENT_REJECT_TOKEN:
            yield Reason(
                ReasonCode.OTHER, where, f"{label}: sandbox magic value {token} rejects it."
            )
        if profile.get("kind") == ProfileKind.INDIVIDUAL and doc["type"] in _BUSINESS_ONLY:
            yield Reason(ReasonCode.OTHER, where, f"{label} is not for an individual's profile.")
        expires = doc.get("expires_at")
        if token == DOCUMENT_EXPIRED_TOKEN:
            yield Reason(ReasonCode.OTHER, where, f"{label} has expired (sandbox magic value).")
        elif expires is not None and expires <= now:
            yield Reason(ReasonCode.OTHER, where, f"{label} has expired.")
        if doc["type"] == "BUSINESS_REGISTRATION_CERTIFICATE" and not _same(
            attributes.get("registration_number"), profile.get("registration_number")
        ):
            yield Reason(
                ReasonCode.BUSINESS_REGISTRATION_ID,
                where,
                f"{label}: its registration number does not match the profile's.",
            )
        if doc["type"] == "GOVERNMENT_ID" and profile.get("kind") == ProfileKind.INDIVIDUAL:
            for attr, column in (("first_name", "first_name"), ("last_name", "last_name")):
                if not _same(attributes.get(attr), profile.get(column)):
                    yield Reason(
                        ReasonCode.OTHER, where, f"{label}: its {attr} is not the individual's."
                    )
