"""GraphQL inputs of trust products and phone numbers (flattened by `inputs.to_changes`)."""

from __future__ import annotations

import strawberry

from ..domain.products import A2PCompanyType, CallUseCase, StockExchange, TrustProductKind
from .enums import Status
from .inputs import register_blocks
from .product_types import TrustProduct  # noqa: F401  (registers the product enums first)

U = strawberry.UNSET


@strawberry.input
class A2PMessagingInput:
    company_type: A2PCompanyType | None = U
    stock_exchange: StockExchange | None = U
    stock_ticker: str | None = U
    brand_contact_email: str | None = U
    daily_message_volume: int | None = U


@strawberry.input(description="displayName: at most 15 letters, digits, spaces and , . & ' -")
class CnamInput:
    display_name: str | None = U


@strawberry.input
class VoiceIntegrityInput:
    use_case: CallUseCase | None = U
    employee_count: int | None = U
    average_daily_call_volume: int | None = U


@strawberry.input
class BrandedCallingInput:
    display_name: str | None = U
    long_display_name: str | None = U
    call_purpose: CallUseCase | None = U
    call_reason: str | None = U


register_blocks(
    a2p_messaging=A2PMessagingInput,
    cnam=CnamInput,
    voice_integrity=VoiceIntegrityInput,
    branded_calling=BrandedCallingInput,
)


@strawberry.input(description="One typed block, the one of `kind`, beside the common fields.")
class CreateTrustProductInput:
    kind: TrustProductKind
    customer_profile_id: strawberry.ID
    friendly_name: str
    notification_email: str
    status_callback: str | None = U
    a2p_messaging: A2PMessagingInput | None = U
    cnam: CnamInput | None = U
    voice_integrity: VoiceIntegrityInput | None = U
    branded_calling: BrandedCallingInput | None = U


@strawberry.input(description="A field left out stays as it is; null clears an optional field.")
class UpdateTrustProductInput:
    id: strawberry.ID
    friendly_name: str | None = U
    notification_email: str | None = U
    status_callback: str | None = U
    a2p_messaging: A2PMessagingInput | None = U
    cnam: CnamInput | None = U
    voice_integrity: VoiceIntegrityInput | None = U
    branded_calling: BrandedCallingInput | None = U


@strawberry.input
class TrustProductFilter:
    kind: TrustProductKind | None = None
    status: Status | None = None
    customer_profile_id: strawberry.ID | None = None


@strawberry.input(description="Give customerProfileId, or trustProductId (after the profile).")
class AssignPhoneNumberInput:
    phone_number: str
    customer_profile_id: strawberry.ID | None = None
    trust_product_id: strawberry.ID | None = None
