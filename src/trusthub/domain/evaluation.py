"""Evaluation: one generic function of (policy, profile facts).

A policy is data (`Policy.requirements`, seeded by migrations): a list of requirements, each of
one `type`:
- `fields`: every listed field path must be present and valid;
- `representative`: the representative at `position` must exist (when `required`) and be complete;
- `primary_profile`: the linked primary profile must have `status` and `businessIdentity`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    values: Mapping[str, Any]
    representatives: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    primary: Mapping[str, Any] | None = None


def evaluate(requirements: Sequence[Mapping[str, Any]], facts: ProfileFacts) -> Outcome:
    return Outcome(tuple(_check(req, facts) for req in requirements))


def _check(req: Mapping[str, Any], facts: ProfileFacts) -> RequirementResult:
    kind = req["type"]
    name = str(req["name"])
    if kind == "fields":
        paths = [tuple(p) for p in req["fields"]]
        return RequirementResult(name, tuple(_fields(PROFILE_FIELDS, paths, facts.values, ())))
    if kind == "representative":
        return RequirementResult(name, tuple(_representative(req, facts)))
    if kind == "primary_profile":
        return RequirementResult(name, tuple(_primary(req, facts)))
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
