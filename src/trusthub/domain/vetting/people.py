"""Checks on people: authorized representatives (complete, reachable, at the business's domain)
and an individual profile's own details."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..enums import JobPosition, ReasonCode
from .contact import (
    FREE_MAIL_DOMAINS,
    email_domain,
    email_problem,
    phone_problem,
    registrable_domain,
)
from .model import Path, Reason

# Representative column → GraphQL field name, in the order a form shows them.
REPRESENTATIVE_COLUMNS: dict[str, str] = {
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "email",
    "phone_number": "phoneNumber",
    "business_title": "businessTitle",
    "job_position": "jobPosition",
}
_JOB_POSITIONS = frozenset(p.value for p in JobPosition)
_CODE_FOR_POSITION = {
    1: ReasonCode.AUTHORIZED_REPRESENTATIVE_1,
    2: ReasonCode.AUTHORIZED_REPRESENTATIVE_2,
}


def representative_reasons(
    representatives: Mapping[int, Mapping[str, Any]],
    *,
    business: bool,
    website_domain: str | None,
    ask_on_mismatch: bool = False,
) -> Iterator[Reason]:
    """Every given representative complete and valid; for a business, representative #1
    present and email addresses at the business's own domain (`website_domain`, when known).
    With `ask_on_mismatch` another domain is no reason: the reviewer asks the representative
    to confirm instead (`domain/verification.py`)."""
    if business and 1 not in representatives:
        yield Reason(
            ReasonCode.AUTHORIZED_REPRESENTATIVE_1,
            ("authorizedRepresentatives", "1"),
            "Authorized representative #1 is required for a business profile.",
        )
    for position in sorted(representatives):
        rep = representatives[position]
        yield from _one_representative(position, rep)
        if business:
            yield from _email_domain(
                position, rep.get("email"), None if ask_on_mismatch else website_domain
            )
    yield from _distinct_people(representatives)


def _one_representative(position: int, rep: Mapping[str, Any]) -> Iterator[Reason]:
    code = _CODE_FOR_POSITION.get(position, ReasonCode.OTHER)
    prefix: Path = ("authorizedRepresentatives", str(position))
    for column, name in REPRESENTATIVE_COLUMNS.items():
        value = rep.get(column)
        if value is None or str(value).strip() == "":
            yield Reason(code, (*prefix, name), f"Representative #{position}: {name} is required.")
            continue
        problem = _field_problem(column, value)
        if problem:
            yield Reason(code, (*prefix, name), f"Representative #{position}: {problem}")


def _field_problem(column: str, value: Any) -> str | None:
    if column == "email":
        return email_problem(value)
    if column == "phone_number":
        return phone_problem(value)
    if column == "job_position" and value not in _JOB_POSITIONS:
        return f"{value!r} is not a job position."
    return None


def _email_domain(position: int, email: Any, website_domain: str | None) -> Iterator[Reason]:
    if email_problem(email) is not None:
        return  # reported as the representative's own problem
    domain = email_domain(str(email))
    where: Path = ("authorizedRepresentatives", str(position), "email")
    if domain in FREE_MAIL_DOMAINS:
        yield Reason(
            ReasonCode.EMAIL_DOMAIN,
            where,
            f"Representative #{position} uses a free email provider ({domain}); use an "
            "address at the business's own domain.",
        )
    elif website_domain is not None and registrable_domain(domain) != website_domain:
        yield Reason(
            ReasonCode.EMAIL_DOMAIN,
            where,
            f"Representative #{position}'s email domain {domain} does not match the "
            f"business website's domain {website_domain}.",
        )


def _distinct_people(representatives: Mapping[int, Mapping[str, Any]]) -> Iterator[Reason]:
    first, second = representatives.get(1), representatives.get(2)
    if first is None or second is None:
        return
    email1, email2 = str(first.get("email") or ""), str(second.get("email") or "")
    if email1 and email1.strip().lower() == email2.strip().lower():
        yield Reason(
            ReasonCode.AUTHORIZED_REPRESENTATIVE_2,
            ("authorizedRepresentatives", "2", "email"),
            "Representative #2 must be a different person from representative #1.",
        )


def individual_reasons(profile: Mapping[str, Any]) -> Iterator[Reason]:
    for column, name in (("first_name", "firstName"), ("last_name", "lastName")):
        if not str(profile.get(column) or "").strip():
            yield Reason(ReasonCode.OTHER, ("individual", name), f"The {name} is required.")
    problem = email_problem(profile.get("email"))
    if problem:
        yield Reason(ReasonCode.OTHER, ("individual", "email"), problem)
    problem = phone_problem(profile.get("phone_number"))
    if problem:
        yield Reason(ReasonCode.OTHER, ("individual", "phoneNumber"), problem)
