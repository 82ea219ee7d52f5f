"""Decision emails: a plain-text message to the profile's notification address when a review
ends (APPROVED or REJECTED), with the reasons in plain words.

Every attempt is logged; a failed one is retried through the emails' delay queues (an
`EmailRetry` outbox row committed with the log row, as for status callbacks) until
`email_max_attempts`, or given up at once when retrying cannot help (the server refused the
recipient for good, or the stored data cannot make a valid message). The Message-ID is derived
from the event, so that a resend after an unacknowledged success is recognisably the same
message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.enums import ReasonCode, Status, SubjectType
from ..domain.text import one_line
from ..messaging.messages import EmailRetry, ReasonPayload, StatusChanged
from ..models.base import utcnow
from ..services.deliveries import Attempt, Channel, Outcome, record_attempt, was_delivered
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


def _permanent(exc: aiosmtplib.SMTPException) -> bool:
    """The server refused this message or its recipient for good (5xx), or cannot carry it
    (no SMTPUTF8 for a non-ASCII address). Connection trouble, 4xx and our own login are worth
    trying again."""
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return True
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError) and (
        exc.code >= 500
    )


async def _send(deps: NotifierDeps, event: StatusChanged, profile: Subject) -> Outcome:
    return await attempt_email(deps, lambda: compose_email(event, profile, deps.settings.smtp_from))


async def attempt_email(deps: NotifierDeps, compose: Callable[[], EmailMessage]) -> Outcome:
    """Compose and send one email; what came of it, for the delivery log (`record_attempt`)."""
    started_at, started = utcnow(), time.monotonic()
    error, permanent = None, False
    try:
        email = compose()
        await send_email(email, deps.smtp)
    except (ValueError, TypeError) as exc:  # e.g. a line break in a stored header value
        error, permanent = f"cannot compose the email: {exc}", True
    except aiosmtplib.SMTPException as exc:
        error, permanent = f"{type(exc).__name__}: {exc}", _permanent(exc)
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(started_at, duration_ms, error=error, permanent=permanent)


async def handle_email(message: StatusChanged | EmailRetry, deps: NotifierDeps) -> None:
    """Email a decision to the profile's notification address, once per event."""
    if isinstance(message, EmailRetry):
        event, number, first = message.event, message.attempt, message.first_attempt
    else:
        event, number, first = message, 1, 1
    if not isinstance(event, StatusChanged) or event.status not in DECISIONS:
        return  # a verification email's retry goes to `verification_email.py`
    async with deps.sessions() as session:
        if await was_delivered(session, event.event_id, Channel.EMAIL, or_attempt=number):
            return
        profile = await _recipient(session, event)
    if profile is None:
        return
    outcome = await _send(deps, event, profile)
    async with deps.sessions() as session:
        record_attempt(
            session,
            Attempt(Channel.EMAIL, event, number, first, profile.notification_email),
            outcome,
            max_attempts=deps.settings.email_max_attempts,
            delays_ms=deps.topology.retry_delays_ms,
        )
        await session.commit()
