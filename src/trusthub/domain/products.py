"""Trust products: their kinds, the typed fields of each kind, written once (like
`fields.PROFILE_FIELDS`), and the limits that apply at write time."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from . import validators as v
from .callback_urls import CallbackRules, callback_url
from .fields import FieldSpec, Path


class TrustProductKind(StrEnum):
    SHAKEN_STIR = "SHAKEN_STIR"
    A2P_MESSAGING = "A2P_MESSAGING"
    CNAM = "CNAM"
    VOICE_INTEGRITY = "VOICE_INTEGRITY"
    BRANDED_CALLING = "BRANDED_CALLING"


class A2PCompanyType(StrEnum):
    PRIVATE = "PRIVATE"
    PUBLIC = "PUBLIC"
    NON_PROFIT = "NON_PROFIT"
    GOVERNMENT = "GOVERNMENT"


class StockExchange(StrEnum):
    NYSE = "NYSE"
    NASDAQ = "NASDAQ"
    AMEX = "AMEX"
    TSX = "TSX"
    LSE = "LSE"
    EURONEXT = "EURONEXT"
    XETRA = "XETRA"
    SIX = "SIX"
    JPX = "JPX"
    HKEX = "HKEX"
    SSE = "SSE"
    SZSE = "SZSE"
    ASX = "ASX"
    NSE = "NSE"
    BSE = "BSE"
    KRX = "KRX"
    OTHER = "OTHER"


class CallUseCase(StrEnum):
    """Why a business calls (voice integrity use case; branded calling call purpose)."""

    APPOINTMENT_REMINDERS = "APPOINTMENT_REMINDERS"
    CUSTOMER_SERVICE = "CUSTOMER_SERVICE"
    DELIVERY_NOTIFICATIONS = "DELIVERY_NOTIFICATIONS"
    FRAUD_ALERTS = "FRAUD_ALERTS"
    ACCOUNT_NOTIFICATIONS = "ACCOUNT_NOTIFICATIONS"
    COLLECTIONS = "COLLECTIONS"
    SALES_AND_MARKETING = "SALES_AND_MARKETING"
    SURVEYS = "SURVEYS"
    HEALTHCARE = "HEALTHCARE"
    PUBLIC_SERVICE = "PUBLIC_SERVICE"
    OTHER = "OTHER"


# CNAM: at most 15 characters; letters, digits, spaces and a few punctuation marks.
CNAM_RE = re.compile(r"^[A-Za-z0-9 ,.&'\-]{1,15}$")
TICKER_RE = re.compile(r"^[A-Z0-9.\-]{1,10}$")


def cnam_display_name(value: Any) -> str:
    text: str = v.text(15)(value)
    if not CNAM_RE.match(text):
        raise ValueError("must be at most 15 characters: letters, digits, spaces and , . & ' -")
    return text


def ticker(value: Any) -> str:
    text: str = v.text(10)(value).upper()
    if not TICKER_RE.match(text):
        raise ValueError("must be a stock ticker (letters, digits, . and -)")
    return text


def count(maximum: int) -> v.Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        if not 0 <= value <= maximum:
            raise ValueError(f"must be between 0 and {maximum}")
        return value

    return check


COMMON_FIELDS: dict[Path, FieldSpec] = {
    s.path: s
    for s in (
        FieldSpec(("friendlyName",), "friendly_name", v.text(64), clearable=False),
        FieldSpec(("notificationEmail",), "notification_email", v.email, clearable=False),
        FieldSpec(("statusCallback",), "status_callback", callback_url(CallbackRules())),
    )
}

_BLOCKS: dict[TrustProductKind, tuple[FieldSpec, ...]] = {
    TrustProductKind.SHAKEN_STIR: (),
    TrustProductKind.A2P_MESSAGING: (
        FieldSpec(("a2pMessaging", "companyType"), "a2p_company_type", v.enum_of(A2PCompanyType)),
        FieldSpec(
            ("a2pMessaging", "stockExchange"), "a2p_stock_exchange", v.enum_of(StockExchange)
        ),
        FieldSpec(("a2pMessaging", "stockTicker"), "a2p_stock_ticker", ticker),
        FieldSpec(("a2pMessaging", "brandContactEmail"), "a2p_brand_contact_email", v.email),
        FieldSpec(("a2pMessaging", "dailyMessageVolume"), "a2p_daily_message_volume", count(10**9)),
    ),
    TrustProductKind.CNAM: (
        FieldSpec(("cnam", "displayName"), "cnam_display_name", cnam_display_name),
    ),
    TrustProductKind.VOICE_INTEGRITY: (
        FieldSpec(("voiceIntegrity", "useCase"), "vi_use_case", v.enum_of(CallUseCase)),
        FieldSpec(("voiceIntegrity", "employeeCount"), "vi_employee_count", count(10**7)),
        FieldSpec(
            ("voiceIntegrity", "averageDailyCallVolume"), "vi_daily_call_volume", count(10**9)
        ),
    ),
    TrustProductKind.BRANDED_CALLING: (
        FieldSpec(("brandedCalling", "displayName"), "bc_display_name", v.text(32)),
        FieldSpec(("brandedCalling", "longDisplayName"), "bc_long_display_name", v.text(64)),
        FieldSpec(("brandedCalling", "callPurpose"), "bc_call_purpose", v.enum_of(CallUseCase)),
        FieldSpec(("brandedCalling", "callReason"), "bc_call_reason", v.text(64)),
    ),
}

BLOCK_NAMES: dict[TrustProductKind, str | None] = {
    kind: (specs[0].path[0] if specs else None) for kind, specs in _BLOCKS.items()
}


def product_fields(kind: TrustProductKind) -> dict[Path, FieldSpec]:
    """Every editable field of a product of `kind`: the common ones and its own block."""
    return {**COMMON_FIELDS, **{s.path: s for s in _BLOCKS[kind]}}


ALL_PRODUCT_FIELDS: dict[Path, FieldSpec] = {
    s.path: s for specs in _BLOCKS.values() for s in specs
} | COMMON_FIELDS
