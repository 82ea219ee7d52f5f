"""Logging: text or one JSON object per line (LOG_FORMAT), the request's or message's context on
every record, personal data masked, and the broker client's reconnect noise kept to a line.

The gateway binds the account (and the trace id a client sent) per request, a consumer the
subject per message (`bind`); the filter copies them onto each record, so no call site passes
them. Masking happens on the rendered message, so a value interpolated from any argument is
caught: a log line must be safe to ship to a third-party log store."""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from .config import Settings

trace_id: ContextVar[str | None] = ContextVar("trace_id", default=None)
account_sid: ContextVar[str | None] = ContextVar("account_sid", default=None)
subject_sid: ContextVar[str | None] = ContextVar("subject_sid", default=None)
_CONTEXT = {"trace_id": trace_id, "account_sid": account_sid, "subject_sid": subject_sid}

# Emails; US EINs (12-3456789) and other bare nine-digit registration numbers; E.164 numbers.
# Word boundaries keep SIDs (two letters and 32 hex digits) and timestamps intact.
_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
    (re.compile(r"(?<![\w-])\d{2}-\d{7}(?![\w-])"), "<ein>"),
    (re.compile(r"(?<![\w+])\d{9}(?!\w)"), "<ein>"),
    (re.compile(r"(?<![\w+])\+[1-9]\d{6,14}(?!\d)"), "<phone>"),
)
NOISY_BROKER_LOGGERS = ("aio_pika", "aiormq")


def mask(text: str) -> str:
    """The text with emails, EIN-like numbers and E.164 phone numbers replaced."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


@contextmanager
def bind(**values: str | None) -> Iterator[None]:
    """Set context fields (trace_id, account_sid, subject_sid) for the records logged inside."""
    tokens = [(_CONTEXT[name], _CONTEXT[name].set(value)) for name, value in values.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C `traceparent` header a client sent; None if absent or malformed."""
    if traceparent is None:
        return None
    found = _TRACEPARENT.fullmatch(traceparent.strip())
    if found is None or found.group(1) == "0" * 32:
        return None
    return found.group(1)


class ContextFilter(logging.Filter):
    """Masks personal data in the message and its arguments and stamps the context fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        for name, var in _CONTEXT.items():
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True


class BrokerNoiseFilter(logging.Filter):
    """aio-pika and aiormq log a lost connection as ERROR with a traceback (and again for each
    channel); the robust connection reconnects by itself, so it is one WARNING line naming
    the exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(NOISY_BROKER_LOGGERS):
            return True
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info, record.exc_text = None, None
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatException(self, ei: Any) -> str:
        return mask(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the context fields only where known."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for name in _CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def logging_config(settings: Settings) -> dict[str, Any]:
    """The dictConfig of every process: the CLI's, and uvicorn's workers (`--workers N` starts
    fresh processes, which apply it again through uvicorn's `log_config`)."""
    formatter = JsonFormatter if settings.log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": ContextFilter},
            "broker_noise": {"()": BrokerNoiseFilter},
        },
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                # A handler's filters see the records of every logger (a logger's own, only
                # those logged to it by name, not its children's).
                "filters": ["broker_noise", "context"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            # uvicorn's own loggers go through the same handler (and format).
            **{
                name: {"handlers": [], "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
        },
        "root": {"level": settings.log_level.upper(), "handlers": ["stderr"]},
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
