"""GraphQL inputs of trust products and phone numbers (flattened by `inputs.to_changes`)."""

from __future__ import annotations

import strawberry

from ..domain.products import A2PCompanyType, CallUseCase, StockExchange, TrustProductKind
from .enums import Status
from .inputs import optional, register_blocks
from .product_types import TrustProduct  # noqa: F401  (registers the product enums first)


@strawberry.input(description="The A2P_MESSAGING block: the brand to register.")
class A2PMessagingInput:
    company_type: A2PCompanyType | None = optional("The kind of company behind the brand.")
    stock_exchange: StockExchange | None = optional("PUBLIC only: where it is listed.")
    stock_ticker: str | None = optional("PUBLIC only: its ticker (letters, digits, . and -).")
    brand_contact_email: str | None = optional("The brand's contact, at the website's domain.")
    daily_message_volume: int | None = optional(
        "Messages a day (0 to 10^9); an ISV registers end customers above 3,000 as SECONDARY "
        "profiles."
    )


@strawberry.input(description="displayName: at most 15 letters, digits, spaces and , . & ' -")
class CnamInput:
    display_name: str | None = optional("The caller name, e.g. ACME CORP.")


@strawberry.input(description="The VOICE_INTEGRITY block: what the business's calls are.")
class VoiceIntegrityInput:
    use_case: CallUseCase | None = optional("Why the business calls.")
    employee_count: int | None = optional("How many people work there (0 to 10^7).")
    average_daily_call_volume: int | None = optional("Calls a day (0 to 10^9).")


@strawberry.input(description="The BRANDED_CALLING block: what the called phone shows.")
class BrandedCallingInput:
    display_name: str | None = optional("Short name (at most 32 characters).")
    long_display_name: str | None = optional("Full name (at most 64 characters).")
    call_purpose: CallUseCase | None = optional("Why the business calls.")
    call_reason: str | None = optional("The reason shown with the call (at most 64 characters).")


register_blocks(
    a2p_messaging=A2PMessagingInput,
    cnam=CnamInput,
    voice_integrity=VoiceIntegrityInput,
    branded_calling=BrandedCallingInput,
)


@strawberry.input(description="One typed block, the one of `kind`, beside the common fields.")
class CreateTrustProductInput:
    kind: TrustProductKind = strawberry.field(description="What it unlocks; never changes.")
    customer_profile_id: strawberry.ID = strawberry.field(
        description="The customer profile it is for (APPROVED before the product is submitted)."
    )
    friendly_name: str = strawberry.field(description="A short label (at most 64 characters).")
    notification_email: str = strawberry.field(description="Where decision emails go.")
    status_callback: str | None = optional("An http(s) URL for signed status callbacks.")
    a2p_messaging: A2PMessagingInput | None = optional("kind A2P_MESSAGING only.")
    cnam: CnamInput | None = optional("kind CNAM only.")
    voice_integrity: VoiceIntegrityInput | None = optional("kind VOICE_INTEGRITY only.")
    branded_calling: BrandedCallingInput | None = optional("kind BRANDED_CALLING only.")


@strawberry.input(description="A field left out stays as it is; null clears an optional field.")
class UpdateTrustProductInput:
    id: strawberry.ID = strawberry.field(description="The product to change.")
    friendly_name: str | None = optional("A short label (at most 64 characters).")
    notification_email: str | None = optional("Where decision emails go.")
    status_callback: str | None = optional("An http(s) URL for status callbacks; null removes it.")
    a2p_messaging: A2PMessagingInput | None = optional("A2P_MESSAGING only: what to change.")
    cnam: CnamInput | None = optional("CNAM only: what to change.")
    voice_integrity: VoiceIntegrityInput | None = optional("VOICE_INTEGRITY only: what to change.")
    branded_calling: BrandedCallingInput | None = optional("BRANDED_CALLING only: what to change.")


@strawberry.input(description="Narrows trustProducts; the criteria given must all match.")
class TrustProductFilter:
    kind: TrustProductKind | None = optional("Only products of this kind.", None)
    status: Status | None = optional("Only products in this status.", None)
    customer_profile_id: strawberry.ID | None = optional("Only the products of this profile.", None)


@strawberry.input(description="Give customerProfileId, or trustProductId (after the profile).")
class AssignPhoneNumberInput:
    phone_number: str = strawberry.field(
        description="The number; written loosely is fine, it is stored in E.164 form."
    )
    customer_profile_id: strawberry.ID | None = optional(
        "The profile: a number belongs to one profile of an account.", None
    )
    trust_product_id: strawberry.ID | None = optional(
        "A product of the number's profile (one product of each kind per number).", None
    )
