"""Sandbox magic values: on a sandbox account, a profile whose friendly name ends with one of
these tokens gets the outcome the token names, whatever its data, so that integrators can test
every path (approval, each rejection reason, escalation to a human). A supporting document
whose file name (before its extension) ends with a document token is judged as that token says,
inside the ordinary checks; a forcing friendly name still decides alone."""

from __future__ import annotations

from typing import Any

from ..enums import ReasonCode
from .model import Path, Reason, Verdict, VettingResult

APPROVE_TOKEN = "sandbox-approve"
ESCALATE_TOKEN = "sandbox-escalate"
REJECT_TOKEN_PREFIX = "sandbox-reject-"
# At the end of a document's file name stem, e.g. `certificate-sandbox-reject.pdf`. The file
# name, not an attribute: every document type has one (only IDs carry a document_number).
DOCUMENT_REJECT_TOKEN = "sandbox-reject"
DOCUMENT_EXPIRED_TOKEN = "sandbox-expired"

# Where each forced rejection points, as a real rejection for that code would.
_REJECT_FIELDS: dict[ReasonCode, Path] = {
    ReasonCode.BUSINESS_NAME_WEBSITE: ("business", "websiteUrl"),
    ReasonCode.BUSINESS_REGISTRATION_ID: ("business", "registrationNumber"),
    ReasonCode.ADDRESS: ("address",),
    ReasonCode.AUTHORIZED_REPRESENTATIVE_1: ("authorizedRepresentatives", "1"),
    ReasonCode.AUTHORIZED_REPRESENTATIVE_2: ("authorizedRepresentatives", "2"),
    ReasonCode.EMAIL_DOMAIN: ("authorizedRepresentatives", "1", "email"),
    ReasonCode.OTHER: (),
}


def reject_token(code: ReasonCode) -> str:
    """`ReasonCode.AUTHORIZED_REPRESENTATIVE_1` → `sandbox-reject-authorized-representative-1`."""
    return REJECT_TOKEN_PREFIX + code.value.lower().replace("_", "-")


_REJECT_TOKENS: dict[str, ReasonCode] = {reject_token(code): code for code in ReasonCode}

# token → what it does; the README's table of magic values is checked against this.
SANDBOX_MAGIC_VALUES: dict[str, str] = {
    APPROVE_TOKEN: "Approved, whatever the profile's data.",
    ESCALATE_TOKEN: "Escalated to the manual-review queue for a human reviewer.",
    **{
        token: f"Rejected with one reason of code {code.value}."
        for token, code in _REJECT_TOKENS.items()
    },
    DOCUMENT_REJECT_TOKEN: "A document so named is rejected, the reason naming it.",
    DOCUMENT_EXPIRED_TOKEN: "A document so named is judged expired, the reason naming it.",
}


def sandbox_outcome(friendly_name: Any) -> VettingResult | None:
    """The forced outcome when the friendly name ends with a magic token (any letter case)."""
    if not isinstance(friendly_name, str):
        return None
    name = friendly_name.strip().lower()
    if name.endswith(APPROVE_TOKEN):
        return VettingResult(Verdict.APPROVED, ())
    if name.endswith(ESCALATE_TOKEN):
        return VettingResult(
            Verdict.ESCALATED, (), f"Sandbox magic value {ESCALATE_TOKEN} forces escalation."
        )
    for token, code in _REJECT_TOKENS.items():
        if name.endswith(token):
            message = f"Sandbox magic value {token} forces a rejection with code {code.value}."
            return VettingResult(Verdict.REJECTED, (Reason(code, _REJECT_FIELDS[code], message),))
    return None


def document_token(file_name: Any) -> str | None:
    """The document token its file name ends with before the extension (any letter case)."""
    if not isinstance(file_name, str):
        return None
    stem = file_name.strip().lower()
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    for token in (DOCUMENT_REJECT_TOKEN, DOCUMENT_EXPIRED_TOKEN):
        if stem.endswith(token):
            return token
    return None
