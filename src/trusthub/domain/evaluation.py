"""Evaluation: one generic function of (policy, profile facts).

A policy is data (`Policy.requirements`, seeded by migrations): a list of requirements, each of
one `type`:
- `fields`: every listed field path must be present and valid;
- `representative`: the representative at `position` must exist (when `required`) and be complete;
- `primary_profile`: the linked primary profile must have `status` and `businessIdentity`;
- `document`: a supporting document of `documentType` must be attached (when `required`), and
  none of that type may be expired.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .enums import EvaluationStatus
from .fields import PROFILE_FIELDS, REPRESENTATIVE_FIELDS, FieldSpec, Path


@dataclass(frozen=True)
class Failure:
    field: Path
    code: str
    message: str


@dataclass(frozen=True)
class RequirementResult:
    requirement: str
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Outcome:
    results: tuple[RequirementResult, ...]

    @property
    def status(self) -> EvaluationStatus:
        if all(r.passed for r in self.results):
            return EvaluationStatus.COMPLIANT
        return EvaluationStatus.NONCOMPLIANT

    @property
    def failures(self) -> list[Failure]:
        return [f for r in self.results for f in r.failures]


@dataclass(frozen=True)
class ProfileFacts:
    """What evaluation knows of a subject: its own values, and the objects around it.

    For a customer profile: `representatives` and `primary`. For a trust product:
    `customer_profile` (the profile it is for) and `products` (the other products of that
    profile). `fields` is the subject's field table."""

    values: Mapping[str, Any]
    representatives: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    primary: Mapping[str, Any] | None = None
    customer_profile: Mapping[str, Any] | None = None
    products: Sequence[Mapping[str, Any]] = ()
    fields: Mapping[Path, FieldSpec] = field(default_factory=lambda: PROFILE_FIELDS)
    # The subject's supporting documents (`SupportingDocument.model_dump()`), and the time
    # their expiry is judged at (None: documents are not judged).
    documents: Sequence[Mapping[str, Any]] = ()
    now: datetime | None = None


def evaluate(requirements: Sequence[Mapping[str, Any]], facts: ProfileFacts) -> Outcome:
    return Outcome(tuple(_check(req, facts) for req in requirements))


def _check(req: Mapping[str, Any], facts: ProfileFacts) -> RequirementResult:
    kind = req["type"]
    name = str(req["name"])
    if kind == "fields":
        paths = [tuple(p) for p in req["fields"]]
        return RequirementResult(name, tuple(_fields(facts.fields, paths, facts.values, ())))
    if kind == "representative":
        return RequirementResult(name, tuple(_representative(req, facts)))
    if kind == "primary_profile":
        return RequirementResult(name, tuple(_primary(req, facts)))
    if kind == "customer_profile":
        return RequirementResult(name, tuple(_customer_profile(req, facts)))
    if kind == "product":
        return RequirementResult(name, tuple(_related_product(req, facts)))
    if kind == "when":
        return RequirementResult(name, tuple(_conditional(req, facts)))
    if kind == "isv_direct_volume":
        return RequirementResult(name, tuple(_isv_direct_volume(req, facts)))
    if kind == "document":
        return RequirementResult(name, tuple(_document(req, name, facts)))
    raise ValueError(f"unknown requirement type {kind!r}")


def _fields(
    specs: Mapping[Path, FieldSpec],
    paths: Sequence[Path],
    values: Mapping[str, Any],
    prefix: Path,
) -> list[Failure]:
    failures = []
    for path in paths:
        spec = specs[path]
        value = values.get(spec.column)
        where = prefix + path
        if value is None or value == "" or value == []:
            failures.append(Failure(where, "REQUIRED", f"{'.'.join(where)} is required."))
            continue
        try:
            spec.check(value)
        except ValueError as exc:
            failures.append(Failure(where, "INVALID_VALUE", f"{'.'.join(where)} {exc}."))
    return failures


def _representative(req: Mapping[str, Any], facts: ProfileFacts) -> list[Failure]:
    position = int(req["position"])
    prefix: Path = ("authorizedRepresentatives", str(position))
    rep = facts.representatives.get(position)
    if rep is None:
        if req.get("required", True):
            return [
                Failure(prefix, "REQUIRED", f"Authorized representative #{position} is required.")
            ]
        return []
    return _fields(REPRESENTATIVE_FIELDS, list(REPRESENTATIVE_FIELDS), rep, prefix)


def _primary(req: Mapping[str, Any], facts: ProfileFacts) -> list[Failure]:
    where: Path = ("primaryProfileId",)
    primary = facts.primary
    if primary is None:
        return [Failure(where, "REQUIRED", "A secondary profile needs a primary profile.")]
    failures = []
    status = req.get("status")
    if status and primary.get("status") != status:
        failures.append(
            Failure(where, "PRIMARY_NOT_APPROVED", f"The primary profile must be {status}.")
        )
    identity = req.get("businessIdentity")
    if identity and primary.get("business_identity") != identity:
        failures.append(
            Failure(
                where,
                "PRIMARY_NOT_APPROVED",
                f"The primary profile's business identity must be {identity}.",
            )
        )
    return failures


def _customer_profile(req: Mapping[str, Any], facts: ProfileFacts) -> list[Failure]:
    """A trust product's customer profile: its status, and the kinds and tiers allowed."""
    where: Path = ("customerProfileId",)
    profile = facts.customer_profile
    if profile is None:
        return [Failure(where, "REQUIRED", "A trust product needs a customer profile.")]
    failures = []
    if req.get("status") and profile.get("status") != req["status"]:
        failures.append(
            Failure(where, "PROFILE_NOT_APPROVED", f"The customer profile must be {req['status']}.")
        )
    for key, label in (("kinds", "kind"), ("tiers", "tier")):
        allowed = req.get(key)
        if allowed and profile.get(label) not in allowed:
            failures.append(
                Failure(
                    where,
                    "INVALID_VALUE",
                    f"The customer profile's {label} must be one of {', '.join(allowed)}.",
                )
            )
    return failures


def _related_product(req: Mapping[str, Any], facts: ProfileFacts) -> list[Failure]:
    """Another product of the same customer profile, of `kind`, with `status`."""
    wanted, status = req["kind"], req.get("status", "APPROVED")
    if any(p.get("kind") == wanted and p.get("status") == status for p in facts.products):
        return []
    return [
        Failure(
            ("customerProfileId",),
            "PRODUCT_REQUIRED",
            f"The customer profile needs a {status} {wanted} trust product.",
        )
    ]


def _conditional(req: Mapping[str, Any], facts: ProfileFacts) -> list[Failure]:
    """`fields` are required when the field at `path` has one of the values in `in`."""
    spec = facts.fields[tuple(req["path"])]
    if facts.values.get(spec.column) not in req["in"]:
        return []
    return _fields(facts.fields, [tuple(p) for p in req["fields"]], facts.values, ())


def _isv_direct_volume(req: Mapping[str, Any], facts: ProfileFacts) -> list[Failure]:
    """An ISV registers an end customer sending more than `limit` messages a day as a SECONDARY
    profile with its own A2P product, not under the ISV's own PRIMARY profile."""
    limit = int(req["limit"])
    profile = facts.customer_profile or {}
    volume = facts.values.get("a2p_daily_message_volume") or 0
    if (
        volume > limit
        and profile.get("tier") == "PRIMARY"
        and profile.get("business_identity") == "ISV_RESELLER_OR_PARTNER"
    ):
        return [
            Failure(
                ("a2pMessaging", "dailyMessageVolume"),
                "SECONDARY_PROFILE_REQUIRED",
                f"An ISV must register an end customer sending more than {limit:,} messages a "
                "day as a SECONDARY customer profile with its own A2P messaging product.",
            )
        ]
    return []


def _document(req: Mapping[str, Any], name: str, facts: ProfileFacts) -> list[Failure]:
    """A required document must be attached; an expired one fails the requirement even when
    the document is optional (expired evidence is not evidence)."""
    wanted = str(req["documentType"])
    where: Path = ("supportingDocuments", wanted)
    documents = [d for d in facts.documents if d.get("type") == wanted]
    if not documents:
        if req.get("required", True):
            return [Failure(where, "DOCUMENT_REQUIRED", f"{name} ({wanted}) is required.")]
        return []
    now = facts.now
    expired = [
        d for d in documents if now is not None and d.get("expires_at") and d["expires_at"] <= now
    ]
    return [
        Failure(
            (*where, str(d["sid"])),
            "DOCUMENT_EXPIRED",
            f"{name} {d['sid']} ({d.get('file_name')}) expired on "
            f"{d['attributes'].get('expiry_date')}.",
        )
        for d in expired
    ]
