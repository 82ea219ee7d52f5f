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


@strawberry.input
class BusinessInformationInput:
    legal_name: str | None = U
    identity: BusinessIdentity | None = U
    type: BusinessType | None = U
    industry: BusinessIndustry | None = U
    registration_id_type: RegistrationIdType | None = U
    registration_number: str | None = U
    regions_of_operation: list[Region] | None = U
    website_url: str | None = U
    social_media_profile_urls: list[str] | None = U


@strawberry.input
class IndividualInformationInput:
    first_name: str | None = U
    last_name: str | None = U
    email: str | None = U
    phone_number: str | None = U


@strawberry.input(
    description="region is an ISO 3166-2 subdivision code; country ISO 3166-1 alpha-2."
)
class AddressInput:
    street1: str | None = U
    street2: str | None = U
    city: str | None = U
    region: str | None = U
    postal_code: str | None = U
    country: str | None = U


@strawberry.input
class CreateCustomerProfileInput:
    kind: ProfileKind
    friendly_name: str
    notification_email: str
    tier: ProfileTier | None = ProfileTier.PRIMARY
    primary_profile_id: strawberry.ID | None = None
    status_callback: str | None = U
    business: BusinessInformationInput | None = U
    individual: IndividualInformationInput | None = U
    address: AddressInput | None = U


@strawberry.input(description="A field left out stays as it is; null clears an optional field.")
class UpdateCustomerProfileInput:
    id: strawberry.ID
    friendly_name: str | None = U
    notification_email: str | None = U
    status_callback: str | None = U
    business: BusinessInformationInput | None = U
    individual: IndividualInformationInput | None = U
    address: AddressInput | None = U


@strawberry.input
class AddAuthorizedRepresentativeInput:
    profile_id: strawberry.ID
    position: int
    first_name: str
    last_name: str
    email: str
    phone_number: str
    business_title: str
    job_position: JobPosition


@strawberry.input
class UpdateAuthorizedRepresentativeInput:
    id: strawberry.ID
    first_name: str | None = U
    last_name: str | None = U
    email: str | None = U
    phone_number: str | None = U
    business_title: str | None = U
    job_position: JobPosition | None = U


@strawberry.input
class SubmitInput:
    id: strawberry.ID
    accept_terms: bool


@strawberry.input
class CustomerProfileFilter:
    status: Status | None = None
    kind: ProfileKind | None = None
    tier: ProfileTier | None = None
    friendly_name: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the friendly name."
    )


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
