"""GraphQL types of trust products, phone numbers and attestation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from .. import models
from ..domain.attestation import AttestationLevel
from ..domain.errors import DomainError
from ..domain.pagination import PageArgs, page_of_keys
from ..domain.products import A2PCompanyType, CallUseCase, StockExchange, TrustProductKind
from . import product_enums  # noqa: F401  (registers the enums of trust products)
from .connections import After, Before, First, Last, PageInfo
from .context import Info
from .delivery_types import DeliveryAttempt
from .document_types import SupportingDocument
from .enums import Status
from .errors import ClientError, UserError
from .paging import page_args
from .types import (
    CustomerProfile,
    Node,
    Policy,
    ReviewReason,
    StatusChange,
)


def _enum(cls: Any, value: str | None) -> Any:
    return cls(value) if value is not None else None


@strawberry.type(description="The A2P messaging brand a product registers.")
class A2PMessaging:
    company_type: A2PCompanyType | None = strawberry.field(
        description="The kind of company behind the brand."
    )
    stock_exchange: StockExchange | None = strawberry.field(
        description="Where a PUBLIC company is listed."
    )
    stock_ticker: str | None = strawberry.field(description="A PUBLIC company's ticker symbol.")
    brand_contact_email: str | None = strawberry.field(
        description="The brand's contact; expected at the business website's domain."
    )
    daily_message_volume: int | None = strawberry.field(
        description="Messages a day; over 3,000 on an ISV's own primary profile is refused at "
        "submit."
    )


@strawberry.type(description="The caller name a CNAM product registers.")
class Cnam:
    display_name: str | None = strawberry.field(
        description="At most 15 letters, digits, spaces and , . & ' -"
    )


@strawberry.type(description="What a voice integrity product declares about the calls.")
class VoiceIntegrity:
    use_case: CallUseCase | None = strawberry.field(description="Why the business calls.")
    employee_count: int | None = strawberry.field(description="How many people work there.")
    average_daily_call_volume: int | None = strawberry.field(
        description="Calls a day; vetted as plausible for the head count."
    )


@strawberry.type(description="What a branded calling product shows on the called phone.")
class BrandedCalling:
    display_name: str | None = strawberry.field(description="Short name (at most 32 characters).")
    long_display_name: str | None = strawberry.field(
        description="Full name (at most 64 characters)."
    )
    call_purpose: CallUseCase | None = strawberry.field(description="Why the business calls.")
    call_reason: str | None = strawberry.field(
        description="The reason shown with the call (at most 64 characters)."
    )


@strawberry.type(description="A phone number assigned to a profile or a trust product.")
class PhoneNumber:
    phone_number: str = strawberry.field(description="E.164, e.g. +14155550100.")
    assigned_at: datetime = strawberry.field(description="When it was assigned here (UTC).")


@strawberry.type(description="A phone number in a connection, with its cursor.")
class PhoneNumberEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as after or before.")
    node: PhoneNumber = strawberry.field(description="The phone number.")


@strawberry.type(description="A page of phone numbers, in number order.")
class PhoneNumberConnection:
    edges: list[PhoneNumberEdge] = strawberry.field(description="The page, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page sits; cursors to go on.")
    total_count: int = strawberry.field(description="How many numbers are assigned here.")

    @classmethod
    def of(cls, rows: list[tuple[str, datetime]], args: PageArgs) -> PhoneNumberConnection:
        """A page of numbers (with their assignment times) in number order."""
        when = dict(rows)
        try:
            page = page_of_keys(sorted(when), args)
        except DomainError as exc:
            raise ClientError(exc.errors[0].message) from None
        edges = [
            PhoneNumberEdge(cursor=c, node=PhoneNumber(phone_number=n, assigned_at=when[n]))
            for n, c in zip(page.rows, page.cursors, strict=True)
        ]
        return cls(edges=edges, page_info=PageInfo.of(page), total_count=len(rows))


@strawberry.type(
    description="A regulated service an approved customer profile unlocks (SID prefix BU); "
    "the same lifecycle as a profile."
)
class TrustProduct(Node):
    row: strawberry.Private[models.TrustProduct]
    kind: TrustProductKind = strawberry.field(description="What it unlocks; never changes.")
    status: Status = strawberry.field(description="Where the product is in its lifecycle.")
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
    created_at: datetime = strawberry.field(description="When the product was created (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @classmethod
    def from_row(cls, row: models.TrustProduct) -> TrustProduct:
        return cls(
            row=row,
            id=strawberry.ID(row.sid),
            kind=TrustProductKind(row.kind),
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

    def _is(self, kind: TrustProductKind) -> bool:
        return self.row.kind == kind.value

    @strawberry.field(description="The A2P_MESSAGING block; null for other kinds.")
    def a2p_messaging(self) -> A2PMessaging | None:
        r = self.row
        if not self._is(TrustProductKind.A2P_MESSAGING):
            return None
        return A2PMessaging(
            company_type=_enum(A2PCompanyType, r.a2p_company_type),
            stock_exchange=_enum(StockExchange, r.a2p_stock_exchange),
            stock_ticker=r.a2p_stock_ticker,
            brand_contact_email=r.a2p_brand_contact_email,
            daily_message_volume=r.a2p_daily_message_volume,
        )

    @strawberry.field(description="The CNAM block; null for other kinds.")
    def cnam(self) -> Cnam | None:
        return (
            Cnam(display_name=self.row.cnam_display_name)
            if self._is(TrustProductKind.CNAM)
            else None
        )

    @strawberry.field(description="The VOICE_INTEGRITY block; null for other kinds.")
    def voice_integrity(self) -> VoiceIntegrity | None:
        r = self.row
        if not self._is(TrustProductKind.VOICE_INTEGRITY):
            return None
        return VoiceIntegrity(
            use_case=_enum(CallUseCase, r.vi_use_case),
            employee_count=r.vi_employee_count,
            average_daily_call_volume=r.vi_daily_call_volume,
        )

    @strawberry.field(description="The BRANDED_CALLING block; null for other kinds.")
    def branded_calling(self) -> BrandedCalling | None:
        r = self.row
        if not self._is(TrustProductKind.BRANDED_CALLING):
            return None
        return BrandedCalling(
            display_name=r.bc_display_name,
            long_display_name=r.bc_long_display_name,
            call_purpose=_enum(CallUseCase, r.bc_call_purpose),
            call_reason=r.bc_call_reason,
        )

    @strawberry.field(description="The profile it is for; it must be APPROVED to submit.")
    async def customer_profile(self, info: Info) -> CustomerProfile:
        row = await info.context.loaders.profile.load(self.row.customer_profile_sid)
        assert row is not None  # foreign key
        return CustomerProfile.from_row(row)

    @strawberry.field(description="The policy of its kind, checked by evaluation and submit.")
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

    @strawberry.field(description="Supporting documents attached to this product, oldest first.")
    async def supporting_documents(self, info: Info) -> list[SupportingDocument]:
        rows = await info.context.loaders.documents_by_product.load(self.row.sid)
        return [SupportingDocument.from_row(r) for r in rows]

    @strawberry.field(description="Numbers assigned to this product, in number order.")
    async def phone_numbers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> PhoneNumberConnection:
        args = page_args(info, first, after, last, before)
        rows = await info.context.loaders.numbers_by_product.load(self.row.sid)
        return PhoneNumberConnection.of([(r.phone_number, r.created_at) for r in rows], args)


@strawberry.type(description="A trust product in a connection, with its cursor.")
class TrustProductEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as after or before.")
    node: TrustProduct = strawberry.field(description="The trust product.")


@strawberry.type(description="A page of trust products, in creation order.")
class TrustProductConnection:
    edges: list[TrustProductEdge] = strawberry.field(description="The page, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page sits; cursors to go on.")
    total_count: int = strawberry.field(
        description="How many products match the filter, on every page."
    )


@strawberry.type(description="The result of a trust product mutation.")
class TrustProductPayload:
    trust_product: TrustProduct | None = strawberry.field(
        default=None, description="The product as saved; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the mutation was refused; empty on success."
    )


@strawberry.type(description="The result of assigning or unassigning a phone number.")
class PhoneNumberAssignmentPayload:
    phone_number: str | None = strawberry.field(
        default=None, description="The number in E.164 form; null when refused."
    )
    customer_profile: CustomerProfile | None = strawberry.field(
        default=None, description="The profile changed, when the input named a profile."
    )
    trust_product: TrustProduct | None = strawberry.field(
        default=None, description="The product changed, when the input named a product."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the mutation was refused; empty on success."
    )


@strawberry.type(description="The SHAKEN/STIR attestation calls from a number get, and why.")
class Attestation:
    phone_number: str = strawberry.field(description="The number asked about, in E.164 form.")
    level: AttestationLevel = strawberry.field(description="A, B or C.")
    reason: str = strawberry.field(
        description="Why this level, and for B and C what would raise it."
    )


@strawberry.type(description="The withdrawal is queued; the subject turns REJECTED when applied.")
class WithdrawApprovalPayload:
    subject_id: strawberry.ID | None = strawberry.field(
        default=None, description="The subject whose approval is withdrawn; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the mutation was refused; empty on success."
    )
