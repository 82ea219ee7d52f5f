"""Clean profiles for vetting tests, built through the real table models so that the column names
vetting reads are the ones the reviewer worker passes (`model_dump()`)."""

from __future__ import annotations

from typing import Any

from trusthub.domain.vetting import (
    EscalationRules,
    Reason,
    VettingInput,
    VettingResult,
    vet_profile,
)
from trusthub.models.profile import AuthorizedRepresentative, CustomerProfile

BUSINESS: dict[str, Any] = {
    "friendly_name": "Acme",
    "notification_email": "ops@acme.com",
    "legal_name": "Acme Communications Inc",
    "business_identity": "DIRECT_CUSTOMER",
    "business_type": "CORPORATION",
    "business_industry": "TELECOMMUNICATIONS",
    "registration_id_type": "EIN",
    "registration_number": "12-3456789",
    "regions_of_operation": ["USA_AND_CANADA"],
    "website_url": "https://www.acme.com",
    "social_media_profile_urls": ["https://linkedin.com/company/acme"],
    "street1": "1 Market St",
    "street2": "Suite 100",
    "city": "San Francisco",
    "region": "US-CA",
    "postal_code": "94105",
    "country": "US",
}
INDIVIDUAL: dict[str, Any] = {
    "friendly_name": "Ada",
    "notification_email": "ada@lovelace.dev",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@lovelace.dev",
    "phone_number": "+14155552671",
    "street1": "12 St James's Square",
    "city": "London",
    "region": "GB-WSM",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}
REPRESENTATIVE: dict[str, Any] = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "grace@acme.com",
    "phone_number": "+14155552671",
    "business_title": "Chief Executive",
    "job_position": "CEO",
}


def profile(kind: str = "BUSINESS", tier: str = "PRIMARY", **columns: Any) -> dict[str, Any]:
    values = {**(BUSINESS if kind == "BUSINESS" else INDIVIDUAL), **columns}
    row = CustomerProfile(
        sid="BU" + "a" * 32,
        account_sid="AC" + "b" * 32,
        kind=kind,
        tier=tier,
        policy_sid="RN" + "c" * 32,
        status="IN_REVIEW",
        **values,
    )
    return row.model_dump()


def representative(position: int = 1, **columns: Any) -> dict[str, Any]:
    row = AuthorizedRepresentative(
        sid="IT" + str(position) * 32,
        account_sid="AC" + "b" * 32,
        profile_sid="BU" + "a" * 32,
        position=position,
        **{**REPRESENTATIVE, **columns},
    )
    return row.model_dump()


def vet(
    profile_values: dict[str, Any] | None = None,
    representatives: dict[int, dict[str, Any]] | None = None,
    *,
    sandbox: bool = False,
    rules: EscalationRules | None = None,
) -> VettingResult:
    """Vet a profile (a clean business one by default) with representative #1 unless told."""
    data = VettingInput(
        profile=profile_values if profile_values is not None else profile(),
        representatives=representatives if representatives is not None else {1: representative()},
        sandbox=sandbox,
    )
    return vet_profile(data) if rules is None else vet_profile(data, rules)


def at(result: VettingResult, *field: str) -> list[Reason]:
    """The reasons pointing at one field path."""
    return [r for r in result.reasons if r.field == field]
