"""GraphQL object types. Each holds its row privately and builds itself with `from_row()`;
related fields resolve through the request's dataloaders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from .. import models
from .connections import After, Before, First, Last, PageInfo
from .context import Info
from .delivery_types import DeliveryAttempt
from .enums import (
    BusinessIdentity,
    BusinessIndustry,
    BusinessType,
    EvaluationStatus,
    JobPosition,
    ProfileKind,
    ProfileTier,
    Region,
    RegistrationIdType,
    Status,
)
from .errors import UserError
from .paging import page_args
from .value_types import Address as Address
from .value_types import BusinessInformation as BusinessInformation
from .value_types import EvaluationFailure as EvaluationFailure
from .value_types import EvaluationResult as EvaluationResult
from .value_types import IndividualInformation as IndividualInformation
from .value_types import ReviewReason as ReviewReason
from .value_types import StatusChange as StatusChange
from .value_types import enum_member as _enum
from .verification_types import RepresentativeVerification

if TYPE_CHECKING:
    from .document_types import SupportingDocument
    from .product_types import PhoneNumberConnection, TrustProduct


@strawberry.interface(
    description="An object with a SID; `node(id:)` reads any of them again (Relay refetch)."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="The SID: two letters naming the type (BU, IT, RN, EL, RV, AC) and 32 hex "
        "digits."
    )


@strawberry.type(description="A person who may act for a business (end user, SID prefix IT).")
class AuthorizedRepresentative(Node):
    position: int = strawberry.field(description="1 (required for a business) or 2 (optional).")
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name.")
    email: str = strawberry.field(
        description="Work email; reviewers expect the business's own domain."
    )
    phone_number: str = strawberry.field(description="E.164 phone number, e.g. +14155550100.")
    business_title: str = strawberry.field(description="Their title, e.g. Chief Executive.")
    job_position: JobPosition = strawberry.field(description="Their position in the business.")

    @strawberry.field(description="Whether the representative confirmed acting for the business.")
    async def verification(self, info: Info) -> RepresentativeVerification:
        row = await info.context.loaders.verification_by_representative.load(str(self.id))
        return RepresentativeVerification.from_row(row)

    @classmethod
    def from_row(cls, row: models.AuthorizedRepresentative) -> AuthorizedRepresentative:
        return cls(
            id=strawberry.ID(row.sid),
            position=row.position,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            phone_number=row.phone_number,
            business_title=row.business_title,
            job_position=JobPosition(row.job_position),
        )


@strawberry.type(description="Requirements an object must meet; data, not code (SID prefix RN).")
class Policy(Node):
    friendly_name: str = strawberry.field(
        description="What the policy is for, e.g. Primary Customer Profile of type Business."
    )
    subject_type: str = strawberry.field(description="CUSTOMER_PROFILE or TRUST_PRODUCT.")
    kind: str | None = strawberry.field(
        description="The profile kind (BUSINESS, INDIVIDUAL) or trust product kind it applies to."
    )
    tier: str | None = strawberry.field(
        description="PRIMARY or SECONDARY for profile policies; null for trust products."
    )
    requirements: JSON = strawberry.field(
        description="The requirements as data: each has a name, a type (fields, "
        "representative, primary_profile, …) and what it asks for."
    )

    @classmethod
    def from_row(cls, row: models.Policy) -> Policy:
        return cls(
            id=strawberry.ID(row.sid),
            friendly_name=row.friendly_name,
            subject_type=row.subject_type,
            kind=row.kind,
            tier=row.tier,
            requirements=cast(JSON, row.requirements),
        )


@strawberry.type(
    description="Who a customer is (SID prefix BU): filled in as a draft, evaluated against "
    "its policy, submitted and reviewed; an approved one unlocks trust products."
)
class CustomerProfile(Node):
    row: strawberry.Private[models.CustomerProfile]
    kind: ProfileKind = strawberry.field(description="BUSINESS or INDIVIDUAL; never changes.")
    tier: ProfileTier = strawberry.field(
        description="PRIMARY (the organisation itself) or SECONDARY (a brand an ISV manages)."
    )
    status: Status = strawberry.field(description="Where the profile is in its lifecycle.")
    friendly_name: str = strawberry.field(description="A short label of your choosing.")
    notification_email: str = strawberry.field(description="Where decision emails go.")
    status_callback: str | None = strawberry.field(
        description="URL that receives a signed POST on every status change after submit."
    )
    reasons: list[ReviewReason] = strawberry.field(
        description="Why the last review rejected it; empty unless REJECTED."
    )
    terms_accepted_at: datetime | None = strawberry.field(
        description="When the terms were accepted, at submit; null before."
    )
    terms_version: str | None = strawberry.field(
        description="Which version of the terms was accepted."
    )
    created_at: datetime = strawberry.field(description="When the profile was created (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")
    purged_at: datetime | None = strawberry.field(
        description="When its personal data was purged (retention) or redacted (on request); "
        'purged values read "[purged]".'
    )

    @classmethod
    def from_row(cls, row: models.CustomerProfile) -> CustomerProfile:
        return cls(
            row=row,
            id=strawberry.ID(row.sid),
            kind=ProfileKind(row.kind),
            tier=ProfileTier(row.tier),
            status=Status(row.status),
            friendly_name=row.friendly_name,
            notification_email=row.notification_email,
            status_callback=row.status_callback,
            reasons=[ReviewReason.from_dict(r) for r in row.reasons],
            terms_accepted_at=row.terms_accepted_at,
            terms_version=row.terms_version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            purged_at=row.purged_at,
        )

    @strawberry.field(description="The business's identity; null for an INDIVIDUAL profile.")
    def business(self) -> BusinessInformation | None:
        r = self.row
        if r.kind != ProfileKind.BUSINESS.value:
            return None
        return BusinessInformation(
            legal_name=r.legal_name,
            identity=_enum(BusinessIdentity, r.business_identity),
            type=_enum(BusinessType, r.business_type),
            industry=_enum(BusinessIndustry, r.business_industry),
            registration_id_type=_enum(RegistrationIdType, r.registration_id_type),
            registration_number=r.registration_number,
            regions_of_operation=[_enum(Region, x) for x in r.regions_of_operation or []],
            website_url=r.website_url,
            social_media_profile_urls=list(r.social_media_profile_urls or []),
        )

    @strawberry.field(description="The person's details; null for a BUSINESS profile.")
    def individual(self) -> IndividualInformation | None:
        r = self.row
        if r.kind != ProfileKind.INDIVIDUAL.value:
            return None
        return IndividualInformation(
            first_name=r.first_name,
            last_name=r.last_name,
            email=r.email,
            phone_number=r.phone_number,
        )

    @strawberry.field(description="The address; null while no line of it is given.")
    def address(self) -> Address | None:
        r = self.row
        values = (r.street1, r.street2, r.city, r.region, r.postal_code, r.country)
        if all(v is None for v in values):
            return None
        return Address(
            street1=r.street1,
            street2=r.street2,
            city=r.city,
            region=r.region,
            postal_code=r.postal_code,
            country=r.country,
        )

    @strawberry.field(description="Representatives 1 and 2, by position.")
    async def authorized_representatives(self, info: Info) -> list[AuthorizedRepresentative]:
        rows = await info.context.loaders.representatives_by_profile.load(self.row.sid)
        return [AuthorizedRepresentative.from_row(r) for r in rows]

    @strawberry.field(description="The PRIMARY profile a SECONDARY one belongs to; else null.")
    async def primary_profile(
        self, info: Info
    ) -> Annotated[CustomerProfile, strawberry.lazy("trusthub.schema.types")] | None:
        if self.row.primary_profile_sid is None:
            return None
        row = await info.context.loaders.profile.load(self.row.primary_profile_sid)
        return CustomerProfile.from_row(row) if row else None

    @strawberry.field(description="The approved profile this revision revises; null otherwise.")
    async def revision_of(
        self, info: Info
    ) -> Annotated[CustomerProfile, strawberry.lazy("trusthub.schema.types")] | None:
        if self.row.revision_of is None:
            return None
        row = await info.context.loaders.profile.load(self.row.revision_of)
        return CustomerProfile.from_row(row) if row else None

    @strawberry.field(
        description="The revision of this approved profile not yet approved (DRAFT, under "
        "review or REJECTED); null when there is none."
    )
    async def open_revision(
        self, info: Info
    ) -> Annotated[CustomerProfile, strawberry.lazy("trusthub.schema.types")] | None:
        rows = await info.context.loaders.revisions_by_original.load(self.row.sid)
        open_rows = [r for r in rows if r.status != Status.APPROVED.value]
        return CustomerProfile.from_row(open_rows[-1]) if open_rows else None

    @strawberry.field(description="The policy evaluation and submit check this profile against.")
    async def policy(self, info: Info) -> Policy:
        row = await info.context.loaders.policy.load(self.row.policy_sid)
        assert row is not None  # foreign key
        return Policy.from_row(row)

    @strawberry.field(description="Every status transition, oldest first.")
    async def history(self, info: Info) -> list[StatusChange]:
        rows = await info.context.loaders.history_by_subject.load(self.row.sid)
        return [StatusChange.from_row(r) for r in rows]

    @strawberry.field(description="Every status-callback and email delivery attempt, oldest first.")
    async def delivery_attempts(self, info: Info) -> list[DeliveryAttempt]:
        rows = await info.context.loaders.deliveries_by_subject.load(self.row.sid)
        return [DeliveryAttempt.from_row(r) for r in rows]

    @strawberry.field(description="Supporting documents attached to this profile, oldest first.")
    async def supporting_documents(
        self, info: Info
    ) -> list[Annotated[SupportingDocument, strawberry.lazy("trusthub.schema.document_types")]]:
        from .document_types import SupportingDocument

        rows = await info.context.loaders.documents_by_profile.load(self.row.sid)
        return [SupportingDocument.from_row(r) for r in rows]

    @strawberry.field(description="The trust products of this profile, oldest first.")
    async def trust_products(
        self, info: Info
    ) -> list[Annotated[TrustProduct, strawberry.lazy("trusthub.schema.product_types")]]:
        from .product_types import TrustProduct

        rows = await info.context.loaders.products_by_profile.load(self.row.sid)
        return [TrustProduct.from_row(r) for r in rows]

    @strawberry.field(description="Numbers assigned to this profile, in number order.")
    async def phone_numbers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Annotated[PhoneNumberConnection, strawberry.lazy("trusthub.schema.product_types")]:
        from .product_types import PhoneNumberConnection

        args = page_args(info, first, after, last, before)
        rows = await info.context.loaders.numbers_by_profile.load(self.row.sid)
        return PhoneNumberConnection.of([(r.phone_number, r.created_at) for r in rows], args)


@strawberry.type(description="The outcome of checking a subject against its policy (SID EL).")
class Evaluation(Node):
    subject_id: strawberry.ID = strawberry.field(
        description="The customer profile or trust product evaluated."
    )
    policy_id: strawberry.ID = strawberry.field(description="The policy it was checked against.")
    status: EvaluationStatus = strawberry.field(
        description="COMPLIANT when every requirement passed."
    )
    results: list[EvaluationResult] = strawberry.field(
        description="One result per requirement of the policy."
    )
    created_at: datetime = strawberry.field(description="When the evaluation ran (UTC).")

    @classmethod
    def from_row(cls, row: models.Evaluation) -> Evaluation:
        return cls(
            id=strawberry.ID(row.sid),
            subject_id=strawberry.ID(row.subject_sid),
            policy_id=strawberry.ID(row.policy_sid),
            status=EvaluationStatus(row.status),
            results=[
                EvaluationResult(
                    requirement=r["requirement"],
                    passed=r["passed"],
                    failures=[EvaluationFailure(**f) for f in r["failures"]],
                )
                for r in row.results
            ],
            created_at=row.created_at,
        )


@strawberry.type(description="A tenant: its API keys see its own objects only (SID prefix AC).")
class Account(Node):
    name: str = strawberry.field(description="The account's unique name.")
    role: str = strawberry.field(
        description="CUSTOMER, REVIEWER (reads and decides every account's reviews) or ADMIN."
    )
    sandbox: bool = strawberry.field(
        description="A test account: friendly names ending in sandbox-… force review outcomes."
    )

    @classmethod
    def from_row(cls, row: models.Account) -> Account:
        return cls(id=strawberry.ID(row.sid), name=row.name, role=row.role, sandbox=row.sandbox)


@strawberry.type(description="The caller.")
class Viewer:
    account: Account = strawberry.field(description="The account whose API key made the call.")


@strawberry.type(description="A customer profile in a connection, with its cursor.")
class CustomerProfileEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as after or before.")
    node: CustomerProfile = strawberry.field(description="The customer profile.")


@strawberry.type(description="A page of customer profiles, in creation order.")
class CustomerProfileConnection:
    edges: list[CustomerProfileEdge] = strawberry.field(description="The page, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page sits; cursors to go on.")
    total_count: int = strawberry.field(
        description="How many profiles match the filter, on every page."
    )


@strawberry.type(description="The result of a customer profile mutation.")
class CustomerProfilePayload:
    customer_profile: CustomerProfile | None = strawberry.field(
        default=None, description="The profile as saved; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the mutation was refused; empty on success."
    )


@strawberry.type(description="The result of an evaluation.")
class EvaluationPayload:
    evaluation: Evaluation | None = strawberry.field(
        default=None, description="The evaluation (COMPLIANT or not); null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the mutation was refused; empty on success."
    )


@strawberry.type(description="The result of a deletion.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The SID of the deleted object; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the deletion was refused; empty on success."
    )
