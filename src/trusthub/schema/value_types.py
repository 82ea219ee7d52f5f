"""GraphQL value types: plain data read off a row, with no SID and no related fields to load
(the blocks of a profile, reasons, history entries, delivery attempts, evaluation results)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from .. import models
from .enums import (
    BusinessIdentity,
    BusinessIndustry,
    BusinessType,
    ReasonCode,
    Region,
    RegistrationIdType,
    Status,
)


def enum_member(cls: Any, value: str | None) -> Any:
    """The member of enum `cls` with this stored value (a dictionary lookup: calling the enum
    class costs several times more, for every enum value of every profile on a page)."""
    if value is None:
        return None
    member = cls._value2member_map_.get(value)
    return member if member is not None else cls(value)


@strawberry.type(description="Why a reviewer rejected a subject, or withdrew its approval.")
class ReviewReason:
    code: ReasonCode = strawberry.field(description="The category of the problem.")
    field: list[str] | None = strawberry.field(
        description='Path of the field at fault, e.g. ["address", "street1"]; null for the '
        "subject as a whole."
    )
    message: str = strawberry.field(description="What is wrong, for the customer to read.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewReason:
        return cls(code=ReasonCode(data["code"]), field=data.get("field"), message=data["message"])


@strawberry.type(description="A postal address; any line may be null while a profile is a draft.")
class Address:
    street1: str | None = strawberry.field(description="First street line.")
    street2: str | None = strawberry.field(description="Second street line (suite, floor).")
    city: str | None = strawberry.field(description="City or locality.")
    region: str | None = strawberry.field(description="ISO 3166-2 subdivision code, e.g. US-CA.")
    postal_code: str | None = strawberry.field(
        description="Postal or ZIP code, checked against the country where its format is known."
    )
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")


@strawberry.type(description="Who the business is: what reviewers vet a business profile on.")
class BusinessInformation:
    legal_name: str | None = strawberry.field(
        description="The legal business name, exactly as registered."
    )
    identity: BusinessIdentity | None = strawberry.field(
        description="Whether the business serves itself or resells to end customers (ISV)."
    )
    type: BusinessType | None = strawberry.field(description="The legal form of the business.")
    industry: BusinessIndustry | None = strawberry.field(description="The business's industry.")
    registration_id_type: RegistrationIdType | None = strawberry.field(
        description="The kind of registration number given in registrationNumber."
    )
    registration_number: str | None = strawberry.field(
        description="The business registration number, in the format of its type."
    )
    regions_of_operation: list[Region] = strawberry.field(
        description="Where the business operates; empty until given."
    )
    website_url: str | None = strawberry.field(
        description="The business's website (http or https); its domain is vetted."
    )
    social_media_profile_urls: list[str] = strawberry.field(
        description="Links to the business's social media profiles (up to 10)."
    )


@strawberry.type(description="The person behind an INDIVIDUAL profile.")
class IndividualInformation:
    first_name: str | None = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(description="Family name.")
    email: str | None = strawberry.field(description="The person's email address.")
    phone_number: str | None = strawberry.field(description="E.164 number, e.g. +14155550100.")


@strawberry.type(description="One entry of a subject's history: a status transition.")
class StatusChange:
    from_: Status | None = strawberry.field(
        name="from", description="The status before; null for the creation."
    )
    to: Status = strawberry.field(description="The status after.")
    actor: str = strawberry.field(
        description="Who made the change: an account SID (AC…), or reviewer:automated."
    )
    reasons: list[ReviewReason] = strawberry.field(
        description="The reasons given with a rejection or withdrawal; empty otherwise."
    )
    at: datetime = strawberry.field(description="When it happened (UTC).")
    revision_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The approved revision whose data this change applied (APPROVED → APPROVED).",
    )

    @classmethod
    def from_row(cls, row: models.StatusChange) -> StatusChange:
        return cls(
            from_=enum_member(Status, row.from_status),
            to=Status(row.to_status),
            actor=row.actor,
            reasons=[ReviewReason.from_dict(r) for r in row.reasons],
            at=row.at,
            revision_id=strawberry.ID(row.revision_sid) if row.revision_sid else None,
        )


@strawberry.type(description="Why one requirement of a policy is not met.")
class EvaluationFailure:
    field: list[str] = strawberry.field(
        description='Path of the missing or invalid field, e.g. ["business", "websiteUrl"] '
        'or ["authorizedRepresentatives", "1"].'
    )
    code: str = strawberry.field(description="REQUIRED, INVALID_VALUE or another error code.")
    message: str = strawberry.field(description="What to fix, for the customer to read.")


@strawberry.type(description="How a subject fares against one requirement of its policy.")
class EvaluationResult:
    requirement: str = strawberry.field(
        description='The requirement\'s name, e.g. "Business information".'
    )
    passed: bool = strawberry.field(description="True when the requirement is met.")
    failures: list[EvaluationFailure] = strawberry.field(
        description="Every missing or invalid field of the requirement; empty when passed."
    )
