"""Complete, valid inputs for tests to start from (and break one field at a time)."""

from __future__ import annotations

from typing import Any

from trusthub.domain.enums import ProfileKind, ProfileTier
from trusthub.domain.fields import Path
from trusthub.services.profiles import NewProfile

BUSINESS: dict[str, Any] = {
    "legalName": "Acme Communications Inc",
    "identity": "DIRECT_CUSTOMER",
    "type": "CORPORATION",
    "industry": "TELECOMMUNICATIONS",
    "registrationIdType": "EIN",
    "registrationNumber": "12-3456789",
    "regionsOfOperation": ["USA_AND_CANADA"],
    "websiteUrl": "https://acme.example.com",
    "socialMediaProfileUrls": ["https://linkedin.com/company/acme"],
}
ADDRESS: dict[str, Any] = {
    "street1": "1 Market St",
    "street2": "Suite 100",
    "city": "San Francisco",
    "region": "US-CA",
    "postalCode": "94105",
    "country": "US",
}
INDIVIDUAL: dict[str, Any] = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "phoneNumber": "+14155550100",
}
REPRESENTATIVE: dict[str, Any] = {
    "firstName": "Grace",
    "lastName": "Hopper",
    "email": "grace@acme.example.com",
    "phoneNumber": "+14155550101",
    "businessTitle": "Chief Executive",
    "jobPosition": "CEO",
}


def paths(block: str, values: dict[str, Any]) -> dict[Path, Any]:
    return {(block, k): v for k, v in values.items()}


def business_profile(**overrides: Any) -> NewProfile:
    """A complete primary business profile (needs representative #1 to be compliant)."""
    changes: dict[Path, Any] = {
        ("friendlyName",): "Acme",
        ("notificationEmail",): "ops@acme.example.com",
        **paths("business", BUSINESS),
        **paths("address", ADDRESS),
    }
    return NewProfile(
        kind=overrides.pop("kind", ProfileKind.BUSINESS),
        tier=overrides.pop("tier", ProfileTier.PRIMARY),
        primary_profile_sid=overrides.pop("primary_profile_sid", None),
        changes={**changes, **overrides.pop("changes", {})},
    )


def rep_changes(**overrides: Any) -> dict[Path, Any]:
    return {(k,): v for k, v in {**REPRESENTATIVE, **overrides}.items()}
