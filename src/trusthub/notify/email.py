"""Decision emails: a plain-text message to the profile's notification address when a review
ends (APPROVED or REJECTED), with the reasons in plain words.

A failure is logged in its own transaction and raised, so the runner nacks and the queue's
delivery limit bounds the retries. The Message-ID is derived from the event, so that a
redelivery after an unacknowledged success can be recognised as the same message."""

from __future__ import annotations

import logging
import time
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import ReasonCode, Status, SubjectType
from ..domain.text import one_line
from ..messaging.messages import ReasonPayload, StatusChanged
from ..models import DeliveryAttempt
from ..models.base import utcnow
from ..services.deliveries import Channel, attempts_for, clip_error, was_delivered
from ..services.subjects import Subject, load_subject
from .deps import NotifierDeps, SmtpTarget

log = logging.getLogger(__name__)

DECISIONS = frozenset({Status.APPROVED.value, Status.REJECTED.value})

REASON_SENTENCES: dict[str, str] = {
    ReasonCode.BUSINESS_NAME_WEBSITE: (
        "We could not match the business name to the website you gave."
    ),
    ReasonCode.BUSINESS_REGISTRATION_ID: (
        "We could not verify the business registration ID (its type or number)."
    ),
    ReasonCode.ADDRESS: "We could not verify the business address.",
    ReasonCode.AUTHORIZED_REPRESENTATIVE_1: (
        "We could not verify the details of authorized representative #1."
    ),
    ReasonCode.AUTHORIZED_REPRESENTATIVE_2: (
        "We could not verify the details of authorized representative #2."
    ),
    ReasonCode.EMAIL_DOMAIN: (
        "The email address's domain does not match the business website's domain."
    ),
    ReasonCode.OTHER: "The profile needs another correction.",
}


class EmailNotSent(RuntimeError):
    """SMTP refused or could not be reached; the attempt is logged, the message redelivered."""


def reason_sentence(code: str) -> str:
    return REASON_SENTENCES.get(code, f"The profile needs a correction ({code}).")


def _reason_lines(number: int, reason: ReasonPayload) -> list[str]:
    lines = [f"{number}. {reason_sentence(reason.code)}"]
    if reason.field:
        lines.append(f"   Field: {one_line('.'.join(reason.field))}")
    if reason.message:
        lines.append(f"   Details: {one_line(reason.message)}")
    return lines


def _what(event: StatusChanged) -> str:
    if event.subject_type == SubjectType.TRUST_PRODUCT.value:
        return "trust product"
    return "customer profile"


def email_text(event: StatusChanged, profile: Subject) -> str:
    outcome = "approved" if event.status == Status.APPROVED.value else "rejected"
    when = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    name = f'"{one_line(profile.friendly_name)}" ({profile.sid})'
    what = _what(event)
    lines = ["Hello,", "", f"Your {what} {name} was {outcome} on {when}.", ""]
    if event.status == Status.APPROVED.value:
        lines.append("It can now be used for trust products and regulated services.")
    elif event.reasons:
        lines += ["What to fix:", ""]
        for number, reason in enumerate(event.reasons, start=1):
            lines += [*_reason_lines(number, reason), ""]
        lines.append("Please correct the profile and submit it again.")
    else:
        lines.append("The reviewer gave no specific reason. Please contact support.")
    lines += ["", "-- ", "Trust Hub", ""]
    return "\n".join(lines)


def compose_email(event: StatusChanged, profile: Subject, sender: str) -> EmailMessage:
    outcome = "approved" if event.status == Status.APPROVED.value else "rejected"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "trusthub.invalid"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = profile.notification_email
    # one_line: a stored line separator (rows older than the text checks) would make the
    # email package refuse the header, and every email for the profile with it.
    message["Subject"] = f"Your {_what(event)} {one_line(profile.friendly_name)} was {outcome}"
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{event.event_id}.{profile.sid}@{domain}>"
    message["X-Trusthub-Event-Id"] = event.event_id
    message.set_content(email_text(event, profile))
    return message


async def send_email(message: EmailMessage, smtp: SmtpTarget | None) -> None:
    if smtp is None:  # SMTP_URL=log:// (the `trusthub dev` default): show it, send nothing
        log.info("email (SMTP_URL=log://, not sent):\n%s", message.as_string())
        return
    await aiosmtplib.send(
        message,
        hostname=smtp.hostname,
        port=smtp.port,
        username=smtp.username,
        password=smtp.password,
        use_tls=smtp.use_tls,
        start_tls=smtp.start_tls,
        timeout=smtp.timeout,
    )


async def _recipient(session: AsyncSession, event: StatusChanged) -> Subject | None:
    subject = await load_subject(session, event.subject_type, event.subject_sid)
    return subject if subject is not None and subject.notification_email else None


async def handle_email(message: StatusChanged, deps: NotifierDeps) -> None:
    """Email a decision to the profile's notification address, once per event."""
    if message.status not in DECISIONS:
        return
    async with deps.sessions() as session:
        if await was_delivered(session, message.event_id, Channel.EMAIL):
            return
        profile = await _recipient(session, message)
        attempt = len(await attempts_for(session, message.event_id, Channel.EMAIL)) + 1
    if profile is None:
        return
    email = compose_email(message, profile, deps.settings.smtp_from)
    started_at, started = utcnow(), time.monotonic()
    failure: Exception | None = None
    try:
        await send_email(email, deps.smtp)
    except (aiosmtplib.SMTPException, OSError) as exc:
        failure = exc
    async with deps.sessions() as session:
        session.add(
            DeliveryAttempt(
                account_sid=profile.account_sid,
                subject_sid=profile.sid,
                event_id=message.event_id,
                channel=Channel.EMAIL.value,
                target=profile.notification_email,
                attempt=attempt,
                succeeded=failure is None,
                error=clip_error(f"{type(failure).__name__}: {failure}" if failure else None),
                duration_ms=int((time.monotonic() - started) * 1000),
                attempted_at=started_at,
            )
        )
        await session.commit()
    if failure is not None:
        log.warning("email for %s attempt %d failed: %s", message.event_id, attempt, failure)
        raise EmailNotSent(f"email for event {message.event_id} not sent") from failure
