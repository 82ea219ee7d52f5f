"""GraphQL types of trust products, phone numbers and attestation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from .. import models
from ..domain.attestation import AttestationLevel
from ..domain.products import A2PCompanyType, CallUseCase, StockExchange, TrustProductKind
from ..resolvers.common import page_size
from ..services.phone_numbers import page_of_numbers
from .context import Info
from .delivery_types import DeliveryAttempt
from .document_types import SupportingDocument
from .enums import Status
from .errors import UserError
from .types import (
    CustomerProfile,
    Node,
    PageInfo,
    Policy,
    ReviewReason,
    StatusChange,
)

for _cls in (TrustProductKind, A2PCompanyType, StockExchange, CallUseCase, AttestationLevel):
    strawberry.enum(_cls, name=_cls.__name__)


def _enum(cls: Any, value: str | None) -> Any:
    return cls(value) if value is not None else None


@strawberry.type
class A2PMessaging:
    company_type: A2PCompanyType | None
    stock_exchange: StockExchange | None
    stock_ticker: str | None
    brand_contact_email: str | None
    daily_message_volume: int | None


@strawberry.type
class Cnam:
    display_name: str | None


@strawberry.type
class VoiceIntegrity:
    use_case: CallUseCase | None
    employee_count: int | None
    average_daily_call_volume: int | None


@strawberry.type
class BrandedCalling:
    display_name: str | None
    long_display_name: str | None
    call_purpose: CallUseCase | None
    call_reason: str | None


@strawberry.type
class PhoneNumber:
    phone_number: str
    assigned_at: datetime


@strawberry.type
class PhoneNumberEdge:
    cursor: str
    node: PhoneNumber


@strawberry.type
class PhoneNumberConnection:
    edges: list[PhoneNumberEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(
        cls, rows: list[tuple[str, datetime]], first: int, after: str | None
    ) -> PhoneNumberConnection:
        when = dict(rows)
        page, more = page_of_numbers(list(when), first, after)
        edges = [PhoneNumberEdge(cursor=n, node=PhoneNumber(phone_number=n, assigned_at=when[n]))
                 for n in page]  # fmt: skip
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=page[-1] if page else None),
            total_count=len(rows),
        )


@strawberry.type
class TrustProduct(Node):
    row: strawberry.Private[models.TrustProduct]
    kind: TrustProductKind
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

    @strawberry.field
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

    @strawberry.field
    def cnam(self) -> Cnam | None:
        return (
            Cnam(display_name=self.row.cnam_display_name)
            if self._is(TrustProductKind.CNAM)
            else None
        )

    @strawberry.field
    def voice_integrity(self) -> VoiceIntegrity | None:
        r = self.row
        if not self._is(TrustProductKind.VOICE_INTEGRITY):
            return None
        return VoiceIntegrity(
            use_case=_enum(CallUseCase, r.vi_use_case),
            employee_count=r.vi_employee_count,
            average_daily_call_volume=r.vi_daily_call_volume,
        )

    @strawberry.field
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

    @strawberry.field
    async def customer_profile(self, info: Info) -> CustomerProfile:
        row = await info.context.loaders.profile.load(self.row.customer_profile_sid)
        assert row is not None  # foreign key
        return CustomerProfile.from_row(row)

    @strawberry.field
    async def policy(self, info: Info) -> Policy:
        row = await info.context.loaders.policy.load(self.row.policy_sid)
        assert row is not None  # foreign key
        return Policy.from_row(row)

    @strawberry.field
    async def history(self, info: Info) -> list[StatusChange]:
        rows = await info.context.loaders.history_by_subject.load(self.row.sid)
        return [StatusChange.from_row(r) for r in rows]

    @strawberry.field
    async def delivery_attempts(self, info: Info) -> list[DeliveryAttempt]:
        rows = await info.context.loaders.deliveries_by_subject.load(self.row.sid)
        return [DeliveryAttempt.from_row(r) for r in rows]

    @strawberry.field(description="Supporting documents attached to this product, oldest first.")
    async def supporting_documents(self, info: Info) -> list[SupportingDocument]:
        rows = await info.context.loaders.documents_by_product.load(self.row.sid)
        return [SupportingDocument.from_row(r) for r in rows]

    @strawberry.field
    async def phone_numbers(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> PhoneNumberConnection:
        rows = await info.context.loaders.numbers_by_product.load(self.row.sid)
        size = page_size(info, first)
        return PhoneNumberConnection.of([(r.phone_number, r.created_at) for r in rows], size, after)


@strawberry.type
class TrustProductEdge:
    cursor: str
    node: TrustProduct


@strawberry.type
class TrustProductConnection:
    edges: list[TrustProductEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class TrustProductPayload:
    trust_product: TrustProduct | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PhoneNumberAssignmentPayload:
    phone_number: str | None = None
    customer_profile: CustomerProfile | None = None
    trust_product: TrustProduct | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Attestation:
    phone_number: str
    level: AttestationLevel
    reason: str


@strawberry.type(description="The withdrawal is queued; the subject turns REJECTED when applied.")
class WithdrawApprovalPayload:
    subject_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
