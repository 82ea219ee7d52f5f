"""The automated reviewer's document checks (pure): reasons name the document."""

from __future__ import annotations

from datetime import UTC, datetime

from trusthub.domain.enums import ReasonCode
from trusthub.domain.vetting.documents import document_reasons

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PROFILE = {"kind": "BUSINESS", "registration_number": "12-3456789"}


def certificate(number: str, expires: datetime | None = None) -> dict[str, object]:
    return {
        "sid": "RD" + "0" * 32, "type": "BUSINESS_REGISTRATION_CERTIFICATE",
        "file_name": "cert.pdf", "attributes": {"registration_number": number},
        "expires_at": expires,
    }  # fmt: skip


def test_a_certificate_that_agrees_with_the_profile_passes() -> None:
    assert list(document_reasons(PROFILE, [certificate("123456789")], NOW)) == []


def test_a_certificate_for_another_number_or_expired_is_rejected_naming_it() -> None:
    doc = certificate("98-7654321", expires=datetime(2026, 1, 1, tzinfo=UTC))

    reasons = list(document_reasons(PROFILE, [doc], NOW))

    assert {r.code for r in reasons} == {ReasonCode.BUSINESS_REGISTRATION_ID, ReasonCode.OTHER}
    assert all(r.field == ("supportingDocuments", doc["sid"]) for r in reasons)
    assert all(str(doc["sid"]) in r.message for r in reasons)
