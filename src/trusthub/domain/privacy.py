"""What personal data is, how long it is kept, and what a purged value looks like: pure rules,
no I/O (services/purge.py applies them)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# What a purged text value reads as: the row and its shape stay, the person is gone.
MARKER = "[purged]"

# The columns that hold a person's data, per table (README: Retention and redaction). Business
# facts (legal name, address, website) describe a company, not a person, and are kept.
PROFILE_COLUMNS = ("first_name", "last_name", "email", "phone_number", "registration_number")
REPRESENTATIVE_COLUMNS = ("first_name", "last_name", "email", "phone_number")

AES_KEY_SIZES = (16, 24, 32)


@dataclass(frozen=True)
class PersonalDataRetention:
    """How long personal data outlives the reason it was collected for."""

    rejected: timedelta  # after a deletion, or a rejection not followed by a resubmission
    closed: timedelta  # after the account was closed
    batch: int = 500

    def __post_init__(self) -> None:
        if self.batch < 1:
            raise ValueError("batch must be at least 1")

    def rejected_before(self, now: datetime) -> datetime:
        return now - self.rejected

    def closed_before(self, now: datetime) -> datetime:
        return now - self.closed


def decode_key(value: str) -> bytes | None:
    """A base64 AES key, or None when it is not one."""
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) in AES_KEY_SIZES else None


def purge_messages(value: Any) -> tuple[Any, bool]:
    """A JSON document with every `message` string under a `reasons` list replaced (a stored
    message or evaluation result); returns it and whether anything changed."""
    changed = False
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ("message", "reason", "value") and isinstance(item, str) and item != MARKER:
                out[key], changed = MARKER, True
            else:
                out[key], sub = purge_messages(item)
                changed = changed or sub
        return out, changed
    if isinstance(value, list):
        items = []
        for item in value:
            new, sub = purge_messages(item)
            items.append(new)
            changed = changed or sub
        return items, changed
    return value, False
