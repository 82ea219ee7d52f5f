"""GraphQL enums of trust products and attestation: the domain's classes, described."""

from __future__ import annotations

from ..domain.attestation import AttestationLevel
from ..domain.products import A2PCompanyType, CallUseCase, StockExchange, TrustProductKind
from .enums import graphql_enum

graphql_enum(
    TrustProductKind,
    "What a trust product unlocks; each kind has its policy and (but SHAKEN_STIR) a block.",
    {
        "SHAKEN_STIR": "Caller ID attestation for the numbers assigned to it.",
        "A2P_MESSAGING": "Application-to-person messaging (10DLC brand registration).",
        "CNAM": "The caller name shown on calls (display name of at most 15 characters).",
        "VOICE_INTEGRITY": "Registers the business's numbers so carriers do not flag its calls "
        "as spam.",
        "BRANDED_CALLING": "Name, purpose and reason shown on calls; needs an APPROVED "
        "VOICE_INTEGRITY product on the same profile.",
    },
)
graphql_enum(
    A2PCompanyType,
    "The kind of company registering an A2P messaging brand.",
    {
        "PRIVATE": "A privately held company.",
        "PUBLIC": "A publicly traded company; needs stockExchange and stockTicker.",
        "NON_PROFIT": "A non-profit organisation.",
        "GOVERNMENT": "A government body.",
    },
)
graphql_enum(
    StockExchange,
    "The exchange a PUBLIC company's shares trade on.",
    {
        "NYSE": "New York Stock Exchange.",
        "NASDAQ": "Nasdaq.",
        "AMEX": "NYSE American (formerly the American Stock Exchange).",
        "TSX": "Toronto Stock Exchange.",
        "LSE": "London Stock Exchange.",
        "EURONEXT": "Euronext (Amsterdam, Brussels, Dublin, Lisbon, Milan, Oslo, Paris).",
        "XETRA": "Xetra (Deutsche Börse, Frankfurt).",
        "SIX": "SIX Swiss Exchange.",
        "JPX": "Japan Exchange Group (Tokyo, Osaka).",
        "HKEX": "Hong Kong Exchanges and Clearing.",
        "SSE": "Shanghai Stock Exchange.",
        "SZSE": "Shenzhen Stock Exchange.",
        "ASX": "Australian Securities Exchange.",
        "NSE": "National Stock Exchange of India.",
        "BSE": "BSE (Bombay Stock Exchange).",
        "KRX": "Korea Exchange.",
        "OTHER": "Another exchange.",
    },
)
graphql_enum(
    CallUseCase,
    "Why a business calls (voice integrity use case; branded calling call purpose).",
    {
        "APPOINTMENT_REMINDERS": "Reminders of bookings and appointments.",
        "CUSTOMER_SERVICE": "Support and service calls to customers.",
        "DELIVERY_NOTIFICATIONS": "Calls about deliveries and orders.",
        "FRAUD_ALERTS": "Alerts about suspicious activity on an account.",
        "ACCOUNT_NOTIFICATIONS": "Notices about a customer's account.",
        "COLLECTIONS": "Debt collection (voice integrity: reviewed by a human).",
        "SALES_AND_MARKETING": "Sales and marketing (voice integrity: reviewed by a human).",
        "SURVEYS": "Surveys and polls.",
        "HEALTHCARE": "Calls from healthcare providers to patients.",
        "PUBLIC_SERVICE": "Public service announcements.",
        "OTHER": "Another purpose.",
    },
)
graphql_enum(
    AttestationLevel,
    "The SHAKEN/STIR attestation a call from a number gets.",
    {
        "A": "Full: the number is on an APPROVED business profile and on an APPROVED "
        "SHAKEN_STIR product of that same profile.",
        "B": "Partial: the account has an APPROVED primary profile and SHAKEN_STIR product, "
        "but the number is not registered on them.",
        "C": "Gateway: the caller is not known to stand behind the number.",
    },
)
