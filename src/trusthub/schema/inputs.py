"""GraphQL input types and their conversion to the services' change maps."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from strawberry.types.base import has_object_definition

from ..domain.fields import Path
from .enums import (
    BusinessIdentity,
    BusinessIndustry,
    BusinessType,
    JobPosition,
    ProfileKind,
    ProfileTier,
    Region,
    RegistrationIdType,
    Status,
)

U = strawberry.UNSET


def optional(description: str, default: Any = U) -> Any:
    """An input field, left out (UNSET) unless given: in updates a left-out field stays as it is."""
    return strawberry.field(default=default, description=description)


@strawberry.input(description="Business information; each field may come later (drafts).")
class BusinessInformationInput:
    legal_name: str | None = optional("Exactly as registered (at most 255 characters).")
    identity: BusinessIdentity | None = optional("Direct customer, or ISV reselling to others.")
    type: BusinessType | None = optional("The legal form of the business.")
    industry: BusinessIndustry | None = optional("The business's industry.")
    registration_id_type: RegistrationIdType | None = optional("The kind of registrationNumber.")
    registration_number: str | None = optional("In the format of its type (at most 64).")
    regions_of_operation: list[Region] | None = optional("One or more regions; replaces the list.")
    website_url: str | None = optional("An http(s) URL of the business's own website.")
    social_media_profile_urls: list[str] | None = optional(
        "Up to 10 http(s) URLs; replaces the list."
    )


@strawberry.input(description="The person of an INDIVIDUAL profile; each field may come later.")
class IndividualInformationInput:
    first_name: str | None = optional("Given name (at most 64 characters).")
    last_name: str | None = optional("Family name (at most 64 characters).")
    email: str | None = optional("An email address.")
    phone_number: str | None = optional("A phone number, stored in E.164 form (+14155550100).")


@strawberry.input(
    description="region is an ISO 3166-2 subdivision code; country ISO 3166-1 alpha-2."
)
class AddressInput:
    street1: str | None = optional("First street line (at most 128 characters).")
    street2: str | None = optional("Second street line (at most 128 characters).")
    city: str | None = optional("City or locality (at most 64 characters).")
    region: str | None = optional(
        "Subdivision: US-CA, or CA with the country US; stored as the ISO 3166-2 code."
    )
    postal_code: str | None = optional("Postal or ZIP code, checked for the country.")
    country: str | None = optional("ISO 3166-1 alpha-2 country code, e.g. US.")


@strawberry.input(
    description="A new customer profile, saved as a DRAFT: only kind, friendlyName and "
    "notificationEmail are needed now."
)
class CreateCustomerProfileInput:
    kind: ProfileKind = strawberry.field(description="BUSINESS or INDIVIDUAL; never changes.")
    friendly_name: str = strawberry.field(description="A short label (at most 64 characters).")
    notification_email: str = strawberry.field(description="Where decision emails go.")
    tier: ProfileTier | None = optional("PRIMARY (the default) or SECONDARY.", ProfileTier.PRIMARY)
    primary_profile_id: strawberry.ID | None = optional(
        "SECONDARY only: the ISV's PRIMARY profile this one belongs to.", None
    )
    status_callback: str | None = optional("An http(s) URL for signed status callbacks.")
    business: BusinessInformationInput | None = optional("BUSINESS only.")
    individual: IndividualInformationInput | None = optional("INDIVIDUAL only.")
    address: AddressInput | None = optional("The address of the business or person.")


@strawberry.input(description="A field left out stays as it is; null clears an optional field.")
class UpdateCustomerProfileInput:
    id: strawberry.ID = strawberry.field(description="The profile to change.")
    friendly_name: str | None = optional("A short label (at most 64 characters).")
    notification_email: str | None = optional("Where decision emails go.")
    status_callback: str | None = optional("An http(s) URL for status callbacks; null removes it.")
    business: BusinessInformationInput | None = optional("Fields of the business block to change.")
    individual: IndividualInformationInput | None = optional("Fields of the person to change.")
    address: AddressInput | None = optional("Fields of the address to change.")


@strawberry.input(description="A new authorized representative of a business profile.")
class AddAuthorizedRepresentativeInput:
    profile_id: strawberry.ID = strawberry.field(description="The business profile.")
    position: int = strawberry.field(description="1 or 2; each position holds one person.")
    first_name: str = strawberry.field(description="Given name (at most 64 characters).")
    last_name: str = strawberry.field(description="Family name (at most 64 characters).")
    email: str = strawberry.field(description="Work email; vetting expects the business's domain.")
    phone_number: str = strawberry.field(description="Phone number, stored in E.164 form.")
    business_title: str = strawberry.field(description="Their title (at most 64 characters).")
    job_position: JobPosition = strawberry.field(description="Their position.")


@strawberry.input(description="A field left out stays as it is; none of these can be cleared.")
class UpdateAuthorizedRepresentativeInput:
    id: strawberry.ID = strawberry.field(description="The representative (IT…) to change.")
    first_name: str | None = optional("Given name (at most 64 characters).")
    last_name: str | None = optional("Family name (at most 64 characters).")
    email: str | None = optional("Work email; vetting expects the business's domain.")
    phone_number: str | None = optional("Phone number, stored in E.164 form.")
    business_title: str | None = optional("Their title (at most 64 characters).")
    job_position: JobPosition | None = optional("Their position.")


@strawberry.input(description="Submit a compliant subject for review.")
class SubmitInput:
    id: strawberry.ID = strawberry.field(description="The profile or product to submit.")
    accept_terms: bool = strawberry.field(
        description="Must be true: accepts the terms of service and privacy policy (recorded)."
    )


@strawberry.input(description="Narrows customerProfiles; the criteria given must all match.")
class CustomerProfileFilter:
    status: Status | None = optional("Only profiles in this status.", None)
    kind: ProfileKind | None = optional("Only BUSINESS or only INDIVIDUAL profiles.", None)
    tier: ProfileTier | None = optional("Only PRIMARY or only SECONDARY profiles.", None)
    friendly_name: str | None = optional("Case-insensitive substring of the friendly name.", None)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def to_changes(
    value: Any, *, skip: frozenset[str] = frozenset(), prefix: Path = ()
) -> dict[Path, Any]:
    """Flatten an input object into {GraphQL path: value}, leaving out unset fields.
    A nested block sent as null clears each of its fields."""
    out: dict[Path, Any] = {}
    for f in dataclasses.fields(value):
        if f.name in skip:
            continue
        raw = getattr(value, f.name)
        if raw is strawberry.UNSET:
            continue
        path = (*prefix, _camel(f.name))
        if raw is not None and has_object_definition(raw):
            out.update(to_changes(raw, prefix=path))
        elif raw is None and _is_block(f):
            out.update(dict.fromkeys(_block_paths(f, path)))
        else:
            out[path] = list(raw) if isinstance(raw, list) else raw
    return out


# Input blocks by field name: a block sent as null clears each of its fields.
_BLOCKS: dict[str, type] = {
    "business": BusinessInformationInput,
    "individual": IndividualInformationInput,
    "address": AddressInput,
}


def register_blocks(**blocks: type) -> None:
    _BLOCKS.update(blocks)


def _is_block(f: dataclasses.Field[Any]) -> bool:
    return f.name in _BLOCKS


def _block_paths(f: dataclasses.Field[Any], path: Path) -> list[Path]:
    return [(*path, _camel(g.name)) for g in dataclasses.fields(_BLOCKS[f.name])]
