"""What automated vetting takes and returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..enums import ReasonCode

Path = tuple[str, ...]


class Verdict(StrEnum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    ESCALATED = "ESCALATED"  # to the manual-review queue: a human decides


@dataclass(frozen=True)
class Reason:
    """One reason for a rejection. `field` is the GraphQL path, such as
    `("business", "registrationNumber")` or `("authorizedRepresentatives", "1", "email")`."""

    code: ReasonCode
    field: Path
    message: str


@dataclass(frozen=True)
class EscalationRules:
    """Which otherwise clean profiles a human must look at (configuration, not code).

    `escalate_industries` holds `BusinessIndustry` values, `escalate_regions` `Region` values
    (matched against the profile's regions of operation)."""

    escalate_isv_primary: bool = True
    escalate_industries: frozenset[str] = frozenset()
    escalate_regions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class VettingInput:
    """A submitted profile as column → value (`CustomerProfile.model_dump()`) and its
    representatives by position (`AuthorizedRepresentative.model_dump()`)."""

    profile: Mapping[str, Any]
    representatives: Mapping[int, Mapping[str, Any]]
    sandbox: bool = False
    # `SupportingDocument.model_dump()` of each attached document, and when they are judged.
    documents: Sequence[Mapping[str, Any]] = ()
    now: datetime | None = None
    # AUTO_VERIFY_REPRESENTATIVES: an email at another domain than the website's is asked
    # about (the reviewer requests verification) instead of rejected.
    ask_representatives: bool = False


@dataclass(frozen=True)
class VettingResult:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    escalation_reason: str | None = None
