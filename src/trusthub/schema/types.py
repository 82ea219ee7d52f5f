"""GraphQL object types. Each holds its row privately and builds itself with `from_row()`;
related fields resolve through the request's dataloaders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from .. import models
from ..resolvers.common import page_size
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
    ReasonCode,
    Region,
    RegistrationIdType,
    Status,
)
from .errors import UserError
from .verification_types import RepresentativeVerification

if TYPE_CHECKING:
    from .product_types import PhoneNumberConnection, TrustProduct


@strawberry.interface(description="An object with a SID.")
class Node:
    id: strawberry.ID


@strawberry.type
class ReviewReason:
    code: ReasonCode
    field: list[str] | None
    message: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewReason:
        return cls(code=ReasonCode(data["code"]), field=data.get("field"), message=data["message"])


@strawberry.type
class Address:
    street1: str | None
    street2: str | None
    city: str | None
    region: str | None = strawberry.field(description="ISO 3166-2 subdivision code, e.g. US-CA.")
    postal_code: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")


@strawberry.type
class BusinessInformation:
    legal_name: str | None
    identity: BusinessIdentity | None
    type: BusinessType | None
    industry: BusinessIndustry | None
    registration_id_type: RegistrationIdType | None
    registration_number: str | None
    regions_of_operation: list[Region]
    website_url: str | None
    social_media_profile_urls: list[str]


@strawberry.type
class IndividualInformation:
    first_name: str | None
    last_name: str | None
    email: str | None
    phone_number: str | None


def _enum(cls: Any, value: str | None) -> Any:
    """The member of enum `cls` with this stored value (a dictionary lookup: calling the enum
    class costs several times more, for every enum value of every profile on a page)."""
    if value is None:
        return None
    member = cls._value2member_map_.get(value)
    return member if member is not None else cls(value)


@strawberry.type
class AuthorizedRepresentative(Node):
    position: int
    first_name: str
    last_name: str
    email: str
    phone_number: str
    business_title: str
    job_position: JobPosition

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


@strawberry.type
class StatusChange:
    from_: Status | None = strawberry.field(name="from")
    to: Status
    actor: str
    reasons: list[ReviewReason]
    at: datetime

    @classmethod
    def from_row(cls, row: models.StatusChange) -> StatusChange:
        return cls(
            from_=_enum(Status, row.from_status),
            to=Status(row.to_status),
            actor=row.actor,
            reasons=[ReviewReason.from_dict(r) for r in row.reasons],
            at=row.at,
        )


@strawberry.type(description="Requirements an object must meet; data, not code.")
class Policy(Node):
    friendly_name: str
    subject_type: str
    kind: str | None
    tier: str | None
    requirements: JSON

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


@strawberry.type
class CustomerProfile(Node):
    row: strawberry.Private[models.CustomerProfile]
    kind: ProfileKind
    tier: ProfileTier
    status: Status
    friendly_name: str
    notification_email: str
    status_callback: str | None
    reasons: list[ReviewReason]
    terms_accepted_at: datetime | None
    terms_version: str | None
    created_at: datetime
    updated_at: datetime

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
        )

    @strawberry.field
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

    @strawberry.field
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

    @strawberry.field
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

    @strawberry.field
    async def authorized_representatives(self, info: Info) -> list[AuthorizedRepresentative]:
        rows = await info.context.loaders.representatives_by_profile.load(self.row.sid)
        return [AuthorizedRepresentative.from_row(r) for r in rows]

    @strawberry.field
    async def primary_profile(
        self, info: Info
    ) -> Annotated[CustomerProfile, strawberry.lazy("trusthub.schema.types")] | None:
        if self.row.primary_profile_sid is None:
            return None
        row = await info.context.loaders.profile.load(self.row.primary_profile_sid)
        return CustomerProfile.from_row(row) if row else None

    @strawberry.field
    async def policy(self, info: Info) -> Policy:
        row = await info.context.loaders.policy.load(self.row.policy_sid)
        assert row is not None  # foreign key
        return Policy.from_row(row)

    @strawberry.field
    async def history(self, info: Info) -> list[StatusChange]:
        rows = await info.context.loaders.history_by_subject.load(self.row.sid)
        return [StatusChange.from_row(r) for r in rows]

    @strawberry.field(description="Every status-callback and email delivery attempt, oldest first.")
    async def delivery_attempts(self, info: Info) -> list[DeliveryAttempt]:
        rows = await info.context.loaders.deliveries_by_subject.load(self.row.sid)
        return [DeliveryAttempt.from_row(r) for r in rows]

    @strawberry.field(description="The trust products of this profile, oldest first.")
    async def trust_products(
        self, info: Info
    ) -> list[Annotated[TrustProduct, strawberry.lazy("trusthub.schema.product_types")]]:
        from .product_types import TrustProduct

        rows = await info.context.loaders.products_by_profile.load(self.row.sid)
        return [TrustProduct.from_row(r) for r in rows]

    @strawberry.field(description="Numbers assigned to this profile, in order.")
    async def phone_numbers(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Annotated[PhoneNumberConnection, strawberry.lazy("trusthub.schema.product_types")]:
        from .product_types import PhoneNumberConnection

        rows = await info.context.loaders.numbers_by_profile.load(self.row.sid)
        size = page_size(info, first)
        return PhoneNumberConnection.of([(r.phone_number, r.created_at) for r in rows], size, after)


@strawberry.type
class EvaluationFailure:
    field: list[str]
    code: str
    message: str


@strawberry.type
class EvaluationResult:
    requirement: str
    passed: bool
    failures: list[EvaluationFailure]


@strawberry.type
class Evaluation(Node):
    subject_id: strawberry.ID
    policy_id: strawberry.ID
    status: EvaluationStatus
    results: list[EvaluationResult]
    created_at: datetime

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


@strawberry.type
class Account(Node):
    name: str
    role: str
    sandbox: bool

    @classmethod
    def from_row(cls, row: models.Account) -> Account:
        return cls(id=strawberry.ID(row.sid), name=row.name, role=row.role, sandbox=row.sandbox)


@strawberry.type
class Viewer:
    account: Account


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class CustomerProfileEdge:
    cursor: str
    node: CustomerProfile


@strawberry.type
class CustomerProfileConnection:
    edges: list[CustomerProfileEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class CustomerProfilePayload:
    customer_profile: CustomerProfile | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class EvaluationPayload:
    evaluation: Evaluation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
