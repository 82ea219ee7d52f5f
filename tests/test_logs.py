"""Logging as configured by `trusthub` (logs.py), fed real log records through real loggers:
JSON lines with the context fields, personal data masked, the broker client's reconnect noise
one WARNING line, and operation names kept to a bounded set of metric labels."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from trusthub.config import Settings
from trusthub.logs import BrokerNoiseFilter, ContextFilter, JsonFormatter, bind, trace_id_of
from trusthub.metrics import MAX_OPERATION_NAMES, operation_label

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """The handler `trusthub` installs (its filters and JSON formatter), on a test logger."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(BrokerNoiseFilter())
    handler.addFilter(ContextFilter())
    loggers = [logging.getLogger(n) for n in ("trusthub.test", "aio_pika.robust_connection")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    yield out
    for logger in loggers:
        logger.removeHandler(handler)
        logger.propagate = True


def entries(out: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_lines_carry_the_context_fields(stream: io.StringIO) -> None:
    # given a request's context
    log = logging.getLogger("trusthub.test")
    # when something is logged inside it, and after it
    with bind(account_sid="AC1", subject_sid="BU2", trace_id=trace_id_of(TRACEPARENT)):
        log.info("profile %s submitted", "BU2")
    log.warning("outside")
    # then each line is one JSON object, with the fields only where known
    inside, outside = entries(stream)
    assert inside["message"] == "profile BU2 submitted"
    assert (inside["level"], inside["logger"]) == ("INFO", "trusthub.test")
    assert inside["timestamp"].endswith("+00:00")
    assert inside["account_sid"] == "AC1"
    assert inside["subject_sid"] == "BU2"
    assert inside["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert "account_sid" not in outside
    assert "trace_id" not in outside


def test_emails_eins_and_phone_numbers_are_masked_in_messages_and_args(
    stream: io.StringIO,
) -> None:
    log = logging.getLogger("trusthub.test")
    # when personal data reaches a message, its arguments and an exception
    log.info("email jane.doe+kyc@acme.example.com EIN %s phone %s", "12-3456789", "+14155550123")
    try:
        raise ValueError("bad number 123456789 for ops@acme.com")
    except ValueError:
        log.exception("failed for SID BU%s", "0123456789abcdef0123456789abcdef")
    # then none of it is in the log, and SIDs are kept
    text = stream.getvalue()
    for secret in ("jane.doe", "acme.example.com", "12-3456789", "4155550123", "ops@acme"):
        assert secret not in text
    assert "123456789 " not in text
    first, second = entries(stream)
    assert first["message"] == "email <email> EIN <ein> phone <phone>"
    assert second["message"] == "failed for SID BU0123456789abcdef0123456789abcdef"
    assert "<ein>" in second["exception"]
    assert "<email>" in second["exception"]


def test_broker_reconnect_errors_are_one_warning_without_a_traceback(
    stream: io.StringIO,
) -> None:
    # given the record aio-pika logs when a connection drops mid-callback
    log = logging.getLogger("aio_pika.robust_connection")
    try:
        raise ConnectionResetError("Connection reset by peer")
    except ConnectionResetError:
        log.exception("Failed to execute close callbacks for %s", "amqp://host")
    # then it is one WARNING line naming the exception
    [entry] = entries(stream)
    assert entry["level"] == "WARNING"
    assert "exception" not in entry
    assert entry["message"] == (
        "Failed to execute close callbacks for amqp://host "
        "(ConnectionResetError: Connection reset by peer)"
    )
    assert "Traceback" not in stream.getvalue()


def test_log_format_is_a_setting_refusing_other_values() -> None:
    assert Settings(log_format="json").log_format == "json"
    with pytest.raises(ValueError, match="log_format"):
        Settings(log_format="xml")


def test_malformed_traceparent_gives_no_trace_id() -> None:
    assert trace_id_of("00-" + "0" * 32 + "-00f067aa0ba902b7-01") is None
    assert trace_id_of("garbage") is None
    assert trace_id_of(None) is None


def test_operation_labels_are_bounded() -> None:
    # a name that is no short identifier is anonymous
    assert operation_label(None) == "anonymous"
    assert operation_label("a b") == "anonymous"
    assert operation_label("x" * 65) == "anonymous"
    # and past MAX_OPERATION_NAMES distinct names, new ones share one label
    names = [f"Op{i}" for i in range(MAX_OPERATION_NAMES + 5)]
    labels = {operation_label(n) for n in names}
    assert len(labels) <= MAX_OPERATION_NAMES + 1
    assert "other" in labels
