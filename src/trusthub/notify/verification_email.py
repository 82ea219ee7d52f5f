"""The verification email: the link a representative follows to confirm or decline. Sent once
per request (`emailed_at`); a failed send raises, so the broker delivers the event again (up to
its delivery limit). The token is signed again here from the stored row, never carried in a
message or stored in clear."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from ..domain.verification import VerificationStatus, sign_token, token_hash
from ..messaging.messages import RepresentativeVerificationChanged
from ..models import AuthorizedRepresentative, CustomerProfile, RepresentativeVerification
from ..models.base import utcnow
from .deps import NotifierDeps
from .email import send_email


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
    event: RepresentativeVerificationChanged, deps: NotifierDeps
) -> None:
    if event.status != VerificationStatus.PENDING.value:
        return
    secret = deps.settings.verification_secret()
    async with deps.sessions() as session:
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
        message = compose_verification_email(rep, profile, row, url, deps.settings.smtp_from)
    await send_email(message, deps.smtp)
    async with deps.sessions() as session:
        row = await session.get(RepresentativeVerification, event.verification_sid)
        if row is not None:
            row.emailed_at = utcnow()
            await session.commit()
