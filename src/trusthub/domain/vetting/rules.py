"""`vet_profile`: every check on a submitted profile, then the verdict."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..enums import BusinessIdentity, ProfileKind, ProfileTier, ReasonCode
from .address import address_reasons
from .contact import email_problem, registrable_domain, website_host, website_problem
from .documents import document_reasons
from .model import EscalationRules, Reason, Verdict, VettingInput, VettingResult
from .people import individual_reasons, representative_reasons
from .registration import registration_problem
from .sandbox import sandbox_outcome

DEFAULT_RULES = EscalationRules()

# Legal names that are form filler, not a registered name.
PLACEHOLDER_NAMES = frozenset(
    {"abc", "asdf", "business", "company", "example", "n a", "na", "none", "null", "sample",
     "test", "test company", "testing", "tbd", "xxx"}
)  # fmt: skip
# Business columns a reviewer needs beyond name, website and registration (GraphQL names).
_BUSINESS_DETAILS = {
    "business_identity": "identity",
    "business_type": "type",
    "business_industry": "industry",
    "regions_of_operation": "regionsOfOperation",
}


def vet_profile(data: VettingInput, rules: EscalationRules = DEFAULT_RULES) -> VettingResult:
    """Reject with every reason found; otherwise escalate when a rule says a human must look;
    otherwise approve. On a sandbox account a magic friendly name decides instead."""
    if data.sandbox:
        forced = sandbox_outcome(data.profile.get("friendly_name"))
        if forced is not None:
            return forced
    reasons = tuple(_reasons(data))
    if reasons:
        return VettingResult(Verdict.REJECTED, reasons)
    why = escalation_reason(data.profile, rules)
    if why is not None:
        return VettingResult(Verdict.ESCALATED, (), why)
    return VettingResult(Verdict.APPROVED, ())


def _reasons(data: VettingInput) -> Iterator[Reason]:
    profile = data.profile
    kind = profile.get("kind")
    business = kind == ProfileKind.BUSINESS
    if business:
        yield from business_reasons(profile)
    elif kind == ProfileKind.INDIVIDUAL:
        yield from individual_reasons(profile)
    else:
        yield Reason(ReasonCode.OTHER, ("kind",), f"Unknown profile kind {kind!r}.")
    yield from address_reasons(profile)
    yield from representative_reasons(
        data.representatives,
        business=business,
        website_domain=website_domain(profile),
        ask_on_mismatch=data.ask_representatives,
    )
    if data.now is not None:
        yield from document_reasons(profile, data.documents, data.now, sandbox=data.sandbox)
    problem = email_problem(profile.get("notification_email"))
    if problem:
        yield Reason(ReasonCode.OTHER, ("notificationEmail",), problem)


def website_domain(profile: Mapping[str, Any]) -> str | None:
    """The domain representatives' emails must be at; None when the website itself is rejected
    (its own reason says why, and comparing against it would only add noise)."""
    url = profile.get("website_url")
    host = website_host(url)
    if host is None or website_problem(url) is not None:
        return None
    return registrable_domain(host)


def business_reasons(profile: Mapping[str, Any]) -> Iterator[Reason]:
    yield from _name_and_website(profile)
    yield from _registration(profile)
    for column, name in _BUSINESS_DETAILS.items():
        if profile.get(column) in (None, "", []):
            yield Reason(ReasonCode.OTHER, ("business", name), f"The business {name} is required.")


def _name_and_website(profile: Mapping[str, Any]) -> Iterator[Reason]:
    code = ReasonCode.BUSINESS_NAME_WEBSITE
    name = str(profile.get("legal_name") or "").strip()
    if not name:
        yield Reason(code, ("business", "legalName"), "The legal business name is required.")
    elif " ".join(re.findall(r"[a-z0-9]+", name.lower())) in PLACEHOLDER_NAMES:
        yield Reason(
            code,
            ("business", "legalName"),
            f"{name!r} is not a legal business name; give the name exactly as registered.",
        )
    problem = website_problem(profile.get("website_url"))
    if problem:
        yield Reason(code, ("business", "websiteUrl"), problem)


def _registration(profile: Mapping[str, Any]) -> Iterator[Reason]:
    code = ReasonCode.BUSINESS_REGISTRATION_ID
    id_type, number = profile.get("registration_id_type"), profile.get("registration_number")
    if not id_type:
        yield Reason(
            code, ("business", "registrationIdType"), "The registration ID type is required."
        )
    elif not isinstance(number, str) or not number.strip():
        yield Reason(
            code, ("business", "registrationNumber"), "The registration number is required."
        )
    else:
        country = profile.get("country")
        problem = registration_problem(str(id_type), number, str(country) if country else None)
        if problem:
            yield Reason(code, ("business", "registrationNumber"), problem)


def escalation_reason(profile: Mapping[str, Any], rules: EscalationRules) -> str | None:
    """Why a human must review this otherwise clean profile, or None."""
    why = []
    if (
        rules.escalate_isv_primary
        and profile.get("tier") == ProfileTier.PRIMARY
        and profile.get("business_identity") == BusinessIdentity.ISV_RESELLER_OR_PARTNER
    ):
        why.append("A primary profile of an ISV, reseller or partner is reviewed by a person.")
    industry = profile.get("business_industry")
    if industry and industry in rules.escalate_industries:
        why.append(f"The {industry} industry is reviewed by a person.")
    regions = sorted(set(profile.get("regions_of_operation") or ()) & rules.escalate_regions)
    if regions:
        why.append(f"Operations in {', '.join(regions)} are reviewed by a person.")
    return " ".join(why) or None
