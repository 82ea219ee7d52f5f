"""The verification email: the link a representative follows to confirm or decline. Sent once
per request (`emailed_at`); every attempt is in the delivery log under the profile, and a failed
one is retried through the emails' delay queues like a decision email. The token is signed
again here from the stored row, never carried in a message or stored in clear."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from ..domain.verification import VerificationStatus, sign_token, token_hash
from ..messaging.messages import EmailRetry, RepresentativeVerificationChanged
from ..models import AuthorizedRepresentative, CustomerProfile, RepresentativeVerification
from ..models.base import utcnow
from ..services.deliveries import Attempt, Channel, record_attempt, was_delivered
from .deps import NotifierDeps
from .email import attempt_email


def verification_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{token}"


def compose_verification_email(
    rep: AuthorizedRepresentative,
    profile: CustomerProfile,
    row: RepresentativeVerification,
    url: str,
    sender: str,
) -> EmailMessage:
    company = profile.legal_name or profile.friendly_name
    domain = parseaddr(sender)[1].rpartition("@")[2] or "trusthub.invalid"
    expires = row.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.email
    message["Subject"] = f"Please confirm that you represent {company}"
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{row.sid}.{int(row.requested_at.timestamp())}@{domain}>"
    message.set_content(
        "\n".join(
            [
                f"Hello {rep.first_name} {rep.last_name},",
                "",
                f"{company} named you as its authorized representative ({rep.business_title}).",
                "Please confirm or decline that on this page:",
                "",
                url,
                "",
                f"The link works once, until {expires}.",
                "If you do not know this company, choose decline.",
                "",
                "-- ",
                "Trust Hub",
                "",
            ]
        )
    )
    return message


async def handle_verification_email(
    message: RepresentativeVerificationChanged | EmailRetry, deps: NotifierDeps
) -> None:
    """Email the link of a PENDING request once; a failed send is logged and retried like a
    decision email (an `EmailRetry` through the emails' delay queues)."""
    if isinstance(message, EmailRetry):
        event, number, first = message.event, message.attempt, message.first_attempt
    else:
        event, number, first = message, 1, 1
    if not isinstance(event, RepresentativeVerificationChanged):
        return
    if event.status != VerificationStatus.PENDING.value:
        return
    secret = deps.settings.verification_secret()
    async with deps.sessions() as session:
        if await was_delivered(session, event.event_id, Channel.EMAIL, or_attempt=number):
            return
        row = await session.get(RepresentativeVerification, event.verification_sid)
        if row is None or row.status != VerificationStatus.PENDING.value or row.emailed_at:
            return  # answered (a sandbox address), replaced, or sent already
        token = sign_token(secret, row.sid, row.expires_at)
        if row.token_hash != token_hash(token):
            return  # a newer request replaced this one; its own event sends its link
        rep = await session.get(AuthorizedRepresentative, row.representative_sid)
        profile = await session.get(CustomerProfile, row.profile_sid)
        if rep is None or profile is None:
            return
        url = verification_url(deps.settings.public_base_url, token)
        sender, to = deps.settings.smtp_from, row.email
    outcome = await attempt_email(
        deps, lambda: compose_verification_email(rep, profile, row, url, sender)
    )
    async with deps.sessions() as session:
        record_attempt(
            session,
            Attempt(Channel.EMAIL, event, number, first, to),
            outcome,
            max_attempts=deps.settings.email_max_attempts,
            delays_ms=deps.topology.retry_delays_ms,
        )
        stored = await session.get(RepresentativeVerification, event.verification_sid)
        if stored is not None and outcome.delivered:
            stored.emailed_at = utcnow()
        await session.commit()
