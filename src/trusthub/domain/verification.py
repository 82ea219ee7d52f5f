"""Representative verification, the pure part: the statuses, the signed links, which
representatives the automated reviewer asks about, and the sandbox's magic addresses.

A link's token is `<verification sid>.<expiry, unix seconds>.<HMAC-SHA256>` (base64url): the
signature makes a tampered or guessed token worthless without a database look-up, the expiry is
inside what is signed, and the stored SHA-256 of the token (replaced at each request, cleared by
an answer) makes it single-use."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from .vetting.contact import email_domain, email_problem, registrable_domain


class VerificationStatus(StrEnum):
    NOT_REQUESTED = "NOT_REQUESTED"
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


class Answer(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"


ANSWERED = {
    Answer.CONFIRM: VerificationStatus.CONFIRMED,
    Answer.DECLINE: VerificationStatus.DECLINED,
}


class LinkProblem(StrEnum):
    """Why a link cannot be answered; each gets a page of its own."""

    INVALID = "invalid"  # tampered, truncated, or signed with another secret
    EXPIRED = "expired"
    USED = "used"  # answered already, or replaced by a newer request


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def sign_token(secret: str, verification_sid: str, expires_at: datetime) -> str:
    body = f"{verification_sid}.{int(expires_at.timestamp())}"
    return f"{body}.{_signature(secret, body)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_token(secret: str, token: str) -> tuple[str, datetime] | None:
    """(verification sid, expiry) of a token this server signed, or None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(secret, body), parts[2]):
        return None
    return parts[0], datetime.fromtimestamp(int(parts[1]), UTC)


# -- sandbox: addresses that answer by themselves -----------------------------------------

SANDBOX_CONFIRM_SUFFIX = "+sandbox-confirm"
SANDBOX_DECLINE_SUFFIX = "+sandbox-decline"

# ending of the email's local part → what happens (the README's table is checked against it)
SANDBOX_REPRESENTATIVE_EMAILS: dict[str, str] = {
    SANDBOX_CONFIRM_SUFFIX: "Verification is requested (whatever the domain, when "
    "AUTO_VERIFY_REPRESENTATIVES is on) and confirmed at once; no email is sent.",
    SANDBOX_DECLINE_SUFFIX: "Verification is requested (whatever the domain, when "
    "AUTO_VERIFY_REPRESENTATIVES is on) and declined at once; no email is sent.",
}


def sandbox_answer(email: str) -> Answer | None:
    """The answer a sandbox representative gives by itself (`grace+sandbox-confirm@acme.com`)."""
    local = email.strip().lower().rpartition("@")[0]
    if local.endswith(SANDBOX_CONFIRM_SUFFIX):
        return Answer.CONFIRM
    if local.endswith(SANDBOX_DECLINE_SUFFIX):
        return Answer.DECLINE
    return None


# -- the automated reviewer's rule ---------------------------------------------------------


def needs_verification(email: Any, website_domain: str | None, *, sandbox: bool) -> bool:
    """Whether the automated reviewer asks this representative to confirm: the email is not at
    the website's registrable domain (a free mailbox is rejected by vetting instead), or, on a
    sandbox account, it is a magic address."""
    if email_problem(email) is not None:
        return False
    if sandbox and sandbox_answer(str(email)) is not None:
        return True
    if website_domain is None:
        return False
    return registrable_domain(email_domain(str(email))) != website_domain


def positions_to_verify(
    representatives: Mapping[int, Mapping[str, Any]],
    website_domain: str | None,
    statuses: Mapping[int, str],
    *,
    sandbox: bool,
) -> list[int]:
    """Representatives the rule picks whose latest verification is not CONFIRMED."""
    return [
        position
        for position, rep in sorted(representatives.items())
        if needs_verification(rep.get("email"), website_domain, sandbox=sandbox)
        and statuses.get(position) != VerificationStatus.CONFIRMED
    ]
