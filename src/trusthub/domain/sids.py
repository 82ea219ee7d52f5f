"""SIDs: two upper-case letters and 32 lower-case hex digits (Twilio's shape)."""

from __future__ import annotations

import re
import uuid
from enum import StrEnum


class SidPrefix(StrEnum):
    PROFILE = "BU"
    REPRESENTATIVE = "IT"
    POLICY = "RN"
    EVALUATION = "EL"
    REVIEW = "RV"
    ACCOUNT = "AC"
    DOCUMENT = "RD"
    VERIFICATION = "VR"


SID_RE = re.compile(r"[A-Z]{2}[0-9a-f]{32}")


def new_sid(prefix: SidPrefix) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def is_sid(value: str) -> bool:
    """Whether `value` has a SID's shape. Anything else names no row, so lookups answer "not
    found" without a query: an ID is sent as the client wrote it, and PostgreSQL refuses a
    query whose parameter holds a NUL (a client saw "Unexpected error.")."""
    return SID_RE.fullmatch(value) is not None


def sid_prefix(value: str) -> SidPrefix | None:
    """The prefix of a well-formed SID, or None for anything else."""
    if not is_sid(value):
        return None
    try:
        return SidPrefix(value[:2])
    except ValueError:
        return None
